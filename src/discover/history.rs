//! Git history as a source: the lines every commit added and the paths it added, scanned
//! once each however many commits and branches share them, then grouped so that one secret
//! found in many commits is one finding with the list of commits.
//!
//! Takes a repository path, the [`Engine`] and [`HistoryOptions`]; gives back a
//! [`HistoryReport`]. Read-only. Commits are diffed against their first parent (the root
//! commit against the empty tree), in parallel, each worker with its own repository handle.
//! Broken or partial repositories (shallow clones, missing objects) are scanned as far as
//! they can be, and what could not be read is reported.

use super::diff::{FragmentCache, scan_diff};
use super::{SkipReason, Skipped};
use crate::engine::{Engine, is_binary};
use crate::error::HardenError;
use crate::findings::{CommitInfo, Finding, HistoryInfo};
use git2::{DiffFindOptions, DiffOptions, Oid, Repository, Sort, Tree};
use rayon::prelude::*;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Which commits a history scan reads.
#[derive(Debug, Clone, Default)]
pub struct HistoryOptions {
    /// Only this branch (or any revision), instead of every branch and tag.
    pub branch: Option<String>,
    /// Only commits after this date (`YYYY-MM-DD`) or not reachable from this revision.
    pub since: Option<String>,
    /// At most this many commits, most recent first.
    pub max_commits: Option<usize>,
    /// Blobs larger than this are not read as text.
    pub max_file_size: u64,
}

/// Reports progress of a long scan (a progress bar on a terminal, nothing otherwise).
pub trait Progress: Sync {
    /// The scan will process `total` commits.
    fn start(&self, total: u64);
    /// One more commit done.
    fn advance(&self);
    /// The scan is over.
    fn finish(&self);
}

/// A progress reporter that reports nothing.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: u64) {}
    fn advance(&self) {}
    fn finish(&self) {}
}

/// What a history scan found.
#[derive(Debug, Default)]
pub struct HistoryReport {
    /// Findings, one per secret or file however many commits hold it.
    pub findings: Vec<Finding>,
    /// Commits or objects that could not be read, and other limits of the scan.
    pub skipped: Vec<Skipped>,
    /// Commits scanned.
    pub commits_scanned: usize,
    /// Findings silenced by inline `harden: ignore` comments.
    pub suppressed: usize,
}

/// Opens the repository at (or above) `path`, for history and staged scans.
pub fn open_repository(path: &Path) -> Result<Repository, HardenError> {
    // Reading, not fetching: objects are not re-hashed on every read (as git itself does
    // not); a quarter of a history scan went to SHA-1 before this.
    git2::opts::strict_hash_verification(false);
    Repository::discover(path).map_err(|error| HardenError::NotARepository {
        path: path.to_owned(),
        reason: error.message().to_owned(),
    })
}

/// Scans the history of the repository at `path`.
pub fn scan_history(
    engine: &Engine<'_>,
    path: &Path,
    options: &HistoryOptions,
    progress: &dyn Progress,
) -> Result<HistoryReport, HardenError> {
    let repo = open_repository(path)?;
    let repo_path = repo.path().to_owned();
    let mut report = HistoryReport::default();
    if repo.is_shallow() {
        report.skipped.push(note(
            ".",
            "shallow clone: commits before the shallow boundary are not available, and the boundary commits' files count as added there",
        ));
    }
    let commits = select_commits(&repo, options, &mut report.skipped)?;
    if commits.is_empty() {
        return Ok(report);
    }
    progress.start(commits.len() as u64);
    let cache = FragmentCache::default();
    let outcomes: Vec<CommitOutcome> = commits
        .par_iter()
        .map(|oid| {
            let outcome = with_repository(&repo_path, |repo| {
                scan_commit(repo, *oid, engine, options, &cache)
            });
            progress.advance();
            outcome.unwrap_or_else(|error| CommitOutcome {
                skipped: vec![note(
                    &format!("commit {oid}"),
                    &format!("unreadable: {}", error.message()),
                )],
                ..CommitOutcome::default()
            })
        })
        .collect();
    progress.finish();

    report.commits_scanned = commits.len();
    let mut occurrences = Vec::new();
    for outcome in outcomes {
        report.suppressed += outcome.suppressed;
        report.skipped.extend(outcome.skipped);
        occurrences.extend(outcome.findings);
    }
    report.findings = group(occurrences);
    mark_presence_at_head(&repo, engine, options, &mut report.findings);
    report.findings.sort_by(Finding::report_order);
    report.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(report)
}

