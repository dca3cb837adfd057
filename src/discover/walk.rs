//! Parallel walk of a working tree with the `ignore` crate: honours `.gitignore` (in or out
//! of a git repository), `.ignore` and git's exclude files, shows hidden files (`.env` is the point), never follows
//! symbolic links, never enters `.git`.

use super::{SkipReason, Skipped};
use crate::pathglob::PathGlobs;
use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A file the scan will look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Absolute (or root-joined) path to read.
    pub abs: PathBuf,
    /// Path relative to the scanned root, forward slashes.
    pub rel: String,
    /// Size in bytes.
    pub size: u64,
}

/// Files found and things skipped by a walk, both sorted by path.
#[derive(Debug, Default)]
pub struct WalkResult {
    /// Regular files to scan.
    pub candidates: Vec<Candidate>,
    /// Symbolic links and unreadable entries.
    pub skipped: Vec<Skipped>,
}

/// Directories that belong to version control, never scanned.
const VCS_DIRS: &[&str] = &[".git", ".hg", ".svn"];

/// Walks `root` with `threads` threads (0: one per core), leaving out `exclude`d paths.
pub fn walk(root: &Path, exclude: &PathGlobs, threads: usize) -> WalkResult {
    let found = Mutex::new(WalkResult::default());
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .follow_links(false)
        .parents(true)
        // A copy without `.git` (a tarball, an export) still says what is not part of it.
        .require_git(false)
        .threads(threads)
        .filter_entry(|entry| {
            !(entry.file_type().is_some_and(|kind| kind.is_dir())
                && VCS_DIRS.iter().any(|name| entry.file_name() == *name))
        })
        .build_parallel();
    walker.run(|| {
        let found = &found;
        Box::new(move |entry| {
            let outcome = match entry {
                Ok(entry) => classify(root, exclude, &entry),
                Err(error) => Some(Err(Skipped {
                    path: error_path(root, &error),
                    reason: SkipReason::Unreadable {
                        error: error.to_string(),
                    },
                })),
            };
            if let Some(outcome) = outcome {
                let mut found = found
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                match outcome {
                    Ok(candidate) => found.candidates.push(candidate),
                    Err(skipped) => found.skipped.push(skipped),
                }
            }
            WalkState::Continue
        })
    });
    let mut result = found
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    result.candidates.sort_by(|a, b| a.rel.cmp(&b.rel));
    result.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    result
}

/// A file becomes a candidate, a symlink a skip, a directory nothing.
fn classify(
    root: &Path,
    exclude: &PathGlobs,
    entry: &ignore::DirEntry,
) -> Option<Result<Candidate, Skipped>> {
    let kind = entry.file_type()?;
    if kind.is_dir() {
        return None;
    }
    let rel = relative_path(root, entry.path());
    if rel.is_empty() || exclude.is_match(&rel) {
        return None;
    }
    if kind.is_symlink() {
        return Some(Err(Skipped {
            path: rel,
            reason: SkipReason::Symlink,
        }));
    }
    if !kind.is_file() {
        return None;
    }
    match entry.metadata() {
        Ok(metadata) => Some(Ok(Candidate {
            abs: entry.path().to_owned(),
            rel,
            size: metadata.len(),
        })),
        Err(error) => Some(Err(Skipped {
            path: rel,
            reason: SkipReason::Unreadable {
                error: error.to_string(),
            },
        })),
    }
}

/// `path` relative to `root`, with forward slashes.
pub fn relative_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for component in relative.components() {
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str(&component.as_os_str().to_string_lossy());
    }
    out
}

fn error_path(root: &Path, error: &ignore::Error) -> String {
    let mut current = Some(error);
    while let Some(error) = current {
        match error {
            ignore::Error::WithPath { path, .. } => return relative_path(root, path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                current = Some(err)
            }
            _ => current = None,
        }
    }
    ".".to_owned()
}
