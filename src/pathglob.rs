//! Path globs as rule and configuration files write them.
//!
//! A glob without `/` matches a file name at any depth (`.env.*`, `*.pem`); a glob with `/`
//! matches the whole path relative to the scanned root (`tests/fixtures/**`, `/config.json`
//! with the leading `/` ignored). Paths are always relative and use forward slashes.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// A compiled set of path globs.
#[derive(Debug, Clone)]
pub struct PathGlobs {
    names: GlobSet,
    paths: GlobSet,
    empty: bool,
}

/// A glob that failed to compile: its index in the input list and the reason.
#[derive(Debug)]
pub struct GlobError {
    /// Index of the bad glob in the list passed to [`PathGlobs::new`].
    pub index: usize,
    /// What is wrong with it.
    pub message: String,
}

impl PathGlobs {
    /// Compiles `patterns`.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<PathGlobs, GlobError> {
        let mut names = GlobSetBuilder::new();
        let mut paths = GlobSetBuilder::new();
        for (index, pattern) in patterns.iter().enumerate() {
            let pattern = pattern.as_ref();
            let to_error = |error: globset::Error| GlobError {
                index,
                message: error.kind().to_string(),
            };
            if pattern.is_empty() {
                return Err(GlobError {
                    index,
                    message: "empty glob".to_owned(),
                });
            }
            let anchored = pattern.trim_start_matches('/');
            if pattern.contains('/') {
                paths.add(build(anchored).map_err(to_error)?);
            } else {
                names.add(build(pattern).map_err(to_error)?);
            }
        }
        let build_set = |builder: GlobSetBuilder| {
            builder.build().map_err(|error| GlobError {
                index: 0,
                message: error.to_string(),
            })
        };
        Ok(PathGlobs {
            names: build_set(names)?,
            paths: build_set(paths)?,
            empty: patterns.is_empty(),
        })
    }

    /// An empty set that matches nothing.
    pub fn none() -> PathGlobs {
        PathGlobs {
            names: GlobSet::empty(),
            paths: GlobSet::empty(),
            empty: true,
        }
    }

    /// Whether the set has no glob at all.
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// Whether `path` (relative, forward slashes) matches any glob.
    pub fn is_match(&self, path: &str) -> bool {
        if self.empty {
            return false;
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        self.names.is_match(name) || self.paths.is_match(path)
    }
}

fn build(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_globs_match_at_any_depth() {
        let globs = PathGlobs::new(&[".env.*", "*.pem"]).unwrap();
        assert!(globs.is_match(".env.production"));
        assert!(globs.is_match("deploy/.env.local"));
        assert!(globs.is_match("a/b/server.pem"));
        assert!(!globs.is_match(".env"));
        assert!(!globs.is_match("src/env.py"));
    }

    #[test]
    fn path_globs_are_anchored_at_the_root() {
        let globs = PathGlobs::new(&["tests/**", "/config.json"]).unwrap();
        assert!(globs.is_match("tests/a/b.py"));
        assert!(!globs.is_match("src/tests/b.py"));
        assert!(globs.is_match("config.json"));
        assert!(!globs.is_match("sub/config.json"));
    }

    #[test]
    fn bad_globs_name_their_index() {
        let error = PathGlobs::new(&["ok", "a[b"]).unwrap_err();
        assert_eq!(error.index, 1);
    }
}
