//! The errors `harden` reports instead of panicking: bad rule files, bad configuration,
//! unreadable targets. Each is a miette diagnostic with a help line; the ones about a file
//! the user wrote carry its text and the span at fault.

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode, SourceSpan};
use std::fmt;
use std::ops::Range;
use std::path::PathBuf;
use thiserror::Error;

/// Everything that stops a run with exit code 2.
#[derive(Debug, Error, Diagnostic)]
pub enum HardenError {
    /// A rule file or configuration file that does not parse or validate.
    #[error(transparent)]
    #[diagnostic(transparent)]
    InvalidFile(Box<FileProblem>),

    /// Several rule or configuration errors, all reported at once.
    #[error("{} rule file problem(s); no scan was run", errors.len())]
    #[diagnostic(
        code(harden::invalid_rules),
        help("fix the rule files above, or leave them out of --rules")
    )]
    Many {
        /// The individual errors.
        #[related]
        errors: Vec<HardenError>,
    },

    /// A rule id named on the command line or in configuration that no rule has.
    #[error("unknown rule `{id}`")]
    #[diagnostic(code(harden::unknown_rule), help("`harden rules` lists the rule ids"))]
    UnknownRule {
        /// The id as given.
        id: String,
    },

    /// The scan target or an input file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    #[diagnostic(
        code(harden::unreadable),
        help("check that the path exists and that you may read it")
    )]
    Unreadable {
        /// The path.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },

    /// A history or staged scan of something that is not a readable git repository.
    #[error("{}: not a usable git repository ({reason})", path.display())]
    #[diagnostic(
        code(harden::not_a_repository),
        help(
            "history and staged scans need a git repository: point at a clone, or scan the directory without --history/--staged"
        )
    )]
    NotARepository {
        /// The path given.
        path: PathBuf,
        /// What git reported.
        reason: String,
    },

    /// A `--branch` or `--since` revision that does not resolve to a commit.
    #[error("unknown revision `{revision}` ({reason})")]
    #[diagnostic(
        code(harden::unknown_revision),
        help(
            "give a branch, tag or commit id (`git rev-parse REV` must succeed), or a date as YYYY-MM-DD"
        )
    )]
    UnknownRevision {
        /// The revision as given.
        revision: String,
        /// What git reported.
        reason: String,
    },

    /// `install-hook` would replace a hook the user has.
    #[error("{} already exists", path.display())]
    #[diagnostic(
        code(harden::hook_exists),
        help(
            "keep it and call `harden scan --staged` from it, or replace it with `harden install-hook --force`"
        )
    )]
    HookExists {
        /// The existing hook.
        path: PathBuf,
    },

    /// The report cannot be written.
    #[error("cannot write the report to {}: {source}", path.display())]
    #[diagnostic(code(harden::unwritable), help("check the --output path"))]
    Unwritable {
        /// Where we tried to write.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
}

/// Which kind of user file a [`FileProblem`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A rule file.
    Rule,
    /// A configuration file.
    Config,
}

/// A problem at a span of a user-written file. Its message spells out `path:line:column`
/// so the place is named even where the excerpt cannot be drawn.
#[derive(Debug)]
pub struct FileProblem {
    kind: FileKind,
    location: String,
    message: String,
    help: String,
    src: NamedSource<String>,
    span: Option<SourceSpan>,
    label: String,
}

impl FileProblem {
    /// Builds the diagnostic for `message` at `span` (a byte range) of `text`, the content
    /// of the file shown as `path`.
    pub fn new(
        kind: FileKind,
        path: &str,
        text: &str,
        span: Option<Range<usize>>,
        message: String,
    ) -> FileProblem {
        let location = match &span {
            Some(span) => {
                let (line, column) = line_column(text, span.start);
                format!("{path}:{line}:{column}")
            }
            None => path.to_owned(),
        };
        FileProblem {
            kind,
            location,
            message,
            help: String::new(),
            src: NamedSource::new(path, text.to_owned()),
            span: span.map(|range| SourceSpan::from(range.start..range.end.max(range.start))),
            label: "here".to_owned(),
        }
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> FileProblem {
        self.help = help.into();
        self
    }

    /// Sets the text under the excerpt.
    pub fn with_label(mut self, label: impl Into<String>) -> FileProblem {
        self.label = label.into();
        self
    }

    /// The message, without location.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<FileProblem> for HardenError {
    fn from(problem: FileProblem) -> HardenError {
        HardenError::InvalidFile(Box::new(problem))
    }
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for FileProblem {}

impl Diagnostic for FileProblem {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(match self.kind {
            FileKind::Rule => "harden::invalid_rule",
            FileKind::Config => "harden::invalid_config",
        }))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.help.is_empty()).then(|| Box::new(&self.help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.span.is_some().then_some(&self.src as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.label.clone()),
            span,
        ))))
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}
