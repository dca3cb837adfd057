//! The scan of a working tree: discovery, then every file through every matcher, in
//! parallel, then suppression and sorting.
//!
//! Takes a [`RuleSet`] and [`ScanOptions`], gives back a [`ScanReport`]. The matching itself
//! is the [`Engine`]'s, which knows nothing about disks.

use crate::discover::git::GitContext;
use crate::discover::walk::{Candidate, walk};
use crate::discover::{SkipReason, Skipped};
use crate::engine::{Engine, is_binary};
use crate::error::HardenError;
use crate::findings::Finding;
use crate::matchers::file::IgnoreOracle;
use crate::pathglob::PathGlobs;
use crate::rules::RuleSet;
use rayon::prelude::*;
use std::collections::HashSet;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Default size limit for reading a file's content: 2 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 2 * 1024 * 1024;

/// What to scan and how.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Directory (or single file) to scan.
    pub root: PathBuf,
    /// Paths to leave out, relative to the root.
    pub exclude: PathGlobs,
    /// Files larger than this get only file-name and magic-number rules.
    pub max_file_size: u64,
    /// Print credentials in full instead of masked.
    pub show_secrets: bool,
    /// Worker threads (0: one per core).
    pub threads: usize,
}

/// Everything a scan found, ready for a reporter.
#[derive(Debug, Default)]
pub struct ScanReport {
    /// Findings, in report order.
    pub findings: Vec<Finding>,
    /// What was skipped and why, by path.
    pub skipped: Vec<Skipped>,
    /// Files whose content was scanned.
    pub files_scanned: usize,
    /// Findings silenced by inline `harden: ignore` comments.
    pub suppressed: usize,
    /// Number of rules that ran.
    pub rules_run: usize,
    /// The scanned root relative to its git work tree (`""` or `"sub/dir/"`), so SARIF
    /// paths resolve from the repository root.
    pub repo_prefix: String,
    /// What was scanned.
    pub mode: ScanMode,
    /// Commits read, for history scans.
    pub commits_scanned: Option<usize>,
    /// Findings left out because a baseline lists them.
    pub baselined: usize,
    /// The diff of each finding's fix, by fingerprint (only when asked for).
    pub fix_diffs: std::collections::HashMap<String, String>,
}

/// What a report is about.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum ScanMode {
    /// The files of a working tree.
    #[default]
    WorkingTree,
    /// What the commits of a repository added.
    History,
    /// What is staged for the next commit.
    Staged,
}

/// Scans a working tree (or one file).
pub fn scan(rules: &RuleSet, options: &ScanOptions) -> Result<ScanReport, HardenError> {
    let metadata = std::fs::metadata(&options.root).map_err(|source| HardenError::Unreadable {
        path: options.root.clone(),
        source,
    })?;
    let (walk_root, mut candidates, mut skipped) = if metadata.is_file() {
        let name = options
            .root
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let candidate = Candidate {
            abs: options.root.clone(),
            rel: name,
            size: metadata.len(),
        };
        let parent = options
            .root
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        (parent.to_owned(), vec![candidate], Vec::new())
    } else {
        let result = walk(&options.root, &options.exclude, options.threads);
        (options.root.clone(), result.candidates, result.skipped)
    };

    let git = match GitContext::discover(&walk_root) {
        Ok(git) => git,
        Err(error) => {
            skipped.push(Skipped {
                path: ".".to_owned(),
                reason: SkipReason::Git {
                    error: error.message().to_owned(),
                },
            });
            None
        }
    };
    if let (Some(git), true) = (&git, metadata.is_dir()) {
        add_tracked_files(
            git,
            &walk_root,
            &options.exclude,
            &mut candidates,
            &mut skipped,
        );
    }
    let is_ignored = |path: &str| git.as_ref().and_then(|git| git.is_ignored(path));

    let engine = Engine::new(rules, options.show_secrets);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()
        .map_err(|error| HardenError::Unreadable {
            path: options.root.clone(),
            source: std::io::Error::other(error.to_string()),
        })?;
    let outcomes: Vec<FileOutcome> = pool.install(|| {
        candidates
            .par_iter()
            .map(|candidate| scan_candidate(&engine, candidate, options.max_file_size, &is_ignored))
            .collect()
    });

    let mut report = ScanReport {
        rules_run: rules.len(),
        repo_prefix: git
            .as_ref()
            .map(|git| git.prefix().to_owned())
            .unwrap_or_default(),
        ..ScanReport::default()
    };
    for outcome in outcomes {
        report.findings.extend(outcome.findings);
        report.suppressed += outcome.suppressed;
        report.files_scanned += usize::from(outcome.scanned);
        skipped.extend(outcome.skipped);
    }
    report.findings.sort_by(Finding::report_order);
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    report.skipped = skipped;
    Ok(report)
}

