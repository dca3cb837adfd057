//! Fixes a rule kind needs that a template cannot express: a hard-coded secret moved to the
//! environment (the variable name derived from where it is assigned), and a sensitive file
//! added to `.gitignore` and removed from the index (never from disk).

use super::template::env_name;
use super::{Applicability, Edit, Fix};
use crate::discover::git::GitContext;
use crate::findings::Finding;
use crate::matchers::pattern::consts::compact;
use crate::parse::node_ext::NodeExt;
use crate::parse::python::{PythonSource, node_text, string_value};
use crate::rules::{RuleFix, RuleSet};
use ignore::gitignore::GitignoreBuilder;
use serde::Deserialize;
use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;
use tree_sitter::Node;

/// The dedicated fix strategies a rule can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// Replace a hard-coded secret (a whole string literal, in Python) with
    /// `os.environ["NAME"]`.
    Environment,
    /// Add patterns to `.gitignore` and untrack the file.
    Gitignore,
}

/// What rotating a leaked credential involves (every secret fix says it).
pub const ROTATE: &str = "rotate the credential now: it stays valid, and readable in git history, until it is revoked at the provider";

/// The environment fix for the secret at `secret` in the Python file `path` (`text`), if
/// the secret is a whole string literal. `rule_id` names the variable when nothing else does.
pub fn environment_fix(
    path: &str,
    text: &str,
    secret: &Range<usize>,
    rule_id: &str,
) -> Option<Fix> {
    if !path.ends_with(".py") && !path.ends_with(".pyw") {
        return None;
    }
    let source = PythonSource::parse(text)?;
    let literal = smallest_string(source.tree.root_node(), secret)?;
    if string_value(text, literal)? != text.get(secret.clone())? {
        return None;
    }
    let name = variable_name(text, literal).or_else(|| env_name(rule_id))?;
    let mut fix = Fix::new(
        format!("Read the secret from the {name} environment variable"),
        Applicability::Unsafe,
    );
    fix.edits.push(Edit {
        path: path.to_owned(),
        range: literal.byte_range(),
        replacement: format!("os.environ[\"{name}\"]"),
    });
    fix.imports.push("import os".to_owned());
    fix.advice = Some(format!("set {name} where the code runs; {ROTATE}"));
    Some(fix)
}

/// The innermost string literal containing `range`.
fn smallest_string<'t>(root: Node<'t>, range: &Range<usize>) -> Option<Node<'t>> {
    let mut node = root.descendant_for_byte_range(range.start, range.end)?;
    loop {
        if node.kind_name() == "string" {
            return Some(node);
        }
        node = node.parent()?;
    }
}

/// The name the literal is stored under: an assignment target, a keyword, a dict key.
fn variable_name(text: &str, literal: Node<'_>) -> Option<String> {
    let parent = literal.parent()?;
    match parent.kind_name() {
        "assignment" | "augmented_assignment" => parent
            .field("left")
            .map(|left| compact(node_text(text, left)))
            .and_then(|left| env_name(&left)),
        "keyword_argument" => parent
            .field("name")
            .and_then(|name| env_name(node_text(text, name))),
        "pair" => parent
            .field("key")
            .and_then(|key| {
                string_value(text, key).or_else(|| Some(node_text(text, key).to_owned()))
            })
            .and_then(|key| env_name(&key)),
        "parenthesized_expression" | "expression_list" => variable_name(text, parent),
        _ => None,
    }
}

/// The `.gitignore` fix of a sensitive file: `lines` to add (computed by
/// [`attach_gitignore_fixes`]), and untracking when the file is tracked.
pub fn gitignore_fix(
    path: &str,
    lines: Vec<String>,
    tracked: bool,
    untrack: bool,
    applicability: Applicability,
) -> Fix {
    let untracking = untrack && tracked;
    let title = if untracking {
        format!("Ignore {path} in .gitignore and untrack it")
    } else {
        format!("Ignore {path} in .gitignore")
    };
    let mut fix = Fix::new(title, applicability);
    fix.gitignore = lines;
    if untracking {
        fix.untrack = Some(path.to_owned());
        fix.advice = Some(format!(
            "the file stays on disk; {ROTATE}; then purge it from history: git filter-repo --path {path} --invert-paths"
        ));
    }
    fix
}

