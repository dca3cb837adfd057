//! `harden scan`: the working tree, the git history (`--history`) or the staged change
//! (`--staged`), reported in the chosen format; the exit code says whether anything at or
//! above `--fail-on` was found.

use super::{disable_rules, load_rule_set};
use crate::cli::{EXIT_CLEAN, EXIT_FINDINGS, ScanArgs, Terminal, colour_allowed};
use crate::config::load_config;
use crate::discover::history::{HistoryOptions, scan_history};
use crate::discover::staged::scan_staged;
use crate::engine::Engine;
use crate::error::{FileKind, FileProblem, HardenError};
use crate::pathglob::PathGlobs;
use crate::report::progress::ProgressBar;
use crate::report::{self, ReportInput};
use crate::rules::RuleSet;
use crate::scan::{DEFAULT_MAX_FILE_SIZE, ScanMode, ScanOptions, ScanReport, scan};
use crate::severity::Severity;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// Runs `harden scan`.
pub fn run(
    args: ScanArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    terminal: Terminal,
) -> Result<u8, HardenError> {
    let started = Instant::now();
    if !args.path.exists() {
        return Err(HardenError::Unreadable {
            path: args.path.clone(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
        });
    }
    let config = load_config(&args.path, args.rules.config.as_deref())?;
    let mut rules = load_rule_set(&args.rules, &config)?;
    let disabled: Vec<&String> = config.disable.iter().chain(&args.disable).collect();
    disable_rules(&mut rules, &disabled)?;
    let exclude_globs: Vec<&String> = config.exclude.iter().chain(&args.exclude).collect();
    let exclude = PathGlobs::new(&exclude_globs).map_err(|error| {
        let glob = exclude_globs
            .get(error.index)
            .map_or("", |glob| glob.as_str());
        let message = format!("invalid exclude glob `{glob}`: {}", error.message);
        let source = config
            .source
            .as_ref()
            .map_or("--exclude".to_owned(), |path| path.display().to_string());
        HardenError::from(
            FileProblem::new(FileKind::Config, &source, "", None, message)
                .with_help("globs use `*`, `**`, `?`, `[abc]` and `{a,b}`"),
        )
    })?;
    let max_file_size = args
        .max_file_size
        .map(|size| size.0)
        .or(config.max_file_size)
        .unwrap_or(DEFAULT_MAX_FILE_SIZE);
    let report = if args.history || args.staged {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(args.threads)
            .build()
            .map_err(|error| HardenError::Unreadable {
                path: args.path.clone(),
                source: std::io::Error::other(error.to_string()),
            })?;
        pool.install(|| repository_scan(&args, &rules, &exclude, max_file_size, terminal))?
    } else {
        let options = ScanOptions {
            root: args.path.clone(),
            exclude,
            max_file_size,
            show_secrets: args.show_secrets,
            threads: args.threads,
        };
        scan(&rules, &options)?
    };

    let root = args.path.display().to_string();
    let input = ReportInput {
        report: &report,
        rules: &rules,
        root: &root,
    };
    match &args.output {
        Some(path) => {
            let mut buffer = Vec::new();
            report::render(args.format, &input, false, &mut buffer)
                .and_then(|()| std::fs::write(path, &buffer))
                .map_err(|source| HardenError::Unwritable {
                    path: path.clone(),
                    source,
                })?;
        }
        None => {
            let color = terminal.stdout && colour_allowed();
            report::render(args.format, &input, color, out).map_err(|source| {
                HardenError::Unwritable {
                    path: PathBuf::from("<stdout>"),
                    source,
                }
            })?;
        }
    }
    if !args.quiet {
        let _ = report::run_summary::render(&report, started.elapsed(), err);
    }
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(Severity::Low);
    let failing = report
        .findings
        .iter()
        .any(|finding| finding.severity >= fail_on);
    Ok(if failing { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// A history or staged scan, as a report like the working tree's.
fn repository_scan(
    args: &ScanArgs,
    rules: &RuleSet,
    exclude: &PathGlobs,
    max_file_size: u64,
    terminal: Terminal,
) -> Result<ScanReport, HardenError> {
    let engine = Engine::new(rules, args.show_secrets);
    let mut report = if args.history {
        let options = HistoryOptions {
            branch: args.branch.clone(),
            since: args.since.clone(),
            max_commits: args.max_commits,
            max_file_size,
        };
        let progress =
            ProgressBar::new((terminal.stderr && !args.quiet) || args.progress, "commits");
        let history = scan_history(&engine, &args.path, &options, &progress)?;
        ScanReport {
            findings: history.findings,
            skipped: history.skipped,
            suppressed: history.suppressed,
            commits_scanned: Some(history.commits_scanned),
            mode: ScanMode::History,
            ..ScanReport::default()
        }
    } else {
        let staged = scan_staged(&engine, &args.path, max_file_size)?;
        ScanReport {
            findings: staged.findings,
            skipped: staged.skipped,
            suppressed: staged.suppressed,
            files_scanned: staged.files,
            mode: ScanMode::Staged,
            ..ScanReport::default()
        }
    };
    report.rules_run = rules.len();
    report
        .findings
        .retain(|finding| !exclude.is_match(&finding.path));
    Ok(report)
}
