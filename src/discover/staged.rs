//! The staged change as a source: what `git commit` would add now (the index against HEAD),
//! for pre-commit hooks. Reads the index and the blobs it names, never the working tree, so it
//! costs the size of the change, not of the repository.

use super::Skipped;
use super::diff::scan_diff;
use super::history::open_repository;
use crate::engine::Engine;
use crate::error::HardenError;
use crate::findings::Finding;
use git2::{DiffFindOptions, DiffOptions};
use std::path::Path;

/// What the staged change adds.
#[derive(Debug, Default)]
pub struct StagedReport {
    /// Findings, paths relative to the work tree's root.
    pub findings: Vec<Finding>,
    /// Blobs that could not be read.
    pub skipped: Vec<Skipped>,
    /// Files with staged changes.
    pub files: usize,
    /// Findings silenced inline.
    pub suppressed: usize,
}

/// Scans the index of the repository at (or above) `path` against its HEAD commit (against
/// nothing before the first commit).
pub fn scan_staged(
    engine: &Engine<'_>,
    path: &Path,
    max_file_size: u64,
) -> Result<StagedReport, HardenError> {
    let repo = open_repository(path)?;
    let git_error = |error: git2::Error| HardenError::NotARepository {
        path: path.to_owned(),
        reason: error.message().to_owned(),
    };
    if repo.is_bare() {
        return Err(HardenError::NotARepository {
            path: path.to_owned(),
            reason: "a bare repository has no index to scan".to_owned(),
        });
    }
    let index = repo.index().map_err(git_error)?;
    // An unborn HEAD (no commit yet) compares with the empty tree.
    let head_tree = repo.head().ok().and_then(|head| head.peel_to_tree().ok());
    let mut options = DiffOptions::new();
    options.context_lines(0).ignore_submodules(true);
    let mut diff = repo
        .diff_tree_to_index(head_tree.as_ref(), Some(&index), Some(&mut options))
        .map_err(git_error)?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))
        .map_err(git_error)?;
    let scan = scan_diff(&repo, &diff, engine, max_file_size, None).map_err(git_error)?;
    let mut findings = scan.findings;
    findings.sort_by(Finding::report_order);
    Ok(StagedReport {
        findings,
        skipped: scan.skipped,
        files: diff.deltas().len(),
        suppressed: scan.suppressed,
    })
}
