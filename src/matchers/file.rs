//! The `file` matcher: files that must not be in a repository, recognised by path globs,
//! leading bytes (magic numbers) and, optionally, a regex over their text.

use crate::findings::Match;
use crate::rules::{FileCondition, Rule, RuleKind};

/// What the file matcher may look at for one file.
pub struct FileFacts<'a> {
    /// Path relative to the scanned root, forward slashes.
    pub path: &'a str,
    /// The first bytes of the file (at least as many as the longest magic number).
    pub head: &'a [u8],
    /// The file's text, when it was read (not binary, not over the size limit).
    pub text: Option<&'a str>,
}

/// Answers "would git ignore this path?" for `not-gitignored` rules; `None` outside a git
/// repository, where such rules stay silent.
pub type IgnoreOracle<'a> = &'a (dyn Fn(&str) -> Option<bool> + Sync);

/// Bytes of a file's head the matcher needs (longest magic number in the rules).
pub fn head_len(rules: &[Rule]) -> usize {
    rules
        .iter()
        .filter_map(|rule| match &rule.kind {
            RuleKind::File(file) => file.magic.iter().map(Vec::len).max(),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// The file rules that select this file.
pub fn find_files(
    rules: &[Rule],
    facts: &FileFacts<'_>,
    is_ignored: IgnoreOracle<'_>,
) -> Vec<Match> {
    let mut matches = Vec::new();
    for (index, rule) in rules.iter().enumerate() {
        let RuleKind::File(file) = &rule.kind else {
            continue;
        };
        let by_name = file.paths.is_match(facts.path);
        let by_magic = !by_name && file.magic.iter().any(|magic| facts.head.starts_with(magic));
        if !(by_name || by_magic) || file.exclude.is_match(facts.path) {
            continue;
        }
        if let Some(contains) = &file.contains {
            match facts.text {
                Some(text) if contains.is_match(text) => {}
                _ => continue,
            }
        }
        if file.when == FileCondition::NotGitignored && is_ignored(facts.path) != Some(false) {
            continue;
        }
        matches.push(Match {
            rule: index,
            range: 0..0,
            secret: None,
            fix: None,
        });
    }
    matches
}
