//! The SARIF 2.1.0 report, as GitHub code scanning reads it: the rules that fired with their
//! help, results with `partialFingerprints`, CWE tags and `security-severity`, and skipped
//! files as tool execution notifications.

use super::ReportInput;
use crate::findings::Finding;
use crate::rules::Rule;
use crate::severity::Severity;
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactContent, ArtifactLocation, Invocation, Location, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};
use std::collections::BTreeMap;
use std::io::{self, Write};

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/harden-dev/harden";
/// Base id results' paths are relative to: the repository (or scanned) root.
const SRCROOT: &str = "%SRCROOT%";

/// Writes the SARIF log, pretty-printed, with a trailing newline.
pub fn render(input: &ReportInput<'_>, out: &mut dyn Write) -> io::Result<()> {
    let report = input.report;
    let mut fired: Vec<&Rule> = report
        .findings
        .iter()
        .filter_map(|finding| input.rules.get(&finding.rule_id))
        .collect();
    fired.sort_by(|a, b| a.id.cmp(&b.id));
    fired.dedup_by(|a, b| a.id == b.id);

    let descriptors: Vec<ReportingDescriptor> = fired.iter().map(|rule| descriptor(rule)).collect();
    let results: Vec<SarifResult> = report
        .findings
        .iter()
        .map(|finding| {
            let index = fired.iter().position(|rule| rule.id == finding.rule_id);
            result(finding, index, &report.repo_prefix)
        })
        .collect();
    let notifications: Vec<Notification> = report
        .skipped
        .iter()
        .map(|skipped| {
            Notification::builder()
                .level(json!("note"))
                .message(
                    Message::builder()
                        .text(format!("{}: {}", skipped.path, skipped.reason))
                        .build(),
                )
                .locations(vec![location(
                    &format!("{}{}", report.repo_prefix, skipped.path),
                    None,
                )])
                .build()
        })
        .collect();

    let driver = ToolComponent::builder()
        .name("harden")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(descriptors)
        .build();
    let invocation = Invocation::builder()
        .execution_successful(true)
        .tool_execution_notifications(notifications)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation])
        .column_kind(json!("unicodeCodePoints"))
        .build();
    let log = Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::other)?;
    writeln!(out)
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    let docs = &rule.docs;
    let markdown = format!(
        "## What it does\n\n{}\n\n## Why is this bad\n\n{}\n\n## Example\n\n```\n{}\n```\n\n## Use instead\n\n```\n{}\n```\n\n## Remediation\n\n{}\n\n## Fix safety\n\n{}\n{}",
        docs.what.trim(),
        docs.why.trim(),
        docs.bad.trim_end(),
        docs.good.trim_end(),
        docs.remediation.trim(),
        docs.fix_safety.trim(),
        references_markdown(&docs.references),
    );
    let text = format!(
        "{}\n\n{}\n\nRemediation: {}",
        docs.what.trim(),
        docs.why.trim(),
        docs.remediation.trim()
    );
    let mut properties = BTreeMap::new();
    properties.insert(
        "security-severity".to_owned(),
        json!(rule.severity.security_severity()),
    );
    properties.insert("precision".to_owned(), json!("high"));
    properties.insert("problem.severity".to_owned(), json!(problem_severity(rule)));
    ReportingDescriptor::builder()
        .id(rule.id.clone())
        .name(camel_case(&rule.id))
        .short_description(
            MultiformatMessageString::builder()
                .text(rule.message.clone())
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(docs.what.trim().to_owned())
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(text)
                .markdown(markdown)
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(rule.severity.sarif_level()))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags(&rule.cwe))
                .additional_properties(properties)
                .build(),
        )
        .build()
}

fn result(finding: &Finding, rule_index: Option<usize>, repo_prefix: &str) -> SarifResult {
    let uri = format!("{repo_prefix}{}", finding.path);
    let region = Region::builder()
        .start_line(finding.start.line as i64)
        .start_column(finding.start.column as i64);
    let region = match &finding.snippet {
        Some(snippet) => region
            .end_line(finding.end.line as i64)
            .end_column(finding.end.column as i64)
            .snippet(
                ArtifactContent::builder()
                    .text(snippet.text.clone())
                    .build(),
            )
            .build(),
        None => Region::builder()
            .start_line(finding.start.line as i64)
            .build(),
    };
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("harden/v1".to_owned(), finding.fingerprint.clone());
    let mut properties = BTreeMap::new();
    properties.insert("severity".to_owned(), json!(finding.severity.as_str()));
    if let Some(secret) = &finding.secret {
        properties.insert("secret".to_owned(), json!(secret));
    }
    if let Some(commit) = &finding.commit {
        properties.insert(
            "commit".to_owned(),
            json!({"id": commit.id, "author": commit.author, "date": commit.date}),
        );
    }
    let message = match &finding.secret {
        Some(secret) => format!("{} ({secret})", finding.message),
        None => finding.message.clone(),
    };
    let builder = SarifResult::builder()
        .rule_id(finding.rule_id.clone())
        .level(result_level(finding.severity))
        .message(Message::builder().text(message).build())
        .locations(vec![location(&uri, Some(region))])
        .partial_fingerprints(fingerprints)
        .properties(
            PropertyBag::builder()
                .tags(tags(&finding.cwe))
                .additional_properties(properties)
                .build(),
        );
    match rule_index {
        Some(index) => builder.rule_index(index as i64).build(),
        None => builder.build(),
    }
}

fn result_level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low => ResultLevel::Note,
    }
}

fn location(uri: &str, region: Option<Region>) -> Location {
    let artifact = ArtifactLocation::builder()
        .uri(encode_uri_path(uri))
        .uri_base_id(SRCROOT)
        .build();
    let physical = match region {
        Some(region) => PhysicalLocation::builder()
            .artifact_location(artifact)
            .region(region)
            .build(),
        None => PhysicalLocation::builder()
            .artifact_location(artifact)
            .build(),
    };
    Location::builder().physical_location(physical).build()
}

/// `security` plus each CWE in both spellings GitHub and other viewers look for.
fn tags(cwes: &[String]) -> Vec<String> {
    let mut tags = vec!["security".to_owned()];
    for cwe in cwes {
        let number = cwe.trim_start_matches("CWE-");
        tags.push(format!("external/cwe/cwe-{number}"));
        tags.push(cwe.clone());
    }
    tags
}

/// GitHub's `problem.severity` vocabulary.
fn problem_severity(rule: &Rule) -> &'static str {
    match rule.severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "recommendation",
    }
}

fn references_markdown(references: &[String]) -> String {
    if references.is_empty() {
        return String::new();
    }
    let list: Vec<String> = references
        .iter()
        .map(|reference| format!("- <{reference}>"))
        .collect();
    format!("\n## References\n\n{}\n", list.join("\n"))
}

/// `aws-access-key-id` → `AwsAccessKeyId` (SARIF rule `name`).
fn camel_case(id: &str) -> String {
    id.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Percent-encodes a relative path for a URI, keeping `/` and unreserved characters.
fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
