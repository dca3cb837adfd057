//! The subcommands: each takes its parsed arguments and output streams and returns an exit
//! code (or an error, exit 2). `cli.rs` parses, these do the work.

pub mod install_hook;
pub mod rules;
pub mod scan;

use crate::cli::RuleArgs;
use crate::config::Config;
use crate::error::HardenError;
use crate::rules::RuleSet;
use crate::rules::load::{RuleSources, load_rules};

/// The rules of a run: built-in ones unless disabled, configured directories, `--rules`.
pub(crate) fn load_rule_set(args: &RuleArgs, config: &Config) -> Result<RuleSet, HardenError> {
    let mut user_paths = config.rule_dirs.clone();
    user_paths.extend(args.rule_dirs.iter().cloned());
    load_rules(&RuleSources {
        builtin: !args.no_default_rules,
        user_paths,
    })
}

/// Drops the `disabled` rules; an unknown id is an error (a typo never silently keeps a
/// rule on).
pub(crate) fn disable_rules(rules: &mut RuleSet, disabled: &[&String]) -> Result<(), HardenError> {
    if let Some(unknown) = disabled.iter().find(|id| rules.get(id).is_none()) {
        return Err(HardenError::UnknownRule {
            id: (*unknown).clone(),
        });
    }
    rules.retain(|rule| !disabled.iter().any(|id| **id == rule.id));
    Ok(())
}
