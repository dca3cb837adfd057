//! Finding severity: the four levels rules declare, their order, and their SARIF mapping.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How serious a finding is. Ordered from least to most severe, so `>=` compares with
/// `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Hardening advice; fix when convenient.
    Low,
    /// A weakness that needs another flaw to be exploited.
    Medium,
    /// Exploitable on its own, or a credential with limited reach.
    High,
    /// Exploitable now with serious impact, e.g. a live provider credential.
    Critical,
}

impl Severity {
    /// All levels, most severe first (the order reports list them in).
    pub const DESCENDING: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    /// Lower-case name, as written in rule files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// SARIF `level` (critical/high → error, medium → warning, low → note).
    pub fn sarif_level(self) -> &'static str {
        match self {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low => "note",
        }
    }

    /// The `security-severity` score GitHub code scanning reads (CVSS-like, 0–10).
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Critical => "9.5",
            Severity::High => "8.0",
            Severity::Medium => "5.5",
            Severity::Low => "3.0",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl clap::ValueEnum for Severity {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
        ]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}
