//! Baselines: the findings a team has accepted for now, so CI fails only on new ones.
//!
//! A baseline file lists fingerprints with their rule and path — never a secret or a line
//! number — so it survives edits elsewhere in a file and is safe to commit. `harden baseline`
//! writes one; `harden scan --baseline FILE` leaves out the findings it lists.

use crate::error::{FileKind, FileProblem, HardenError};
use crate::findings::Finding;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;

/// The default file name, at the scanned root.
pub const DEFAULT_BASELINE: &str = ".harden-baseline.json";

/// The file's format version.
const VERSION: u32 = 1;

/// A baseline file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Format version (1).
    pub version: u32,
    /// Accepted findings, sorted.
    pub findings: Vec<BaselineEntry>,
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// Path relative to the scanned root (for people reading the file).
    pub path: String,
    /// Rule id (for people reading the file).
    pub rule_id: String,
    /// The finding's fingerprint: what is matched.
    pub fingerprint: String,
}

impl Baseline {
    /// The baseline of `findings`.
    pub fn of(findings: &[Finding]) -> Baseline {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .map(|finding| BaselineEntry {
                path: finding.path.clone(),
                rule_id: finding.rule_id.clone(),
                fingerprint: finding.fingerprint.clone(),
            })
            .collect();
        entries.sort();
        entries.dedup();
        Baseline {
            version: VERSION,
            findings: entries,
        }
    }

    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, HardenError> {
        let text = std::fs::read_to_string(path).map_err(|source| HardenError::Unreadable {
            path: path.to_owned(),
            source,
        })?;
        let baseline: Baseline = serde_json::from_str(&text).map_err(|error| {
            let offset = text
                .lines()
                .take(error.line().saturating_sub(1))
                .map(|line| line.len() + 1)
                .sum::<usize>()
                + error.column().saturating_sub(1);
            HardenError::from(
                FileProblem::new(
                    FileKind::Config,
                    &path.display().to_string(),
                    &text,
                    Some(offset..offset),
                    format!("not a harden baseline: {error}"),
                )
                .with_help("regenerate it with `harden baseline`"),
            )
        })?;
        if baseline.version != VERSION {
            return Err(FileProblem::new(
                FileKind::Config,
                &path.display().to_string(),
                &text,
                None,
                format!(
                    "baseline version {} is not supported (expected {VERSION})",
                    baseline.version
                ),
            )
            .with_help("regenerate it with `harden baseline`")
            .into());
        }
        Ok(baseline)
    }

    /// The file's JSON text (pretty, trailing newline).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .map(|json| json + "\n")
            .unwrap_or_default()
    }

    /// Removes the findings the baseline lists; returns how many were removed.
    pub fn filter(&self, findings: &mut Vec<Finding>) -> usize {
        let known: HashSet<&str> = self
            .findings
            .iter()
            .map(|entry| entry.fingerprint.as_str())
            .collect();
        let before = findings.len();
        findings.retain(|finding| !known.contains(finding.fingerprint.as_str()));
        before - findings.len()
    }
}
