//! Discovery: which files a scan looks at, and what it had to leave out and why.
//!
//! `walk.rs` walks a working tree in parallel, honouring `.gitignore`/`.ignore`; `git.rs`
//! adds what the git index knows (tracked files, ignore rules) when there is a repository;
//! `history.rs` reads every commit, `staged.rs` the change about to be committed, both
//! through `diff.rs`.

pub mod added_lines;
pub mod diff;
pub mod git;
pub mod history;
pub mod staged;
pub mod walk;

use serde::Serialize;
use std::fmt;

/// A file or directory that was not scanned (or not fully), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Path relative to the scanned root (`.` for the root itself).
    pub path: String,
    /// Why.
    pub reason: SkipReason,
}

/// Why something was skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SkipReason {
    /// Contains NUL bytes: only file-name and magic-number rules ran.
    Binary,
    /// Larger than the size limit: only file-name and magic-number rules ran.
    TooLarge {
        /// File size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// A symbolic link: never followed, so a scan cannot leave its root.
    Symlink,
    /// Could not be read.
    Unreadable {
        /// The operating-system error.
        error: String,
    },
    /// Not valid UTF-8: scanned with invalid bytes replaced (positions on those lines may
    /// be off by a few columns).
    InvalidUtf8,
    /// The git repository could not be used; the scan went on as for a plain directory.
    Git {
        /// What git reported.
        error: String,
    },
}

impl SkipReason {
    /// Short label used to group skips in summaries.
    pub fn label(&self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge { .. } => "over the size limit",
            SkipReason::Symlink => "symbolic link",
            SkipReason::Unreadable { .. } => "unreadable",
            SkipReason::InvalidUtf8 => "not UTF-8 (decoded lossily)",
            SkipReason::Git { .. } => "git repository unusable",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Binary => f.write_str("binary file: content not scanned"),
            SkipReason::TooLarge { size, limit } => {
                write!(
                    f,
                    "{size} bytes, over the {limit}-byte limit: content not scanned"
                )
            }
            SkipReason::Symlink => f.write_str("symbolic link: not followed"),
            SkipReason::Unreadable { error } => write!(f, "unreadable: {error}"),
            SkipReason::InvalidUtf8 => {
                f.write_str("not valid UTF-8: scanned with invalid bytes replaced")
            }
            SkipReason::Git { error } => {
                write!(
                    f,
                    "git repository unusable ({error}): scanned as a plain directory"
                )
            }
        }
    }
}
