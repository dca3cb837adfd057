//! `harden scan`: the working tree, the git history (`--history`) or the staged change
//! (`--staged`), reported in the chosen format; the exit code says whether anything at or
//! above `--fail-on` was found.

use super::{Setup, scan_root, setup};
use crate::baseline::Baseline;
use crate::cli::{EXIT_CLEAN, EXIT_FINDINGS, ScanArgs, Terminal, colour_allowed};
use crate::discover::history::{HistoryOptions, scan_history};
use crate::discover::staged::scan_staged;
use crate::engine::Engine;
use crate::error::HardenError;
use crate::fix::diff::unified_diff;
use crate::fix::plan::{FixOptions, plan};
use crate::fix::redaction::{mask_secrets, secrets_in};
use crate::fix::strategy::attach_gitignore_fixes;
use crate::pathglob::PathGlobs;
use crate::report::progress::ProgressBar;
use crate::report::{self, Format, ReportInput};
use crate::rules::RuleSet;
use crate::scan::{ScanMode, ScanOptions, ScanReport, scan};
use crate::severity::Severity;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Runs `harden scan`.
pub fn run(
    args: ScanArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    terminal: Terminal,
) -> Result<u8, HardenError> {
    let started = Instant::now();
    let Setup {
        config,
        rules,
        exclude,
        max_file_size,
    } = setup(
        &args.path,
        &args.rules,
        &args.exclude,
        &args.disable,
        args.max_file_size.map(|size| size.0),
    )?;
    let mut report = if args.history || args.staged {
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
        let mut report = scan(&rules, &options)?;
        attach_gitignore_fixes(scan_root(&args.path), &mut report.findings, &rules);
        report
    };
    let baseline_file = args.baseline.clone().or_else(|| config.baseline.clone());
    if let Some(path) = &baseline_file {
        report.baselined = Baseline::load(path)?.filter(&mut report.findings);
    }
    if args.show_fixes || args.format == Format::Markdown {
        report.fix_diffs = fix_diffs(scan_root(&args.path), &report, args.show_secrets);
    }

    let root = args.path.display().to_string();
    let input = ReportInput {
        report: &report,
        rules: &rules,
        root: &root,
        lang: args.lang,
    };
    if let Some(path) = &args.sarif_output {
        write_report(Format::Sarif, &input, path)?;
    }
    match &args.output {
        Some(path) => write_report(args.format, &input, path)?,
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
    // The process ends here: freeing every compiled rule and finding one by one would only
    // delay the exit (a few ms a pre-commit hook pays on every commit).
    std::mem::forget(rules);
    std::mem::forget(report);
    Ok(if failing { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// Renders the report in `format` into the file at `path` (no colour).
fn write_report(format: Format, input: &ReportInput, path: &Path) -> Result<(), HardenError> {
    let mut buffer = Vec::new();
    report::render(format, input, false, &mut buffer)
        .and_then(|()| std::fs::write(path, &buffer))
        .map_err(|source| HardenError::Unwritable {
            path: path.to_path_buf(),
            source,
        })
}

/// The diff of each finding's fix (by fingerprint), every applicability included, secrets
/// masked unless `show_secrets`.
fn fix_diffs(root: &Path, report: &ScanReport, show_secrets: bool) -> HashMap<String, String> {
    let secrets = if show_secrets {
        Vec::new()
    } else {
        secrets_in(root, &report.findings)
    };
    let options = FixOptions {
        unsafe_fixes: true,
        display_fixes: true,
        rules: Vec::new(),
    };
    report
        .findings
        .iter()
        .filter(|finding| finding.fix.is_some())
        .map(|finding| {
            (
                finding.fingerprint.clone(),
                mask_secrets(
                    &unified_diff(&plan(root, std::slice::from_ref(finding), &options).files),
                    &secrets,
                ),
            )
        })
        .filter(|(_, diff)| !diff.is_empty())
        .collect()
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