fn note(path: &str, message: &str) -> Skipped {
    Skipped {
        path: path.to_owned(),
        reason: SkipReason::Git {
            error: message.to_owned(),
        },
    }
}

/// The commits to scan, most recent first.
fn select_commits(
    repo: &Repository,
    options: &HistoryOptions,
    skipped: &mut Vec<Skipped>,
) -> Result<Vec<Oid>, HardenError> {
    let git_error = |error: git2::Error| HardenError::NotARepository {
        path: repo.path().to_owned(),
        reason: error.message().to_owned(),
    };
    let mut walk = repo.revwalk().map_err(git_error)?;
    walk.set_sorting(Sort::TIME).map_err(git_error)?;
    let mut pushed = 0;
    match &options.branch {
        Some(branch) => {
            let commit = repo
                .revparse_single(branch)
                .and_then(|object| object.peel_to_commit())
                .map_err(|error| HardenError::UnknownRevision {
                    revision: branch.clone(),
                    reason: error.message().to_owned(),
                })?;
            walk.push(commit.id()).map_err(git_error)?;
            pushed += 1;
        }
        None => {
            // Every branch, tag and remote-tracking branch, and a detached HEAD.
            if let Ok(references) = repo.references() {
                for reference in references.flatten() {
                    if let Ok(commit) = reference.peel_to_commit()
                        && walk.push(commit.id()).is_ok()
                    {
                        pushed += 1;
                    }
                }
            }
            if let Ok(head) = repo.head()
                && let Ok(commit) = head.peel_to_commit()
                && walk.push(commit.id()).is_ok()
            {
                pushed += 1;
            }
        }
    }
    if pushed == 0 {
        skipped.push(note(".", "the repository has no commits yet"));
        return Ok(Vec::new());
    }
    let mut since_time = None;
    if let Some(since) = &options.since {
        match parse_date(since) {
            Some(seconds) => since_time = Some(seconds),
            None => {
                let commit = repo
                    .revparse_single(since)
                    .and_then(|object| object.peel_to_commit())
                    .map_err(|error| HardenError::UnknownRevision {
                        revision: since.clone(),
                        reason: error.message().to_owned(),
                    })?;
                walk.hide(commit.id()).map_err(git_error)?;
            }
        }
    }
    let mut commits = Vec::new();
    for oid in walk {
        let oid = match oid {
            Ok(oid) => oid,
            Err(error) => {
                skipped.push(note(
                    ".",
                    &format!("history walk stopped early: {}", error.message()),
                ));
                break;
            }
        };
        if let Some(since) = since_time {
            match repo.find_commit(oid) {
                Ok(commit) if commit.time().seconds() < since => continue,
                _ => {}
            }
        }
        commits.push(oid);
        if options.max_commits.is_some_and(|max| commits.len() >= max) {
            break;
        }
    }
    Ok(commits)
}

/// `YYYY-MM-DD` as seconds since the epoch (UTC midnight).
fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || text.len() != 10 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// A commit time as RFC 3339 with its own offset.
pub fn format_time(time: git2::Time) -> String {
    let offset_minutes = i64::from(time.offset_minutes());
    let local = time.seconds() + offset_minutes * 60;
    let days = local.div_euclid(86_400);
    let seconds = local.rem_euclid(86_400);
    // Inverse of days_from_civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60,
        offset_minutes.abs() / 60,
        offset_minutes.abs() % 60
    )
}

thread_local! {
    /// Each worker thread's own handle (git2 repositories are not shareable between threads).
    static REPOSITORY: RefCell<Option<(PathBuf, Repository)>> = const { RefCell::new(None) };
}

fn with_repository<T>(
    path: &Path,
    work: impl FnOnce(&Repository) -> Result<T, git2::Error>,
) -> Result<T, git2::Error> {
    REPOSITORY.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_none_or(|(open, _)| open != path) {
            *slot = Some((path.to_owned(), Repository::open(path)?));
        }
        match slot.as_ref() {
            Some((_, repo)) => work(repo),
            None => Err(git2::Error::from_str("repository handle unavailable")),
        }
    })
}

/// Findings of one commit (each stamped with it) and what could not be read.
#[derive(Default)]
struct CommitOutcome {
    findings: Vec<(i64, Finding)>,
    skipped: Vec<Skipped>,
    suppressed: usize,
}

