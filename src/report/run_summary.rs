//! The run summary on stderr: what was scanned, how long it took, what was skipped and why.
//! Separate from the findings so `--format json > out.json` stays a clean document.

use super::text::{plural, scanned_label};
use crate::discover::Skipped;
use crate::scan::ScanReport;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::time::Duration;

/// How many skipped paths are listed by name before the rest are only counted.
const LISTED_SKIPS: usize = 5;

/// Writes the summary to `err`.
pub fn render(report: &ScanReport, elapsed: Duration, err: &mut dyn Write) -> io::Result<()> {
    let scanned = scanned_label(report);
    writeln!(
        err,
        "harden: scanned {scanned} with {} in {:.2}s",
        plural(report.rules_run, "rule"),
        elapsed.as_secs_f64()
    )?;
    if report.baselined > 0 {
        writeln!(
            err,
            "harden: {} in the baseline, not reported",
            plural(report.baselined, "finding")
        )?;
    }
    if report.skipped.is_empty() {
        return Ok(());
    }
    let mut by_reason: BTreeMap<&str, usize> = BTreeMap::new();
    for skipped in &report.skipped {
        *by_reason.entry(skipped.reason.label()).or_default() += 1;
    }
    let counts: Vec<String> = by_reason
        .iter()
        .map(|(label, count)| format!("{count} {label}"))
        .collect();
    writeln!(
        err,
        "harden: skipped {}: {}",
        plural(report.skipped.len(), "path"),
        counts.join(", ")
    )?;
    for Skipped { path, reason } in report.skipped.iter().take(LISTED_SKIPS) {
        writeln!(err, "  {path}: {reason}")?;
    }
    if report.skipped.len() > LISTED_SKIPS {
        writeln!(
            err,
            "  ... and {} more (listed in --format json and sarif)",
            report.skipped.len() - LISTED_SKIPS
        )?;
    }
    Ok(())
}
