//! GitHub Actions workflow commands (`::error file=…,line=…::message`): each finding becomes
//! an annotation on the pull request's diff, without code scanning. Paths are relative to the
//! repository root, as GitHub resolves them.

use super::ReportInput;
use crate::severity::Severity;
use std::io::{self, Write};

/// Writes one workflow command per finding.
pub fn render(input: &ReportInput<'_>, out: &mut dyn Write) -> io::Result<()> {
    let report = input.report;
    for finding in &report.findings {
        let level = match finding.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low => "notice",
        };
        let path = format!("{}{}", report.repo_prefix, finding.path);
        let mut properties = vec![
            format!("file={}", property(&path)),
            format!("line={}", finding.start.line),
            format!("col={}", finding.start.column),
        ];
        if finding.snippet.is_some() {
            properties.push(format!("endLine={}", finding.end.line));
            if finding.end.line == finding.start.line {
                properties.push(format!("endColumn={}", finding.end.column));
            }
        }
        properties.push(format!(
            "title={}",
            property(&format!(
                "{} ({}, {})",
                finding.rule_id,
                finding.severity,
                finding.cwe.join(", ")
            ))
        ));
        let mut message = finding.message.clone();
        if let Some(secret) = &finding.secret {
            message.push_str(&format!(" ({secret})"));
        }
        if let Some(rule) = input.rules.get(&finding.rule_id) {
            message.push_str(&format!("\n{}", rule.docs.remediation.trim()));
        }
        if let Some(fix) = &finding.fix {
            message.push_str(&format!("\nFix ({}): {}", fix.applicability, fix.title));
        }
        writeln!(
            out,
            "::{level} {}::{}",
            properties.join(","),
            data(&message)
        )?;
    }
    Ok(())
}

/// Escapes a command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property's value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_workflow_command_rules() {
        assert_eq!(data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(property("a,b:c"), "a%2Cb%3Ac");
    }
}