/// Adds tracked files the walk left out because `.gitignore` lists them: what is in the
/// index is in the repository, ignored or not.
fn add_tracked_files(
    git: &GitContext,
    root: &Path,
    exclude: &PathGlobs,
    candidates: &mut Vec<Candidate>,
    skipped: &mut Vec<Skipped>,
) {
    let tracked = match git.tracked_files() {
        Ok(tracked) => tracked,
        Err(error) => {
            skipped.push(Skipped {
                path: ".".to_owned(),
                reason: SkipReason::Git {
                    error: format!("index unreadable: {}", error.message()),
                },
            });
            return;
        }
    };
    let known: HashSet<&str> = candidates
        .iter()
        .map(|candidate| candidate.rel.as_str())
        .collect();
    let skipped_paths: HashSet<&str> = skipped.iter().map(|skip| skip.path.as_str()).collect();
    let mut extra = Vec::new();
    for rel in tracked {
        if known.contains(rel.as_str())
            || skipped_paths.contains(rel.as_str())
            || exclude.is_match(&rel)
            || is_in_vcs_dir(&rel)
        {
            continue;
        }
        let abs = root.join(&rel);
        // Deleted from the work tree but still staged: nothing on disk to scan.
        if let Ok(metadata) = std::fs::symlink_metadata(&abs)
            && metadata.is_file()
        {
            extra.push(Candidate {
                abs,
                rel,
                size: metadata.len(),
            });
        }
    }
    candidates.extend(extra);
    candidates.sort_by(|a, b| a.rel.cmp(&b.rel));
}

fn is_in_vcs_dir(rel: &str) -> bool {
    rel.split('/').any(|part| part == ".git")
}

/// What scanning one file produced.
struct FileOutcome {
    findings: Vec<Finding>,
    skipped: Option<Skipped>,
    suppressed: usize,
    scanned: bool,
}

fn scan_candidate(
    engine: &Engine<'_>,
    candidate: &Candidate,
    max_file_size: u64,
    is_ignored: IgnoreOracle<'_>,
) -> FileOutcome {
    let skip = |reason: SkipReason| Skipped {
        path: candidate.rel.clone(),
        reason,
    };
    let unreadable = |error: std::io::Error| FileOutcome {
        findings: Vec::new(),
        skipped: Some(skip(SkipReason::Unreadable {
            error: error.to_string(),
        })),
        suppressed: 0,
        scanned: false,
    };
    if candidate.size > max_file_size {
        let reason = SkipReason::TooLarge {
            size: candidate.size,
            limit: max_file_size,
        };
        let head = match read_head(&candidate.abs, engine.head_len) {
            Ok(head) => head,
            Err(error) => return unreadable(error),
        };
        return FileOutcome {
            findings: engine.scan_file_rules(&candidate.rel, &head, None, is_ignored),
            skipped: Some(skip(reason)),
            suppressed: 0,
            scanned: false,
        };
    }
    let bytes = match read_limited(&candidate.abs, max_file_size) {
        Ok(bytes) => bytes,
        Err(error) => return unreadable(error),
    };
    if is_binary(&bytes) {
        return FileOutcome {
            findings: engine.scan_file_rules(&candidate.rel, &bytes, None, is_ignored),
            skipped: Some(skip(SkipReason::Binary)),
            suppressed: 0,
            scanned: false,
        };
    }
    let (text, skipped) = match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(error) => (
            String::from_utf8_lossy(error.as_bytes()).into_owned(),
            Some(skip(SkipReason::InvalidUtf8)),
        ),
    };
    let scan = engine.scan_text(&candidate.rel, &text, is_ignored);
    FileOutcome {
        findings: scan.findings,
        skipped,
        suppressed: scan.suppressed,
        scanned: true,
    }
}

fn read_head(path: &Path, len: usize) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(len);
    File::open(path)?.take(len as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Reads at most `limit` bytes (the file may have grown since it was measured).
fn read_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    File::open(path)?.take(limit).read_to_end(&mut bytes)?;
    Ok(bytes)
}
