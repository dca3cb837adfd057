//! Remediation: fixes are byte-range edits with a title and an applicability, declared in
//! rule files as templates over a match's metavariables (`template.rs`), or produced by a
//! dedicated strategy where a rule kind needs one (secrets moved to the environment,
//! sensitive files ignored and untracked: `strategy.rs`). `plan.rs` turns the fixes of a
//! scan into new file contents, `apply.rs` writes them safely, `diff.rs` prints them (`redaction.rs` masking secrets).

pub mod apply;
pub mod diff;
pub mod plan;
pub mod redaction;
pub mod strategy;
pub mod template;

use serde::Deserialize;
use std::fmt;
use std::ops::Range;

/// Whether a fix may be applied without a human looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Shown only: it needs a decision the tool cannot make (e.g. which base directory).
    Display,
    /// Changes behaviour (configuration now required, a check that may refuse requests):
    /// applied with `--unsafe-fixes`.
    Unsafe,
    /// Keeps behaviour: applied by `harden fix --apply`.
    Safe,
}

impl Applicability {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Display => "display",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

impl fmt::Display for Applicability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One edit: replace `range` of the file at `path` (relative to the scanned root) with
/// `replacement`. Insertions are empty ranges.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    /// File the edit applies to.
    pub path: String,
    /// Byte range in the file as scanned.
    pub range: Range<usize>,
    /// New text (newlines are `\n`; the writer keeps the file's own line endings).
    pub replacement: String,
}

/// A fix of one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, in a few words.
    pub title: String,
    /// Whether it may be applied automatically.
    pub applicability: Applicability,
    /// Non-overlapping edits (possibly in several files, e.g. `.gitignore`).
    pub edits: Vec<Edit>,
    /// Import statements the edited file needs (`import os`), added once if missing.
    pub imports: Vec<String>,
    /// Lines `.gitignore` (at the scanned root) must contain; merged across fixes.
    pub gitignore: Vec<String>,
    /// A tracked file to remove from the index (never from disk).
    pub untrack: Option<String>,
    /// What the user must still do by hand (rotate the credential, purge history).
    pub advice: Option<String>,
}

impl Fix {
    /// A fix with only a title and an applicability.
    pub fn new(title: impl Into<String>, applicability: Applicability) -> Fix {
        Fix {
            title: title.into(),
            applicability,
            edits: Vec::new(),
            imports: Vec::new(),
            gitignore: Vec::new(),
            untrack: None,
            advice: None,
        }
    }
}
