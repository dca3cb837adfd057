//! `harden rules` and `harden explain`: what the rules are and what they are for.

use crate::cli::{EXIT_CLEAN, ExplainArgs, RuleArgs};
use crate::config::load_config;
use crate::error::HardenError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `harden rules`: the rules that would run, one per line.
pub fn list(args: &RuleArgs, out: &mut dyn Write) -> Result<u8, HardenError> {
    let config = load_config(Path::new("."), args.config.as_deref())?;
    let rules = super::load_rule_set(args, &config)?;
    let width = rules
        .rules()
        .iter()
        .map(|rule| rule.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        writeln!(
            out,
            "{:<width$}  {:<6}  {:<8}  {:<8}  MESSAGE",
            "ID", "KIND", "SEVERITY", "CWE"
        )?;
        for rule in rules.rules() {
            writeln!(
                out,
                "{:<width$}  {:<6}  {:<8}  {:<8}  {}",
                rule.id,
                rule.kind.as_str(),
                rule.severity.as_str(),
                rule.cwe.join(","),
                rule.message
            )?;
        }
        writeln!(out, "\n{} rules.", rules.len())
    };
    write(out).map_err(|source| HardenError::Unwritable {
        path: PathBuf::from("<stdout>"),
        source,
    })?;
    Ok(EXIT_CLEAN)
}

/// `harden explain RULE`: a rule's documentation.
pub fn explain(args: &ExplainArgs, out: &mut dyn Write) -> Result<u8, HardenError> {
    let config = load_config(Path::new("."), args.rules.config.as_deref())?;
    let rules = super::load_rule_set(&args.rules, &config)?;
    let rule = rules
        .get(&args.rule)
        .ok_or_else(|| HardenError::UnknownRule {
            id: args.rule.clone(),
        })?;
    let docs = &rule.docs;
    let mut text = format!(
        "{id} ({kind}, {severity}, {cwe})\n{message}\n\n## What it does\n\n{what}\n\n## Why is this bad\n\n{why}\n\n## Example\n\n{bad}\n\n## Use instead\n\n{good}\n\n## Remediation\n\n{remediation}\n\n## Fix safety\n\n{fix_safety}\n",
        id = rule.id,
        kind = rule.kind.as_str(),
        severity = rule.severity,
        cwe = rule.cwe.join(", "),
        message = rule.message,
        what = docs.what.trim(),
        why = docs.why.trim(),
        bad = indent(&docs.bad),
        good = indent(&docs.good),
        remediation = docs.remediation.trim(),
        fix_safety = docs.fix_safety.trim(),
    );
    if !docs.references.is_empty() {
        text.push_str("\n## References\n\n");
        for reference in &docs.references {
            text.push_str(&format!("- {reference}\n"));
        }
    }
    out.write_all(text.as_bytes())
        .map_err(|source| HardenError::Unwritable {
            path: PathBuf::from("<stdout>"),
            source,
        })?;
    Ok(EXIT_CLEAN)
}

fn indent(block: &str) -> String {
    block
        .trim_end()
        .lines()
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("    {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
