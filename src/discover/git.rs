//! What the git repository around a scanned directory tells discovery: which files are
//! tracked (a tracked file is scanned even if `.gitignore` lists it) and which paths its
//! ignore rules cover. Read-only; a broken repository degrades to a plain directory scan.

use super::walk::relative_path;
use git2::{Repository, RepositoryOpenFlags};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Whether `dir` or one of its ancestors has a `.git` entry.
fn has_dot_git(dir: &Path) -> bool {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
    dir.ancestors()
        .any(|ancestor| ancestor.join(".git").exists())
}

/// File modes of index entries that are regular files (not symlinks, not submodules).
const REGULAR_FILE_MODES: [u32; 2] = [0o100644, 0o100755];

/// The repository a scan root lives in.
pub struct GitContext {
    repo: Mutex<Repository>,
    /// The scanned root relative to the work tree (`""` or `"sub/dir/"`).
    prefix: String,
    workdir: PathBuf,
}

impl GitContext {
    /// Opens the repository containing `root`. `Ok(None)`: not in a repository (or a bare
    /// one, which has no work tree to scan); `Err`: a repository that git cannot read.
    pub fn discover(root: &Path) -> Result<Option<GitContext>, git2::Error> {
        let repo = match Repository::open_ext(
            root,
            RepositoryOpenFlags::empty(),
            std::iter::empty::<&OsStr>(),
        ) {
            Ok(repo) => repo,
            // A `.git` that git cannot open is a broken repository, worth saying so.
            Err(error) if error.code() == git2::ErrorCode::NotFound && !has_dot_git(root) => {
                return Ok(None);
            }
            Err(error) => return Err(error),
        };
        let Some(workdir) = repo.workdir() else {
            return Ok(None);
        };
        let workdir = workdir
            .canonicalize()
            .map_err(|error| git2::Error::from_str(&error.to_string()))?;
        let root = root
            .canonicalize()
            .map_err(|error| git2::Error::from_str(&error.to_string()))?;
        let Ok(inside) = root.strip_prefix(&workdir) else {
            return Ok(None);
        };
        let mut prefix = relative_path(Path::new(""), inside);
        if !prefix.is_empty() {
            prefix.push('/');
        }
        Ok(Some(GitContext {
            repo: Mutex::new(repo),
            prefix,
            workdir,
        }))
    }

    /// Regular files in the index under the scanned root, relative to it.
    pub fn tracked_files(&self) -> Result<Vec<String>, git2::Error> {
        let repo = self
            .repo
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let index = repo.index()?;
        let mut files = Vec::with_capacity(index.len());
        for entry in index.iter() {
            if !REGULAR_FILE_MODES.contains(&entry.mode) {
                continue;
            }
            let path = String::from_utf8_lossy(&entry.path);
            if let Some(relative) = path.strip_prefix(self.prefix.as_str()) {
                files.push(relative.to_owned());
            }
        }
        Ok(files)
    }

    /// Whether git's ignore rules cover `path` (relative to the scanned root). Tracking does
    /// not matter here: the question is whether `.gitignore` would have kept it out.
    pub fn is_ignored(&self, path: &str) -> Option<bool> {
        let repo = self
            .repo
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let full = format!("{}{path}", self.prefix);
        repo.is_path_ignored(Path::new(&full)).ok()
    }

    /// The scanned root relative to the work tree (`""` or `"sub/dir/"`).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The repository's work tree.
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }
}
