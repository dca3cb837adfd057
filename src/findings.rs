//! Findings: what a rule reports, with everything a reporter needs and nothing to recompute.
//!
//! Takes the raw [`Match`]es of the matchers on one text, gives back [`Finding`]s with
//! positions, a redacted excerpt and a stable fingerprint (rule + path + matched text,
//! never the line number, so it survives edits elsewhere in the file).

use crate::fix::Fix;
use crate::parse::line_index::{LineIndex, Position};
use crate::redact::{Snippet, make_snippet, redact};
use crate::rules::Rule;
use crate::severity::Severity;
use sha2::{Digest, Sha256};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::ops::Range;

/// What a matcher found, before it becomes a [`Finding`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Index of the rule in the rule set.
    pub rule: usize,
    /// Byte range of the match in the text (empty for whole-file findings).
    pub range: Range<usize>,
    /// Byte range of the credential, for secret rules.
    pub secret: Option<Range<usize>>,
    /// The fix the rule offers for this match, if any.
    pub fix: Option<Fix>,
}

/// Commit a finding from history was found in (filled by the history source).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full commit id.
    pub id: String,
    /// Author name and e-mail.
    pub author: String,
    /// Commit date, RFC 3339.
    pub date: String,
}

/// One reported problem.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Rule id.
    pub rule_id: String,
    /// Severity of the rule.
    pub severity: Severity,
    /// CWE ids of the rule.
    pub cwe: Vec<String>,
    /// Message of the rule.
    pub message: String,
    /// Path relative to the scanned root, forward slashes.
    pub path: String,
    /// Start of the match.
    pub start: Position,
    /// End of the match (exclusive column).
    pub end: Position,
    /// Excerpt, secrets masked; `None` for whole-file findings.
    pub snippet: Option<Snippet>,
    /// The credential, masked unless secrets are shown on request.
    pub secret: Option<String>,
    /// Stable identity across runs and line shifts (hex).
    pub fingerprint: String,
    /// The commit that introduced it, for history and staged scans.
    pub commit: Option<CommitInfo>,
    /// What history knows beyond the first commit (history scans only).
    pub history: Option<HistoryInfo>,
    /// SHA-256 of the raw credential (never printed): the identity of a secret across files,
    /// commits and renames.
    pub secret_digest: Option<String>,
    /// Byte range of the raw credential in the scanned text (never printed): lets a fix
    /// diff mask the secret on the lines it removes.
    pub secret_range: Option<Range<usize>>,
    /// The fix offered, if any.
    pub fix: Option<Fix>,
    /// SHA-256 of the file as scanned, for findings with a fix: applying refuses a file that
    /// changed since.
    pub content_digest: Option<String>,
}

/// A finding's life in the repository's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryInfo {
    /// Every commit that added it, oldest first (full ids).
    pub commits: Vec<String>,
    /// Whether it is still in the tree at HEAD (`None`: no HEAD to compare with).
    pub present_at_head: Option<bool>,
}

impl Finding {
    /// Report order: path, line, column, rule id.
    pub fn report_order(&self, other: &Finding) -> Ordering {
        (&self.path, self.start, &self.rule_id).cmp(&(&other.path, other.start, &other.rule_id))
    }
}

/// The text a set of matches was found in.
pub struct MatchedText<'a> {
    /// Path relative to the scanned root.
    pub path: &'a str,
    /// The text (a whole file, or a fragment of one).
    pub text: &'a str,
    /// Line number of the text's first line minus one (0 for whole files).
    pub line_offset: usize,
}

/// Turns the matches found in one text into findings.
pub fn build_findings(
    source: &MatchedText<'_>,
    index: &LineIndex,
    matches: &[Match],
    rules: &[Rule],
    show_secrets: bool,
) -> Vec<Finding> {
    let secrets: Vec<Range<usize>> = matches
        .iter()
        .filter_map(|found| found.secret.clone())
        .collect();
    let mut occurrences: HashMap<(usize, String), usize> = HashMap::new();
    let mut findings = Vec::with_capacity(matches.len());
    let mut file_digest: Option<String> = None;
    for found in matches {
        let rule = &rules[found.rule];
        let whole_file = found.range.is_empty() && found.secret.is_none();
        let matched_text = source.text.get(found.range.clone()).unwrap_or_default();
        let normalized: String = matched_text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let occurrence = occurrences
            .entry((found.rule, normalized.clone()))
            .or_insert(0);
        *occurrence += 1;
        let fingerprint = fingerprint(&rule.id, source.path, &normalized, *occurrence);
        let (start, end, snippet) = if whole_file {
            let origin = Position {
                line: 1 + source.line_offset,
                column: 1,
            };
            (origin, origin, None)
        } else {
            let mut start = index.position(source.text, found.range.start);
            let mut end = index.position(source.text, found.range.end);
            start.line += source.line_offset;
            end.line += source.line_offset;
            let snippet = make_snippet(
                source.text,
                index,
                found.range.clone(),
                &secrets,
                show_secrets,
                source.line_offset,
            );
            (start, end, Some(snippet))
        };
        let secret_digest = found
            .secret
            .clone()
            .and_then(|range| source.text.get(range))
            .map(digest);
        let secret = found
            .secret
            .clone()
            .and_then(|range| source.text.get(range))
            .map(|secret| {
                if show_secrets {
                    secret.to_owned()
                } else {
                    redact(secret)
                }
            });
        findings.push(Finding {
            rule_id: rule.id.clone(),
            severity: rule.severity,
            cwe: rule.cwe.clone(),
            message: rule.message.clone(),
            path: source.path.to_owned(),
            start,
            end,
            snippet,
            secret,
            fingerprint,
            commit: None,
            history: None,
            secret_digest,
            secret_range: found.secret.clone(),
            fix: found.fix.clone(),
            content_digest: found.fix.as_ref().map(|_| {
                file_digest
                    .get_or_insert_with(|| digest(source.text))
                    .clone()
            }),
        });
    }
    findings
}

/// `sha256(rule \0 path \0 normalized text \0 occurrence)`, first 32 hex digits.
pub fn fingerprint(rule_id: &str, path: &str, normalized: &str, occurrence: usize) -> String {
    let mut hasher = Sha256::new();
    for part in [rule_id, path, normalized, &occurrence.to_string()] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    digest
        .iter()
        .take(16)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Hex SHA-256 of `text`.
pub fn digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Counts of findings by severity, most severe first.
pub fn count_by_severity(findings: &[Finding]) -> [(Severity, usize); 4] {
    Severity::DESCENDING.map(|severity| {
        (
            severity,
            findings
                .iter()
                .filter(|finding| finding.severity == severity)
                .count(),
        )
    })
}