fn scan_commit(
    repo: &Repository,
    oid: Oid,
    engine: &Engine<'_>,
    options: &HistoryOptions,
    cache: &FragmentCache,
) -> Result<CommitOutcome, git2::Error> {
    let commit = repo.find_commit(oid)?;
    let tree = commit.tree()?;
    let mut outcome = CommitOutcome::default();
    let parent_tree: Option<Tree<'_>> = if commit.parent_count() == 0 {
        None
    } else {
        match commit.parent(0).and_then(|parent| parent.tree()) {
            Ok(tree) => Some(tree),
            // A shallow boundary or a missing object: diff against nothing, and say so.
            Err(error) => {
                if !repo.is_shallow() {
                    outcome.skipped.push(note(
                        &format!("commit {oid}"),
                        &format!(
                            "parent unreadable ({}): diffed against an empty tree",
                            error.message()
                        ),
                    ));
                }
                None
            }
        }
    };
    let info = CommitInfo {
        id: oid.to_string(),
        author: format!(
            "{} <{}>",
            commit.author().name().unwrap_or("?"),
            commit.author().email().unwrap_or("?")
        ),
        date: format_time(commit.time()),
    };
    let mut diff_options = DiffOptions::new();
    diff_options.context_lines(0).ignore_submodules(true);
    let mut diff =
        repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut diff_options))?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true).copies(false)))?;
    let scanned = scan_diff(repo, &diff, engine, options.max_file_size, Some(cache))?;
    outcome.suppressed += scanned.suppressed;
    outcome.skipped.extend(scanned.skipped);
    let time = commit.time().seconds();
    for mut finding in scanned.findings {
        finding.commit = Some(info.clone());
        outcome.findings.push((time, finding));
    }
    Ok(outcome)
}

/// One finding per secret (by rule and credential) or per file (by rule and path), placed
/// where it first appeared, with every commit that added it.
fn group(mut occurrences: Vec<(i64, Finding)>) -> Vec<Finding> {
    occurrences
        .sort_by(|(a_time, a), (b_time, b)| a_time.cmp(b_time).then_with(|| a.report_order(b)));
    let mut groups: BTreeMap<(String, String), Finding> = BTreeMap::new();
    for (_, finding) in occurrences {
        let identity = finding
            .secret_digest
            .clone()
            .unwrap_or_else(|| format!("path:{}", finding.path));
        let commit_id = finding
            .commit
            .as_ref()
            .map(|commit| commit.id.clone())
            .unwrap_or_default();
        match groups.entry((finding.rule_id.clone(), identity)) {
            std::collections::btree_map::Entry::Occupied(mut entry) => {
                if let Some(history) = &mut entry.get_mut().history
                    && !history.commits.contains(&commit_id)
                {
                    history.commits.push(commit_id);
                }
            }
            std::collections::btree_map::Entry::Vacant(entry) => {
                let mut finding = finding;
                finding.history = Some(HistoryInfo {
                    commits: vec![commit_id],
                    present_at_head: None,
                });
                entry.insert(finding);
            }
        }
    }
    groups.into_values().collect()
}

/// Whether each finding is still in the tree at HEAD: the file at its path for file
/// findings, the same credential in the file at its path for secrets.
fn mark_presence_at_head(
    repo: &Repository,
    engine: &Engine<'_>,
    options: &HistoryOptions,
    findings: &mut [Finding],
) {
    let Ok(head_tree) = repo.head().and_then(|head| head.peel_to_tree()) else {
        return;
    };
    let mut head_scans: HashMap<String, Vec<Finding>> = HashMap::new();
    for finding in findings.iter_mut() {
        let entry = head_tree.get_path(Path::new(&finding.path)).ok();
        let present = match (&finding.secret_digest, entry) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(digest), Some(entry)) => {
                let scanned = head_scans.entry(finding.path.clone()).or_insert_with(|| {
                    repo.find_blob(entry.id())
                        .ok()
                        .filter(|blob| {
                            !is_binary(blob.content())
                                && blob.content().len() as u64 <= options.max_file_size
                        })
                        .map(|blob| {
                            engine
                                .scan_fragment(
                                    &finding.path,
                                    &String::from_utf8_lossy(blob.content()),
                                    1,
                                )
                                .findings
                        })
                        .unwrap_or_default()
                });
                scanned.iter().any(|found| {
                    found.rule_id == finding.rule_id && found.secret_digest.as_ref() == Some(digest)
                })
            }
        };
        if let Some(history) = &mut finding.history {
            history.present_at_head = Some(present);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2024-02-29"), Some(1_709_164_800));
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("HEAD~3"), None);
        assert_eq!(
            format_time(git2::Time::new(1_709_164_800 + 3661, 120)),
            "2024-02-29T03:01:01+02:00"
        );
        assert_eq!(
            format_time(git2::Time::new(0, -300)),
            "1969-12-31T19:00:00-05:00"
        );
    }
}
