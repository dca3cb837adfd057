//! From findings with fixes to new file contents: fixes selected by applicability and rule,
//! edits of overlapping fixes left for a next run, needed imports added once in the right
//! place, `.gitignore` lines merged, each file's line endings kept.
//!
//! Takes the scanned root and the findings; gives back a [`Plan`] that `diff.rs` prints and
//! `apply.rs` writes. Reads files, never writes.

use super::{Applicability, Edit, Fix};
use crate::findings::{Finding, digest};
use crate::matchers::names::ImportTable;
use crate::parse::node_ext::NodeExt;
use crate::parse::python::{PythonSource, named_children};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;

/// Which fixes to plan.
#[derive(Debug, Clone, Default)]
pub struct FixOptions {
    /// Include `unsafe` fixes.
    pub unsafe_fixes: bool,
    /// Include `display` fixes (to show them; never to apply).
    pub display_fixes: bool,
    /// Only fixes of these rules (empty: all).
    pub rules: Vec<String>,
}

impl FixOptions {
    /// Whether `fix` of a finding of `rule` is selected.
    pub fn selects(&self, rule: &str, fix: &Fix) -> bool {
        let applicable = match fix.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => self.unsafe_fixes,
            Applicability::Display => self.display_fixes,
        };
        applicable && (self.rules.is_empty() || self.rules.iter().any(|id| id == rule))
    }
}

/// The new content of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// Path relative to the root, forward slashes.
    pub path: String,
    /// Content as read (`None`: the file does not exist yet).
    pub original: Option<String>,
    /// Content after the fixes.
    pub updated: String,
}

/// Everything a `harden fix` run would change.
#[derive(Debug, Default)]
pub struct Plan {
    /// Files to write, by path.
    pub files: Vec<PlannedFile>,
    /// Tracked files to remove from the index.
    pub untrack: Vec<String>,
    /// What the user must still do by hand, one line per fix that says so.
    pub advice: Vec<String>,
    /// Fixes planned.
    pub fixes: usize,
    /// Fixes left out, with the reason (`path: title: reason`).
    pub left_out: Vec<String>,
}

/// Plans the selected fixes of `findings` under `root`.
pub fn plan(root: &Path, findings: &[Finding], options: &FixOptions) -> Plan {
    let mut plan = Plan::default();
    let mut by_file: BTreeMap<String, Vec<(&Finding, &Fix)>> = BTreeMap::new();
    let mut gitignore: Vec<String> = Vec::new();
    for finding in findings {
        let Some(fix) = finding
            .fix
            .as_ref()
            .filter(|fix| options.selects(&finding.rule_id, fix))
        else {
            continue;
        };
        let file = fix
            .edits
            .first()
            .map_or_else(|| finding.path.clone(), |edit| edit.path.clone());
        by_file.entry(file).or_default().push((finding, fix));
    }
    for (path, fixes) in by_file {
        let code_fixes: Vec<(&Finding, &Fix)> = fixes
            .iter()
            .copied()
            .filter(|(_, fix)| !fix.edits.is_empty())
            .collect();
        let accepted = if code_fixes.is_empty() {
            Vec::new()
        } else {
            match plan_file(root, &path, &code_fixes, &mut plan.left_out) {
                Some((file, accepted)) => {
                    plan.files.push(file);
                    accepted
                }
                None => Vec::new(),
            }
        };
        for (finding, fix) in fixes {
            let edits_ok = fix.edits.is_empty() || accepted.contains(&fix.title);
            if !edits_ok {
                continue;
            }
            plan.fixes += 1;
            gitignore.extend(fix.gitignore.iter().cloned());
            if let Some(untrack) = &fix.untrack
                && !plan.untrack.contains(untrack)
            {
                plan.untrack.push(untrack.clone());
            }
            if let Some(advice) = &fix.advice {
                let line = format!("{}: {}", finding.path, advice);
                if !plan.advice.contains(&line) {
                    plan.advice.push(line);
                }
            }
        }
    }
    if !gitignore.is_empty()
        && let Some(file) = plan_gitignore(root, &gitignore)
    {
        plan.files.push(file);
    }
    plan.files.sort_by(|a, b| a.path.cmp(&b.path));
    plan
}

