//! The engine: every matcher of one rule set, applied to a path and its text.
//!
//! Takes texts (a whole file, a fragment of added lines from a diff, or a file's name and
//! first bytes), gives back findings with inline suppressions applied. It never reads a disk
//! or a repository: the working-tree scan, the history scan and the staged scan all feed it.

use crate::findings::{Finding, Match, MatchedText, build_findings};
use crate::fix::strategy::environment_fix;
use crate::language::Language;
use crate::matchers::file::{FileFacts, IgnoreOracle, find_files, head_len};
use crate::matchers::python::PythonMatcher;
use crate::matchers::secret::SecretMatcher;
use crate::parse::line_index::LineIndex;
use crate::rules::{RuleFix, RuleSet};
use crate::suppress::is_suppressed;

/// A file with a NUL byte in its first this-many bytes is binary (as git and ripgrep judge).
pub const BINARY_SNIFF_BYTES: usize = 8000;

/// The matchers of one rule set, ready to scan texts.
pub struct Engine<'r> {
    rules: &'r RuleSet,
    secrets: SecretMatcher,
    code: PythonMatcher,
    /// Bytes of a file's head the file rules need to recognise a format.
    pub head_len: usize,
    show_secrets: bool,
}

/// Findings of one text, and how many were suppressed inline.
#[derive(Debug, Default)]
pub struct TextScan {
    /// Findings, in report order.
    pub findings: Vec<Finding>,
    /// Findings dropped by `harden: ignore` comments.
    pub suppressed: usize,
}

/// Whether `bytes` look binary (a NUL byte early on).
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(BINARY_SNIFF_BYTES)].contains(&0)
}

impl<'r> Engine<'r> {
    /// Compiles the matchers for `rules`.
    pub fn new(rules: &'r RuleSet, show_secrets: bool) -> Engine<'r> {
        Engine {
            rules,
            secrets: SecretMatcher::new(rules.rules()),
            code: PythonMatcher::new(rules.rules()),
            head_len: head_len(rules.rules()).max(BINARY_SNIFF_BYTES),
            show_secrets,
        }
    }

    /// The rules this engine runs.
    pub fn rules(&self) -> &'r RuleSet {
        self.rules
    }

    /// Scans the text of the file at `path` with every rule: file rules see the text as
    /// the file's content, secret and code rules search it. `is_ignored` answers git
    /// ignore queries.
    pub fn scan_text(&self, path: &str, text: &str, is_ignored: IgnoreOracle<'_>) -> TextScan {
        let rules = self.rules.rules();
        let facts = FileFacts {
            path,
            head: text.as_bytes(),
            text: Some(text),
        };
        let mut matches = find_files(rules, &facts, is_ignored);
        let language = Language::from_path(path);
        if !self.secrets.is_empty() {
            let mut secrets = self.secrets.find(rules, path, language, text);
            self.secret_fixes(path, text, &mut secrets);
            matches.extend(secrets);
        }
        if !self.code.is_empty() {
            matches.extend(self.code.find(rules, path, language, text));
        }
        self.finish(path, text, &matches, 0)
    }

    /// Offers the `environment` fix on secret matches whose rule declares it.
    fn secret_fixes(&self, path: &str, text: &str, matches: &mut [Match]) {
        for found in matches.iter_mut() {
            let rule = &self.rules.rules()[found.rule];
            let Some(applicability) = rule.fixes.iter().find_map(|fix| match fix {
                RuleFix::Environment { applicability } => Some(*applicability),
                _ => None,
            }) else {
                continue;
            };
            if let Some(secret) = &found.secret {
                found.fix = environment_fix(path, text, secret, &rule.id).map(|mut fix| {
                    fix.applicability = applicability;
                    fix
                });
            }
        }
    }

    /// Scans a fragment of a file (the lines a commit added, starting at line
    /// `first_line`) with the secret rules: code rules need whole files, file rules paths.
    pub fn scan_fragment(&self, path: &str, text: &str, first_line: usize) -> TextScan {
        if self.secrets.is_empty() {
            return TextScan::default();
        }
        let language = Language::from_path(path);
        let matches = self.secrets.find(self.rules.rules(), path, language, text);
        self.finish(path, text, &matches, first_line.saturating_sub(1))
    }

    /// The file rules alone, on a file's path, first bytes and (when it was read as text)
    /// content; `is_ignored` answers git ignore queries.
    pub fn scan_file_rules(
        &self,
        path: &str,
        head: &[u8],
        text: Option<&str>,
        is_ignored: IgnoreOracle<'_>,
    ) -> Vec<Finding> {
        let facts = FileFacts { path, head, text };
        let matches = find_files(self.rules.rules(), &facts, is_ignored);
        let source = MatchedText {
            path,
            text: "",
            line_offset: 0,
        };
        build_findings(
            &source,
            &LineIndex::new(""),
            &matches,
            self.rules.rules(),
            self.show_secrets,
        )
    }

    fn finish(&self, path: &str, text: &str, matches: &[Match], line_offset: usize) -> TextScan {
        // Most texts have no finding: skip the line index they would never use.
        if matches.is_empty() {
            return TextScan::default();
        }
        let source = MatchedText {
            path,
            text,
            line_offset,
        };
        let index = LineIndex::new(text);
        let findings = build_findings(
            &source,
            &index,
            matches,
            self.rules.rules(),
            self.show_secrets,
        );
        let total = findings.len();
        let mut kept: Vec<Finding> = findings
            .into_iter()
            .filter(|finding| {
                !is_suppressed(
                    text,
                    &index,
                    finding.start.line - 1 - line_offset,
                    &finding.rule_id,
                )
            })
            .collect();
        kept.sort_by(Finding::report_order);
        TextScan {
            suppressed: total - kept.len(),
            findings: kept,
        }
    }
}
