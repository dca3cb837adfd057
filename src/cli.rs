//! Command-line interface: argument parsing, configuration merging, exit codes.
//!
//! `run` takes the arguments and the output streams and returns the exit code, so tests
//! drive the whole CLI in-process. Exit codes: 0 no finding at or above `--fail-on`,
//! 1 findings, 2 usage, configuration or rule error, or an unreadable target.

use crate::commands;
use crate::config::ByteSize;
use crate::error::HardenError;
use crate::report::{Format, Lang};
use crate::severity::Severity;
use clap::{Args, Parser, Subcommand};
use miette::{GraphicalReportHandler, GraphicalTheme};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

/// Exit code: nothing at or above `--fail-on`.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings at or above `--fail-on`.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage, configuration or rule error, or unreadable target.
pub const EXIT_ERROR: u8 = 2;

/// Which output streams are terminals (decides colour).
#[derive(Debug, Clone, Copy, Default)]
pub struct Terminal {
    /// Standard output is a terminal.
    pub stdout: bool,
    /// Standard error is a terminal.
    pub stderr: bool,
}

/// Security-hardening audit: finds committed secrets, sensitive files and risky code.
#[derive(Debug, Parser)]
#[command(name = "harden", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan a directory (or file) and report findings.
    Scan(ScanArgs),
    /// List the rules that would run.
    Rules(RuleArgs),
    /// Print the documentation of a rule.
    Explain(ExplainArgs),
    /// Print (or apply) the fixes the rules offer, as a unified diff.
    Fix(FixArgs),
    /// Write a baseline of the current findings, so later scans report only new ones.
    Baseline(BaselineArgs),
    /// Write a commented harden.toml, a pre-commit configuration and a GitHub workflow.
    Init(InitArgs),
    /// Install a git pre-commit hook that runs `harden scan --staged`.
    InstallHook(InstallHookArgs),
}

/// Where rules come from; shared by every subcommand.
#[derive(Debug, Args)]
pub(crate) struct RuleArgs {
    /// Extra rule directory or file (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    /// Do not load the built-in rules (only --rules and configured ones).
    #[arg(long)]
    pub no_default_rules: bool,
    /// Configuration file (default: harden.toml or [tool.harden] in pyproject.toml at the
    /// scanned root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// Directory or file to scan (with --history or --staged: a path in the repository).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write a SARIF report to FILE (one scan, two reports: e.g. text in the log and
    /// SARIF for code scanning).
    #[arg(long, value_name = "FILE")]
    pub sarif_output: Option<PathBuf>,
    /// Lowest severity that makes the run exit 1 [default: low].
    #[arg(long, value_enum)]
    pub fail_on: Option<Severity>,
    /// Print secrets in full (they are redacted by default).
    #[arg(long)]
    pub show_secrets: bool,
    /// No run summary on standard error.
    #[arg(long, short)]
    pub quiet: bool,
    /// Content of larger files is not scanned (e.g. 2097152, 512K, 4MiB) [default: 2MiB].
    #[arg(long, value_name = "SIZE", value_parser = ByteSize::parse)]
    pub max_file_size: Option<ByteSize>,
    /// Path glob to leave out (repeatable; added to the configured ones).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Rule id not to run (repeatable; added to the configured ones).
    #[arg(long, value_name = "RULE")]
    pub disable: Vec<String>,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Scan the git history instead of the working tree: the lines and files every commit
    /// added, on every branch and tag.
    #[arg(long, conflicts_with = "staged")]
    pub history: bool,
    /// With --history: only this branch (or any revision).
    #[arg(long, value_name = "REV", requires = "history")]
    pub branch: Option<String>,
    /// With --history: only commits after this date (YYYY-MM-DD) or not reachable from REV.
    #[arg(long, value_name = "DATE|REV", requires = "history")]
    pub since: Option<String>,
    /// With --history: at most N commits, most recent first.
    #[arg(long, value_name = "N", requires = "history")]
    pub max_commits: Option<usize>,
    /// Scan only what is staged for the next commit (the index against HEAD).
    #[arg(long)]
    pub staged: bool,
    /// Show a progress bar even when standard error is not a terminal.
    #[arg(long)]
    pub progress: bool,
    /// In the text report, show the diff of each finding's fix.
    #[arg(long)]
    pub show_fixes: bool,
    /// Leave out the findings listed in this baseline file (see `harden baseline`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Language of the markdown report.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
    #[command(flatten)]
    pub rules: RuleArgs,
}

