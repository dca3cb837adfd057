//! The subcommands: each takes its parsed arguments and output streams and returns an exit
//! code (or an error, exit 2). `cli.rs` parses, these do the work.

pub mod baseline;
pub mod fix;
pub mod init;
pub mod install_hook;
pub mod rules;
pub mod scan;

use crate::cli::RuleArgs;
use crate::config::{Config, load_config};
use crate::error::{FileKind, FileProblem, HardenError};
use crate::pathglob::PathGlobs;
use crate::rules::RuleSet;
use crate::rules::load::{RuleSources, load_rules};
use crate::scan::DEFAULT_MAX_FILE_SIZE;
use std::path::Path;

/// What every scanning command needs before it scans: configuration, rules (minus the
/// disabled ones), exclusions and the size limit.
pub(crate) struct Setup {
    /// The configuration found for the path.
    pub config: Config,
    /// The rules to run.
    pub rules: RuleSet,
    /// Paths left out.
    pub exclude: PathGlobs,
    /// Larger files are not read.
    pub max_file_size: u64,
}

/// Loads configuration and rules for a scan of `path`; `exclude`, `disable` and
/// `max_file_size` come from the command line and add to (or override) the configuration.
pub(crate) fn setup(
    path: &Path,
    rule_args: &RuleArgs,
    exclude: &[String],
    disable: &[String],
    max_file_size: Option<u64>,
) -> Result<Setup, HardenError> {
    if !path.exists() {
        return Err(HardenError::Unreadable {
            path: path.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
        });
    }
    let config = load_config(path, rule_args.config.as_deref())?;
    let mut rules = load_rule_set(rule_args, &config)?;
    let disabled: Vec<&String> = config.disable.iter().chain(disable).collect();
    disable_rules(&mut rules, &disabled)?;
    let exclude_globs: Vec<&String> = config.exclude.iter().chain(exclude).collect();
    let exclude = PathGlobs::new(&exclude_globs).map_err(|error| {
        let glob = exclude_globs
            .get(error.index)
            .map_or("", |glob| glob.as_str());
        let message = format!("invalid exclude glob `{glob}`: {}", error.message);
        let source = config
            .source
            .as_ref()
            .map_or("--exclude".to_owned(), |path| path.display().to_string());
        HardenError::from(
            FileProblem::new(FileKind::Config, &source, "", None, message)
                .with_help("globs use `*`, `**`, `?`, `[abc]` and `{a,b}`"),
        )
    })?;
    let max_file_size = max_file_size
        .or(config.max_file_size)
        .unwrap_or(DEFAULT_MAX_FILE_SIZE);
    Ok(Setup {
        config,
        rules,
        exclude,
        max_file_size,
    })
}

/// The directory a scan of `path` is rooted at (a file's directory for a single file).
pub(crate) fn scan_root(path: &Path) -> &Path {
    if path.is_file() {
        path.parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    } else {
        path
    }
}

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
