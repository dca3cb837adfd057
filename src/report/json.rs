//! The JSON report. Its shape is a public interface: fields are only ever added, and
//! `version` changes if one is removed or changes meaning. README, "JSON output", documents
//! every field.

use super::ReportInput;
use crate::discover::SkipReason;
use crate::findings::count_by_severity;
use crate::scan::ScanMode;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Version of the JSON document's schema.
pub const SCHEMA_VERSION: &str = "1";

#[derive(Serialize)]
struct Document<'a> {
    version: &'static str,
    tool: Tool,
    root: &'a str,
    summary: Summary,
    findings: Vec<JsonFinding<'a>>,
    skipped: Vec<JsonSkipped<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    mode: &'static str,
    findings: usize,
    by_severity: BTreeMap<&'static str, usize>,
    files_scanned: usize,
    suppressed: usize,
    baselined: usize,
    skipped: usize,
    rules_run: usize,
    commits_scanned: Option<usize>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_id: &'a str,
    severity: &'static str,
    cwe: &'a [String],
    message: &'a str,
    path: &'a str,
    start: JsonPosition,
    end: JsonPosition,
    snippet: Option<&'a str>,
    secret: Option<&'a str>,
    fingerprint: &'a str,
    commit: Option<JsonCommit<'a>>,
    commits: Option<&'a [String]>,
    present_at_head: Option<bool>,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    applicability: &'static str,
    advice: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonPosition {
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonCommit<'a> {
    id: &'a str,
    author: &'a str,
    date: &'a str,
}

#[derive(Serialize)]
struct JsonSkipped<'a> {
    path: &'a str,
    reason: &'a SkipReason,
    message: String,
}

/// Writes the JSON document, pretty-printed, with a trailing newline.
pub fn render(input: &ReportInput<'_>, out: &mut dyn Write) -> io::Result<()> {
    let report = input.report;
    let document = Document {
        version: SCHEMA_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        root: input.root,
        summary: Summary {
            mode: match report.mode {
                ScanMode::WorkingTree => "working-tree",
                ScanMode::History => "history",
                ScanMode::Staged => "staged",
            },
            findings: report.findings.len(),
            by_severity: count_by_severity(&report.findings)
                .iter()
                .map(|(severity, count)| (severity.as_str(), *count))
                .collect(),
            files_scanned: report.files_scanned,
            suppressed: report.suppressed,
            baselined: report.baselined,
            skipped: report.skipped.len(),
            rules_run: report.rules_run,
            commits_scanned: report.commits_scanned,
        },
        findings: report
            .findings
            .iter()
            .map(|finding| JsonFinding {
                rule_id: &finding.rule_id,
                severity: finding.severity.as_str(),
                cwe: &finding.cwe,
                message: &finding.message,
                path: &finding.path,
                start: JsonPosition {
                    line: finding.start.line,
                    column: finding.start.column,
                },
                end: JsonPosition {
                    line: finding.end.line,
                    column: finding.end.column,
                },
                snippet: finding
                    .snippet
                    .as_ref()
                    .map(|snippet| snippet.text.as_str()),
                secret: finding.secret.as_deref(),
                fingerprint: &finding.fingerprint,
                commits: finding
                    .history
                    .as_ref()
                    .map(|history| history.commits.as_slice()),
                present_at_head: finding
                    .history
                    .as_ref()
                    .and_then(|history| history.present_at_head),
                fix: finding.fix.as_ref().map(|fix| JsonFix {
                    title: &fix.title,
                    applicability: fix.applicability.as_str(),
                    advice: fix.advice.as_deref(),
                }),
                commit: finding.commit.as_ref().map(|commit| JsonCommit {
                    id: &commit.id,
                    author: &commit.author,
                    date: &commit.date,
                }),
            })
            .collect(),
        skipped: report
            .skipped
            .iter()
            .map(|skipped| JsonSkipped {
                path: &skipped.path,
                reason: &skipped.reason,
                message: skipped.reason.to_string(),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::other)?;
    writeln!(out)
}