/// The lines of `patterns` that the file at `path` needs: the positive patterns matching it,
/// the negations those would otherwise swallow (`!.env.example` after `.env.*`), or else the
/// file's own path.
fn gitignore_lines(root: &Path, path: &str, patterns: &[String]) -> Vec<String> {
    let matches = |pattern: &str, candidate: &str| {
        let mut builder = GitignoreBuilder::new(root);
        builder.add_line(None, pattern).is_ok()
            && builder.build().is_ok_and(|gitignore| {
                gitignore
                    .matched_path_or_any_parents(root.join(candidate), false)
                    .is_ignore()
            })
    };
    let positives: Vec<&String> = patterns
        .iter()
        .filter(|pattern| !pattern.starts_with('!') && matches(pattern, path))
        .collect();
    if positives.is_empty() {
        return vec![format!("/{path}")];
    }
    let mut lines: Vec<String> = positives.iter().map(|pattern| (*pattern).clone()).collect();
    for negation in patterns.iter().filter(|pattern| pattern.starts_with('!')) {
        let negated = negation.trim_start_matches('!').trim_start_matches('/');
        if positives.iter().any(|pattern| matches(pattern, negated)) {
            lines.push(negation.clone());
        }
    }
    lines
}

/// Gives every file finding whose rule declares a `gitignore` fix its fix: the lines it
/// needs in `.gitignore`, and untracking when the file is tracked in the repository around
/// `root`.
pub fn attach_gitignore_fixes(root: &Path, findings: &mut [Finding], rules: &RuleSet) {
    let tracked: HashSet<String> = GitContext::discover(root)
        .ok()
        .flatten()
        .and_then(|git| git.tracked_files().ok())
        .map(|files| files.into_iter().collect())
        .unwrap_or_default();
    for finding in findings
        .iter_mut()
        .filter(|finding| finding.fix.is_none() && finding.commit.is_none())
    {
        let Some(rule) = rules.get(&finding.rule_id) else {
            continue;
        };
        let Some((patterns, untrack, applicability)) =
            rule.fixes.iter().find_map(|fix| match fix {
                RuleFix::Gitignore {
                    patterns,
                    untrack,
                    applicability,
                } => Some((patterns, *untrack, *applicability)),
                _ => None,
            })
        else {
            continue;
        };
        let lines = gitignore_lines(root, &finding.path, patterns);
        finding.fix = Some(gitignore_fix(
            &finding.path,
            lines,
            tracked.contains(&finding.path),
            untrack,
            applicability,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_move_to_a_derived_environment_variable() {
        let text = "import requests\nAPI_TOKEN = \"tok_abcdefghijklmnop\"\nclient(password=\"hunter2hunter2\")\n";
        let start = text.find("tok_").unwrap();
        let fix = environment_fix(
            "app.py",
            text,
            &(start..start + 20),
            "generic-secret-assignment",
        )
        .unwrap();
        assert_eq!(fix.edits[0].replacement, "os.environ[\"API_TOKEN\"]");
        assert_eq!(fix.imports, vec!["import os"]);
        let start = text.find("hunter2").unwrap();
        let fix = environment_fix("app.py", text, &(start..start + 14), "x").unwrap();
        assert_eq!(fix.edits[0].replacement, "os.environ[\"PASSWORD\"]");
        // Part of a longer string: no automatic fix.
        let text = "URL = \"https://user:s3cr3tvalue@host/db\"\n";
        let start = text.find("s3cr").unwrap();
        assert!(
            environment_fix("app.py", text, &(start..start + 11), "url-with-password").is_none()
        );
        assert!(environment_fix("app.js", text, &(start..start + 11), "x").is_none());
    }
}
