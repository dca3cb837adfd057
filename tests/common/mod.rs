//! Helpers shared by the integration tests.
#![allow(dead_code)]

use harden::rules::RuleSet;
use harden::rules::load::{RuleSources, load_rules};
use std::path::{Path, PathBuf};

/// The crate root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The built-in rules; panics (in tests only) if they do not load.
pub fn builtin_rules() -> RuleSet {
    match load_rules(&RuleSources {
        builtin: true,
        user_paths: Vec::new(),
    }) {
        Ok(rules) => rules,
        Err(error) => panic!("built-in rules do not load: {error:?}"),
    }
}

/// Runs the CLI in-process; returns (exit code, stdout, stderr).
pub fn run_cli(args: &[&str]) -> (u8, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut full = vec!["harden"];
    full.extend_from_slice(args);
    let code = harden::cli::run(full, &mut out, &mut err, harden::cli::Terminal::default());
    (
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

/// `path` relative to the crate root, as a string for CLI arguments.
pub fn fixture(path: &str) -> String {
    repo_root().join(path).display().to_string()
}

/// Every file under `dir`, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}
