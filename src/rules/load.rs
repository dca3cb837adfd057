//! Finds rule files (built into the binary, or in user directories) and loads them into a
//! [`RuleSet`], reporting every invalid file and every duplicate id together.

use super::compile::compile_rule;
use super::{Rule, RuleSet};
use crate::error::{FileKind, FileProblem, HardenError};
use rayon::prelude::*;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Where rules come from for one run.
#[derive(Debug, Clone, Default)]
pub struct RuleSources {
    /// Load the rules built into the binary.
    pub builtin: bool,
    /// Extra rule directories (or single files), searched recursively for `*.toml`.
    pub user_paths: Vec<PathBuf>,
}

/// Loads, validates and compiles every rule; fails with all problems at once.
pub fn load_rules(sources: &RuleSources) -> Result<RuleSet, HardenError> {
    let mut files: Vec<(String, String, bool)> = Vec::new();
    if sources.builtin {
        files.extend(
            BUILTIN_RULES
                .iter()
                .map(|(path, text)| ((*path).to_owned(), (*text).to_owned(), true)),
        );
    }
    for user_path in &sources.user_paths {
        for path in rule_files_in(user_path)? {
            let text = fs::read_to_string(&path).map_err(|source| HardenError::Unreadable {
                path: path.clone(),
                source,
            })?;
            files.push((path.display().to_string(), text, false));
        }
    }
    compile_all(&files)
}

/// Compiles `(path, text, builtin)` triples; ids must be unique across all of them.
pub fn compile_all(files: &[(String, String, bool)]) -> Result<RuleSet, HardenError> {
    let mut rules: Vec<Rule> = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    // Compiled in parallel (most of a short run's start-up), checked for duplicates in order.
    let compiled: Vec<Result<Rule, Vec<HardenError>>> = files
        .par_iter()
        .map(|(path, text, builtin)| compile_rule(path, text, *builtin))
        .collect();
    for ((path, text, _), result) in files.iter().zip(compiled) {
        match result {
            Ok(rule) => {
                if let Some(first) = seen.get(&rule.id) {
                    errors.push(duplicate(path, text, &rule, first));
                } else {
                    seen.insert(rule.id.clone(), path.clone());
                    rules.push(rule);
                }
            }
            Err(mut problems) => errors.append(&mut problems),
        }
    }
    match errors.len() {
        0 => Ok(RuleSet::new(rules)),
        1 => Err(errors.remove(0)),
        _ => Err(HardenError::Many { errors }),
    }
}

/// The `*.toml` files under `path` (or `path` itself), sorted for a stable order.
fn rule_files_in(path: &Path) -> Result<Vec<PathBuf>, HardenError> {
    let metadata = fs::metadata(path).map_err(|source| HardenError::Unreadable {
        path: path.to_owned(),
        source,
    })?;
    if metadata.is_file() {
        return Ok(vec![path.to_owned()]);
    }
    let mut found = Vec::new();
    for entry in ignore::WalkBuilder::new(path)
        .hidden(false)
        .git_ignore(false)
        .build()
    {
        let entry = entry.map_err(|error| HardenError::Unreadable {
            path: path.to_owned(),
            source: std::io::Error::other(error.to_string()),
        })?;
        let is_file = entry.file_type().is_some_and(|kind| kind.is_file());
        if is_file && entry.path().extension().is_some_and(|ext| ext == "toml") {
            found.push(entry.into_path());
        }
    }
    found.sort();
    Ok(found)
}

fn duplicate(path: &str, text: &str, rule: &Rule, first: &str) -> HardenError {
    let message = format!(
        "duplicate rule id `{}`, already defined by {first}",
        rule.id
    );
    FileProblem::new(FileKind::Rule, path, text, Some(rule.id_span.clone()), message)
        .with_help("rule ids must be unique; rename this rule, or use --no-default-rules to replace the built-in rules")
        .with_label("duplicate id")
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Built-in rules compile their regexes on first use; compiled eagerly, as a user rule
    /// is, every one of them must build (size limit included).
    #[test]
    fn every_builtin_regex_compiles() {
        let files: Vec<(String, String, bool)> = BUILTIN_RULES
            .iter()
            .map(|(path, text)| ((*path).to_owned(), (*text).to_owned(), false))
            .collect();
        let rules = compile_all(&files).expect("built-in rules compile eagerly");
        assert_eq!(rules.len(), BUILTIN_RULES.len());
    }
}