/// The new content of one source file; the titles of the fixes it applies.
fn plan_file(
    root: &Path,
    path: &str,
    fixes: &[(&Finding, &Fix)],
    left_out: &mut Vec<String>,
) -> Option<(PlannedFile, Vec<String>)> {
    let text = match std::fs::read(root.join(path)).map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => {
            left_out.push(format!("{path}: not UTF-8, not fixed"));
            return None;
        }
        Err(error) => {
            left_out.push(format!("{path}: unreadable ({error}), not fixed"));
            return None;
        }
    };
    let current = digest(&text);
    let mut accepted_edits: Vec<Edit> = Vec::new();
    let mut accepted_titles = Vec::new();
    let mut imports: BTreeSet<String> = BTreeSet::new();
    let mut ordered: Vec<&(&Finding, &Fix)> = fixes.iter().collect();
    ordered.sort_by_key(|(_, fix)| {
        fix.edits
            .iter()
            .map(|edit| edit.range.start)
            .min()
            .unwrap_or(0)
    });
    for (finding, fix) in ordered {
        if finding
            .content_digest
            .as_ref()
            .is_some_and(|scanned| *scanned != current)
        {
            left_out.push(format!(
                "{path}: {}: the file changed since it was scanned",
                fix.title
            ));
            continue;
        }
        if fix.edits.iter().any(|edit| {
            edit.range.end > text.len()
                || !text.is_char_boundary(edit.range.start)
                || !text.is_char_boundary(edit.range.end)
        }) {
            left_out.push(format!("{path}: {}: edit outside the file", fix.title));
            continue;
        }
        let new_edits: Vec<&Edit> = fix
            .edits
            .iter()
            .filter(|edit| !accepted_edits.contains(edit))
            .collect();
        if new_edits.iter().any(|edit| {
            accepted_edits
                .iter()
                .any(|other| overlaps(&edit.range, &other.range))
        }) {
            left_out.push(format!(
                "{path}: {}: overlaps another fix (run `harden fix` again)",
                fix.title
            ));
            continue;
        }
        accepted_edits.extend(new_edits.into_iter().cloned());
        imports.extend(fix.imports.iter().cloned());
        accepted_titles.push(fix.title.clone());
    }
    if accepted_edits.is_empty() {
        return None;
    }
    if let Some(edit) = import_edit(path, &text, &imports) {
        accepted_edits.push(edit);
    }
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    accepted_edits.sort_by(|a, b| {
        b.range
            .start
            .cmp(&a.range.start)
            .then(b.range.end.cmp(&a.range.end))
    });
    let mut updated = text.clone();
    for edit in &accepted_edits {
        let replacement = if newline == "\n" {
            edit.replacement.clone()
        } else {
            edit.replacement.replace('\n', newline)
        };
        updated.replace_range(edit.range.clone(), &replacement);
    }
    Some((
        PlannedFile {
            path: path.to_owned(),
            original: Some(text),
            updated,
        },
        accepted_titles,
    ))
}

/// Two ranges overlap (an insertion inside a replaced range counts; two insertions at the
/// same point do not conflict but are kept in order).
fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    if a.is_empty() || b.is_empty() {
        let point = if a.is_empty() { a.start } else { b.start };
        let other = if a.is_empty() { b } else { a };
        return !other.is_empty() && other.start < point && point < other.end;
    }
    a.start < b.end && b.start < a.end
}

/// The insertion of the import statements the file lacks, after its last top-level import
/// (or its docstring and `__future__` imports), once.
fn import_edit(path: &str, text: &str, imports: &BTreeSet<String>) -> Option<Edit> {
    if imports.is_empty() {
        return None;
    }
    let source = PythonSource::parse(text)?;
    let root = source.tree.root_node();
    let table = ImportTable::collect(text, root);
    let missing: Vec<&String> = imports
        .iter()
        .filter(|statement| !table.has_import(statement))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let mut after = None;
    for (index, statement) in named_children(root).into_iter().enumerate() {
        match statement.kind_name() {
            "import_statement" | "import_from_statement" | "future_import_statement" => {
                after = Some(statement)
            }
            "expression_statement"
                if index == 0
                    && statement
                        .named_child(0)
                        .is_some_and(|child| child.kind_name() == "string") =>
            {
                after = Some(statement)
            }
            _ => break,
        }
    }
    let offset = match after {
        Some(statement) => text[statement.end_byte()..]
            .find('\n')
            .map_or(text.len(), |newline| statement.end_byte() + newline + 1),
        None => 0,
    };
    let mut block: String = missing
        .iter()
        .map(|statement| format!("{statement}\n"))
        .collect();
    // After a docstring only, and before code: keep a blank line around.
    if offset == text.len() && !text.ends_with('\n') && !text.is_empty() {
        block.insert(0, '\n');
    }
    Some(Edit {
        path: path.to_owned(),
        range: offset..offset,
        replacement: block,
    })
}

/// `.gitignore` at the root with the missing `lines` appended under a comment.
fn plan_gitignore(root: &Path, lines: &[String]) -> Option<PlannedFile> {
    let original = std::fs::read_to_string(root.join(".gitignore")).ok();
    let present: BTreeSet<&str> = original
        .as_deref()
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .collect();
    let mut missing: Vec<&str> = Vec::new();
    for line in lines {
        if !present.contains(line.as_str()) && !missing.contains(&line.as_str()) {
            missing.push(line);
        }
    }
    if missing.is_empty() {
        return None;
    }
    let text = original.clone().unwrap_or_default();
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut updated = text.clone();
    if !updated.is_empty() && !updated.ends_with('\n') {
        updated.push_str(newline);
    }
    if !updated.is_empty() {
        updated.push_str(newline);
    }
    updated.push_str("# Sensitive files: never commit them (added by `harden fix`)");
    updated.push_str(newline);
    for line in missing {
        updated.push_str(line);
        updated.push_str(newline);
    }
    Some(PlannedFile {
        path: ".gitignore".to_owned(),
        original,
        updated,
    })
}
