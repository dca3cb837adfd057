//! Reporters: one per output format, each a pure function from a [`ScanReport`] to bytes
//! on a writer. This is the only module that prints.

pub mod github;
pub mod json;
pub mod markdown;
pub mod progress;
pub mod run_summary;
pub mod sarif;
pub mod text;

use crate::rules::RuleSet;
use crate::scan::ScanReport;
use std::io::{self, Write};

/// Output formats of `harden scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable report with source excerpts (miette).
    Text,
    /// Stable JSON document (see README, "JSON output").
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
    /// An audit report in Markdown: summary, one section per finding, recommendations.
    Markdown,
}

/// Language of the markdown report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// French.
    Fr,
}

/// What every reporter gets.
pub struct ReportInput<'a> {
    /// The scan results.
    pub report: &'a ScanReport,
    /// The rules that ran (for SARIF rule metadata and help).
    pub rules: &'a RuleSet,
    /// The scanned root as the user named it.
    pub root: &'a str,
    /// Language of the markdown report.
    pub lang: Lang,
}

/// Writes `input` in `format` to `out`. `color` only affects the text format.
pub fn render(
    format: Format,
    input: &ReportInput<'_>,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => text::render(input, color, out),
        Format::Json => json::render(input, out),
        Format::Sarif => sarif::render(input, out),
        Format::Github => github::render(input, out),
        Format::Markdown => markdown::render(input, out),
    }
}
