//! Writing a plan: each file atomically (a temporary file in the same directory, renamed over
//! the original, permissions kept), never outside the root, never over a file that changed
//! since it was read or that is read-only; a file that cannot be written is reported and the
//! others go on. Untracking removes paths from the git index only.

use super::plan::{Plan, PlannedFile};
use git2::Repository;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What applying a plan did.
#[derive(Debug, Default)]
pub struct ApplyReport {
    /// Files written.
    pub written: Vec<String>,
    /// Files left untouched, with the reason.
    pub refused: Vec<(String, String)>,
    /// Paths removed from the index.
    pub untracked: Vec<String>,
}

/// Writes every planned file under `root`, then untracks the planned paths.
pub fn apply(root: &Path, plan: &Plan) -> ApplyReport {
    let mut report = ApplyReport::default();
    let Ok(canonical_root) = root.canonicalize() else {
        for file in &plan.files {
            report.refused.push((
                file.path.clone(),
                "the scanned root cannot be resolved".to_owned(),
            ));
        }
        return report;
    };
    for file in &plan.files {
        match write_file(&canonical_root, file) {
            Ok(()) => report.written.push(file.path.clone()),
            Err(reason) => report.refused.push((file.path.clone(), reason)),
        }
    }
    if !plan.untrack.is_empty() {
        match untrack(&canonical_root, &plan.untrack) {
            Ok(done) => report.untracked = done,
            Err(reason) => {
                for path in &plan.untrack {
                    report
                        .refused
                        .push((path.clone(), format!("not untracked: {reason}")));
                }
            }
        }
    }
    report
}

fn write_file(root: &Path, file: &PlannedFile) -> Result<(), String> {
    let target = contained_path(root, &file.path)?;
    let metadata = fs::symlink_metadata(&target);
    match (&file.original, &metadata) {
        (Some(_), Err(error)) => return Err(format!("unreadable: {error}")),
        (None, Ok(_)) => return Err("created by someone else since it was planned".to_owned()),
        (_, Ok(metadata)) if metadata.file_type().is_symlink() => {
            return Err("a symbolic link: not written through".to_owned());
        }
        (_, Ok(metadata)) if metadata.permissions().readonly() => {
            return Err("read-only: left untouched".to_owned());
        }
        _ => {}
    }
    if let Some(original) = &file.original {
        let current = fs::read(&target).map_err(|error| format!("unreadable: {error}"))?;
        if current != original.as_bytes() {
            return Err(
                "changed since it was scanned: left untouched (run `harden fix` again)".to_owned(),
            );
        }
    }
    let directory = target.parent().ok_or("no parent directory")?;
    let mut temporary = tempfile::Builder::new()
        .prefix(".harden-fix-")
        .tempfile_in(directory)
        .map_err(|error| format!("cannot create a temporary file: {error}"))?;
    temporary
        .write_all(file.updated.as_bytes())
        .map_err(|error| format!("cannot write: {error}"))?;
    temporary
        .as_file()
        .sync_all()
        .map_err(|error| format!("cannot write: {error}"))?;
    if let Ok(metadata) = &metadata {
        fs::set_permissions(temporary.path(), metadata.permissions())
            .map_err(|error| format!("cannot keep permissions: {error}"))?;
    }
    temporary
        .persist(&target)
        .map_err(|error| format!("cannot replace the file: {}", error.error))?;
    Ok(())
}

/// `root/relative`, refused unless it stays inside `root` (no `..`, no symlinked directory
/// leading out).
fn contained_path(root: &Path, relative: &str) -> Result<PathBuf, String> {
    let candidate = root.join(relative);
    let parent = candidate.parent().ok_or("no parent directory")?;
    let parent = parent
        .canonicalize()
        .map_err(|error| format!("directory unreadable: {error}"))?;
    if !parent.starts_with(root) {
        return Err("outside the scanned root: never written".to_owned());
    }
    let name = candidate.file_name().ok_or("not a file path")?;
    Ok(parent.join(name))
}

/// Removes `paths` (relative to `root`) from the index of the repository holding `root`.
fn untrack(root: &Path, paths: &[String]) -> Result<Vec<String>, String> {
    let repo = Repository::discover(root).map_err(|_| "not a git repository".to_owned())?;
    let workdir = repo
        .workdir()
        .ok_or("a bare repository")?
        .canonicalize()
        .map_err(|error| error.to_string())?;
    let prefix = root
        .strip_prefix(&workdir)
        .map_err(|_| "the root is outside the work tree".to_owned())?;
    let mut index = repo.index().map_err(|error| error.message().to_owned())?;
    let mut done = Vec::new();
    for path in paths {
        let in_repo = prefix.join(path);
        if index.get_path(&in_repo, 0).is_some() {
            index
                .remove_path(&in_repo)
                .map_err(|error| error.message().to_owned())?;
            done.push(path.clone());
        }
    }
    index.write().map_err(|error| error.message().to_owned())?;
    Ok(done)
}
