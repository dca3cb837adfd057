//! What a diff adds, through the engine: the file rules on every path it adds, the secret
//! rules on every run of added lines. Shared by the history scan (commit against parent) and
//! the staged scan (index against HEAD).

use super::added_lines::added_runs;
use super::{SkipReason, Skipped};
use crate::engine::{Engine, is_binary};
use crate::findings::Finding;
use git2::{Delta, Diff, Repository};
use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

/// Findings of fragments already scanned, by path, position and text: a hunk shared by many
/// commits (cherry-picks, rebased branches) is scanned once.
#[derive(Default)]
pub struct FragmentCache {
    entries: Mutex<HashMap<u64, Vec<Finding>>>,
}

impl FragmentCache {
    fn get(&self, key: u64) -> Option<Vec<Finding>> {
        self.entries
            .lock()
            .ok()
            .and_then(|entries| entries.get(&key).cloned())
    }

    fn insert(&self, key: u64, findings: &[Finding]) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(key, findings.to_vec());
        }
    }
}

/// Findings of one diff.
#[derive(Default)]
pub struct DiffScan {
    /// Findings, positions in the new side of the diff.
    pub findings: Vec<Finding>,
    /// Blobs that could not be read.
    pub skipped: Vec<Skipped>,
    /// Findings silenced inline.
    pub suppressed: usize,
}

/// Scans what `diff` adds. Blobs larger than `max_file_size` only get the file rules.
pub fn scan_diff(
    repo: &Repository,
    diff: &Diff<'_>,
    engine: &Engine<'_>,
    max_file_size: u64,
    cache: Option<&FragmentCache>,
) -> Result<DiffScan, git2::Error> {
    let mut scan = DiffScan::default();
    for delta in diff.deltas() {
        let Some(path) = delta
            .new_file()
            .path()
            .map(|path| path.to_string_lossy().replace('\\', "/"))
        else {
            continue;
        };
        let status = delta.status();
        if !matches!(
            status,
            Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied
        ) {
            continue;
        }
        let blob = match repo.find_blob(delta.new_file().id()) {
            Ok(blob) => blob,
            Err(error) => {
                scan.skipped.push(Skipped {
                    path: path.clone(),
                    reason: SkipReason::Git {
                        error: format!("blob unreadable: {}", error.message()),
                    },
                });
                continue;
            }
        };
        let content = blob.content();
        let binary = is_binary(content);
        let readable = !binary && content.len() as u64 <= max_file_size;
        if matches!(status, Delta::Added | Delta::Renamed | Delta::Copied) {
            let head = &content[..content.len().min(engine.head_len)];
            let text = readable
                .then(|| std::str::from_utf8(content).ok())
                .flatten();
            scan.findings
                .extend(engine.scan_file_rules(&path, head, text, &|_| None));
        }
        if !readable {
            continue;
        }
        let old_blob = match status {
            Delta::Added => None,
            _ => repo.find_blob(delta.old_file().id()).ok(),
        };
        let old_content = old_blob.as_ref().map_or(&[][..], |blob| blob.content());
        for (first_line, text) in added_runs(old_content, content) {
            let key = fragment_key(&path, first_line, &text);
            match cache.and_then(|cache| cache.get(key)) {
                Some(findings) => scan.findings.extend(findings),
                None => {
                    let fragment = engine.scan_fragment(&path, &text, first_line);
                    scan.suppressed += fragment.suppressed;
                    if let Some(cache) = cache {
                        cache.insert(key, &fragment.findings);
                    }
                    scan.findings.extend(fragment.findings);
                }
            }
        }
    }
    Ok(scan)
}

fn fragment_key(path: &str, first_line: usize, text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    (path, first_line, text).hash(&mut hasher);
    hasher.finish()
}
