//! The text report: one miette diagnostic per finding, with its (redacted) excerpt, then a
//! summary line with counts by severity. Colour only when asked (a terminal, no NO_COLOR).

use super::ReportInput;
use crate::findings::{Finding, count_by_severity};
use crate::fix::Applicability;
use crate::redact::Snippet;
use crate::rules::RuleSet;
use crate::scan::{ScanMode, ScanReport};
use crate::severity::Severity;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;
use std::io::{self, Write};

/// Width the report wraps at.
const WIDTH: usize = 100;

/// Writes every finding, then the summary line.
pub fn render(input: &ReportInput<'_>, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_context_lines(1)
        .with_links(false);
    for finding in &input.report.findings {
        let diagnostic = FindingDiagnostic::new(finding, input.rules);
        let mut rendered = String::new();
        handler
            .render_report(&mut rendered, &diagnostic)
            .map_err(|error| io::Error::other(error.to_string()))?;
        out.write_all(rendered.as_bytes())?;
        if let Some(diff) = input.report.fix_diffs.get(&finding.fingerprint) {
            for line in diff.lines() {
                writeln!(out, "    {line}")?;
            }
        }
        writeln!(out)?;
    }
    writeln!(out, "{}", summary_line(input))
}

/// `Found 3 findings (1 critical, 2 high) in 12 files.` and the suppressed count.
pub fn summary_line(input: &ReportInput<'_>) -> String {
    let report = input.report;
    let counts: Vec<String> = count_by_severity(&report.findings)
        .iter()
        .filter(|(_, count)| *count > 0)
        .map(|(severity, count)| format!("{count} {severity}"))
        .collect();
    let files = scanned_label(report);
    let mut line = if report.findings.is_empty() {
        format!("No findings in {files}.")
    } else {
        format!(
            "Found {} ({}) in {files}.",
            plural(report.findings.len(), "finding"),
            counts.join(", ")
        )
    };
    if report.suppressed > 0 {
        line.push_str(&format!(" {} suppressed inline.", report.suppressed));
    }
    if report.baselined > 0 {
        line.push_str(&format!(" {} in the baseline.", report.baselined));
    }
    line
}

/// What a scan covered: `12 files`, `340 commits`, `2 files staged`.
pub fn scanned_label(report: &ScanReport) -> String {
    match (report.mode, report.commits_scanned) {
        (ScanMode::History, Some(commits)) => plural(commits, "commit"),
        (ScanMode::Staged, _) => format!("{} staged", plural(report.files_scanned, "file")),
        _ => plural(report.files_scanned, "file"),
    }
}

/// The short form of a commit id.
fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// `1 file`, `2 files`.
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("{count} {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// A finding seen as a miette diagnostic.
struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    help: Option<String>,
    source: Option<SnippetSource<'a>>,
}

impl<'a> FindingDiagnostic<'a> {
    fn new(finding: &'a Finding, rules: &RuleSet) -> FindingDiagnostic<'a> {
        let help = rules
            .get(&finding.rule_id)
            .map(|rule| rule.docs.remediation.clone());
        let source = finding.snippet.as_ref().map(|snippet| SnippetSource {
            name: finding.path.clone(),
            snippet,
        });
        FindingDiagnostic {
            finding,
            help,
            source,
        }
    }
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FindingDiagnostic")
            .field("rule", &self.finding.rule_id)
            .finish()
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let finding = self.finding;
        write!(f, "[{}] {}", finding.severity, finding.message)?;
        if finding.snippet.is_none() {
            write!(f, "\n  at {}", finding.path)?;
        }
        if let Some(commit) = &finding.commit {
            write!(
                f,
                "\n  added in commit {} by {} on {}",
                short(&commit.id),
                commit.author,
                commit.date
            )?;
        }
        if let Some(fix) = &finding.fix {
            let how = match fix.applicability {
                Applicability::Safe => "harden fix --apply",
                Applicability::Unsafe => "harden fix --apply --unsafe-fixes",
                Applicability::Display => "shown by --show-fixes, not applied",
            };
            write!(f, "\n  fix ({}): {} ({how})", fix.applicability, fix.title)?;
        }
        if let Some(history) = &finding.history {
            let others = history.commits.len().saturating_sub(1);
            if others > 0 {
                let listed: Vec<&str> = history
                    .commits
                    .iter()
                    .skip(1)
                    .take(5)
                    .map(|id| short(id))
                    .collect();
                let more = if others > 5 {
                    format!(" and {} more", others - 5)
                } else {
                    String::new()
                };
                write!(
                    f,
                    "\n  also added in {}: {}{more}",
                    plural(others, "commit"),
                    listed.join(", ")
                )?;
            }
            // Purging: a committed file goes whole; a secret in a file that stays is rewritten.
            let purge = if finding.secret.is_some() {
                "rotate the credential, then purge it from history (git filter-repo --replace-text FILE, FILE listing the secret)".to_owned()
            } else {
                format!(
                    "purge it from history (git filter-repo --path {} --invert-paths)",
                    finding.path
                )
            };
            match history.present_at_head {
                Some(true) => write!(f, "\n  still present at HEAD: remove it, then {purge}")?,
                Some(false) => write!(
                    f,
                    "\n  not present at HEAD but still in history for anyone who clones: {purge}"
                )?,
                None => write!(f, "\n  {purge}")?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.finding.rule_id))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Critical | Severity::High => miette::Severity::Error,
            Severity::Medium => miette::Severity::Warning,
            Severity::Low => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|source| source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let snippet = self.finding.snippet.as_ref()?;
        let label = match &self.finding.secret {
            Some(_) => format!("{} (secret redacted)", self.finding.cwe.join(", ")),
            None => self.finding.cwe.join(", "),
        };
        let span = SourceSpan::from(snippet.highlight.clone());
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(label),
            span,
        ))))
    }
}

/// A snippet as miette source code, numbered from the snippet's first line.
struct SnippetSource<'a> {
    name: String,
    snippet: &'a Snippet,
}

impl SourceCode for SnippetSource<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let inner = self.snippet.text.as_str().read_span(
            span,
            context_lines_before,
            context_lines_after,
        )?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.snippet.first_line - 1,
            inner.column(),
            inner.line_count(),
        )))
    }
}