#[derive(Debug, Args)]
pub(crate) struct FixArgs {
    /// Directory (or file) to fix.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Write the fixes instead of printing the diff.
    #[arg(long)]
    pub apply: bool,
    /// Include fixes that change behaviour (a secret then read from the environment, a
    /// file untracked, a check that refuses requests).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print secrets in full in the diff (masked by default, which keeps the patch from
    /// applying as-is where it removes a secret; --apply always writes the real change).
    #[arg(long)]
    pub show_secrets: bool,
    /// Only the fixes of this rule (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    pub rule: Vec<String>,
    /// Path glob to leave out (repeatable; added to the configured ones).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Rule id not to run (repeatable; added to the configured ones).
    #[arg(long, value_name = "RULE")]
    pub disable: Vec<String>,
    /// Content of larger files is not scanned [default: 2MiB].
    #[arg(long, value_name = "SIZE", value_parser = ByteSize::parse)]
    pub max_file_size: Option<ByteSize>,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    #[command(flatten)]
    pub rules: RuleArgs,
}

#[derive(Debug, Args)]
pub(crate) struct BaselineArgs {
    /// Directory to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Where to write the baseline [default: PATH/.harden-baseline.json].
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Path glob to leave out (repeatable; added to the configured ones).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Rule id not to run (repeatable; added to the configured ones).
    #[arg(long, value_name = "RULE")]
    pub disable: Vec<String>,
    #[command(flatten)]
    pub rules: RuleArgs,
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// The repository to set up.
    #[arg(default_value = ".")]
    pub path: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// Rule id.
    pub rule: String,
    #[command(flatten)]
    pub rules: RuleArgs,
}

#[derive(Debug, Args)]
pub(crate) struct InstallHookArgs {
    /// A path in the repository.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Replace an existing pre-commit hook.
    #[arg(long)]
    pub force: bool,
}

/// Runs the CLI with `args` (program name first); returns the exit code.
pub fn run<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write, terminal: Terminal) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
            let rendered = if terminal.stderr && colour_allowed() {
                error.render().ansi().to_string()
            } else {
                error.render().to_string()
            };
            let stream: &mut dyn Write = if error.use_stderr() { err } else { out };
            let _ = stream.write_all(rendered.as_bytes());
            return code;
        }
    };
    let result = match cli.command {
        Command::Scan(args) => commands::scan::run(args, out, err, terminal),
        Command::Rules(args) => commands::rules::list(&args, out),
        Command::Explain(args) => commands::rules::explain(&args, out),
        Command::Fix(args) => commands::fix::run(&args, out, err),
        Command::Baseline(args) => commands::baseline::run(&args, out),
        Command::Init(args) => commands::init::run(&args, out, err),
        Command::InstallHook(args) => commands::install_hook::run(&args, out),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`harden scan | head`): nothing left to say to it.
        Err(HardenError::Unwritable { source, .. })
            if source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            EXIT_CLEAN
        }
        Err(error) => {
            let theme = if terminal.stderr && colour_allowed() {
                GraphicalTheme::unicode()
            } else {
                GraphicalTheme::unicode_nocolor()
            };
            let mut rendered = String::new();
            let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
            if handler.render_report(&mut rendered, &error).is_err() {
                rendered = format!("error: {error}\n");
            }
            let _ = err.write_all(rendered.as_bytes());
            EXIT_ERROR
        }
    }
}

/// Colour is off when `NO_COLOR` is set to anything non-empty (https://no-color.org).
pub(crate) fn colour_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
}
