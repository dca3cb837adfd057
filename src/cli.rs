//! Command-line interface: argument parsing, configuration merging, exit codes.
//!
//! `run` takes the arguments and the output streams and returns the exit code, so tests
//! drive the whole CLI in-process. Exit codes: 0 no finding at or above `--fail-on`,
//! 1 findings, 2 usage, configuration or rule error, or an unreadable target.

use crate::config::{ByteSize, Config, load_config};
use crate::error::{FileKind, FileProblem, HardenError};
use crate::pathglob::PathGlobs;
use crate::report::{self, Format, ReportInput};
use crate::rules::RuleSet;
use crate::rules::load::{RuleSources, load_rules};
use crate::scan::{DEFAULT_MAX_FILE_SIZE, ScanOptions, scan};
use crate::severity::Severity;
use clap::{Args, Parser, Subcommand};
use miette::{GraphicalReportHandler, GraphicalTheme};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

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
}

/// Where rules come from; shared by every subcommand.
#[derive(Debug, Args)]
struct RuleArgs {
    /// Extra rule directory or file (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    rule_dirs: Vec<PathBuf>,
    /// Do not load the built-in rules (only --rules and configured ones).
    #[arg(long)]
    no_default_rules: bool,
    /// Configuration file (default: harden.toml or [tool.harden] in pyproject.toml at the
    /// scanned root).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ScanArgs {
    /// Directory or file to scan.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Lowest severity that makes the run exit 1 [default: low].
    #[arg(long, value_enum)]
    fail_on: Option<Severity>,
    /// Print secrets in full (they are redacted by default).
    #[arg(long)]
    show_secrets: bool,
    /// No run summary on standard error.
    #[arg(long, short)]
    quiet: bool,
    /// Content of larger files is not scanned (e.g. 2097152, 512K, 4MiB) [default: 2MiB].
    #[arg(long, value_name = "SIZE", value_parser = ByteSize::parse)]
    max_file_size: Option<ByteSize>,
    /// Path glob to leave out (repeatable; added to the configured ones).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Rule id not to run (repeatable; added to the configured ones).
    #[arg(long, value_name = "RULE")]
    disable: Vec<String>,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    #[command(flatten)]
    rules: RuleArgs,
}

#[derive(Debug, Args)]
struct ExplainArgs {
    /// Rule id.
    rule: String,
    #[command(flatten)]
    rules: RuleArgs,
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
        Command::Scan(args) => run_scan(args, out, err, terminal),
        Command::Rules(args) => list_rules(&args, out),
        Command::Explain(args) => explain(&args, out),
    };
    match result {
        Ok(code) => code,
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
fn colour_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
}

fn run_scan(
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
    let options = ScanOptions {
        root: args.path.clone(),
        exclude,
        max_file_size: args
            .max_file_size
            .map(|size| size.0)
            .or(config.max_file_size)
            .unwrap_or(DEFAULT_MAX_FILE_SIZE),
        show_secrets: args.show_secrets,
        threads: args.threads,
    };
    let report = scan(&rules, &options)?;
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

fn load_rule_set(args: &RuleArgs, config: &Config) -> Result<RuleSet, HardenError> {
    let mut user_paths = config.rule_dirs.clone();
    user_paths.extend(args.rule_dirs.iter().cloned());
    load_rules(&RuleSources {
        builtin: !args.no_default_rules,
        user_paths,
    })
}

fn disable_rules(rules: &mut RuleSet, disabled: &[&String]) -> Result<(), HardenError> {
    if let Some(unknown) = disabled.iter().find(|id| rules.get(id).is_none()) {
        return Err(HardenError::UnknownRule {
            id: (*unknown).clone(),
        });
    }
    rules.retain(|rule| !disabled.iter().any(|id| **id == rule.id));
    Ok(())
}

fn list_rules(args: &RuleArgs, out: &mut dyn Write) -> Result<u8, HardenError> {
    let config = load_config(Path::new("."), args.config.as_deref())?;
    let rules = load_rule_set(args, &config)?;
    let width = rules
        .rules()
        .iter()
        .map(|rule| rule.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        writeln!(
            out,
            "{:<width$}  {:<6}  {:<8}  {:<8}  MESSAGE",
            "ID", "KIND", "SEVERITY", "CWE"
        )?;
        for rule in rules.rules() {
            writeln!(
                out,
                "{:<width$}  {:<6}  {:<8}  {:<8}  {}",
                rule.id,
                rule.kind.as_str(),
                rule.severity.as_str(),
                rule.cwe.join(","),
                rule.message
            )?;
        }
        writeln!(out, "\n{} rules.", rules.len())
    };
    write(out).map_err(|source| HardenError::Unwritable {
        path: PathBuf::from("<stdout>"),
        source,
    })?;
    Ok(EXIT_CLEAN)
}

fn explain(args: &ExplainArgs, out: &mut dyn Write) -> Result<u8, HardenError> {
    let config = load_config(Path::new("."), args.rules.config.as_deref())?;
    let rules = load_rule_set(&args.rules, &config)?;
    let rule = rules
        .get(&args.rule)
        .ok_or_else(|| HardenError::UnknownRule {
            id: args.rule.clone(),
        })?;
    let docs = &rule.docs;
    let mut text = format!(
        "{id} ({kind}, {severity}, {cwe})\n{message}\n\n## What it does\n\n{what}\n\n## Why is this bad\n\n{why}\n\n## Example\n\n{bad}\n\n## Use instead\n\n{good}\n\n## Remediation\n\n{remediation}\n\n## Fix safety\n\n{fix_safety}\n",
        id = rule.id,
        kind = rule.kind.as_str(),
        severity = rule.severity,
        cwe = rule.cwe.join(", "),
        message = rule.message,
        what = docs.what.trim(),
        why = docs.why.trim(),
        bad = indent(&docs.bad),
        good = indent(&docs.good),
        remediation = docs.remediation.trim(),
        fix_safety = docs.fix_safety.trim(),
    );
    if !docs.references.is_empty() {
        text.push_str("\n## References\n\n");
        for reference in &docs.references {
            text.push_str(&format!("- {reference}\n"));
        }
    }
    out.write_all(text.as_bytes())
        .map_err(|source| HardenError::Unwritable {
            path: PathBuf::from("<stdout>"),
            source,
        })?;
    Ok(EXIT_CLEAN)
}

fn indent(block: &str) -> String {
    block
        .trim_end()
        .lines()
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("    {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
