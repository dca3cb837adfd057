//! The errors `harden` reports instead of panicking: bad rule files, bad configuration,
//! unreadable targets. Each is a miette diagnostic with a help line; the ones about a file
//! the user wrote carry its text and the span at fault.

use miette::{Diagnostic, NamedSource, SourceSpan};
use std::ops::Range;
use std::path::PathBuf;
use thiserror::Error;

/// Everything that stops a run with exit code 2.
#[derive(Debug, Error, Diagnostic)]
pub enum HardenError {
    /// A rule file that does not parse or does not validate.
    #[error("{location}: {message}")]
    #[diagnostic(code(harden::invalid_rule), help("{help}"))]
    InvalidRule {
        /// `path:line:column` of the problem.
        location: String,
        /// What is wrong.
        message: String,
        /// How to fix it.
        help: String,
        /// The rule file, for the excerpt.
        #[source_code]
        src: NamedSource<String>,
        /// Where in the file.
        #[label("{label}")]
        span: Option<SourceSpan>,
        /// Short text under the excerpt.
        label: String,
    },

    /// A `harden.toml` or `[tool.harden]` table that does not parse or validate.
    #[error("{location}: {message}")]
    #[diagnostic(code(harden::invalid_config), help("{help}"))]
    InvalidConfig {
        /// `path:line:column` of the problem.
        location: String,
        /// What is wrong.
        message: String,
        /// How to fix it.
        help: String,
        /// The configuration file, for the excerpt.
        #[source_code]
        src: NamedSource<String>,
        /// Where in the file.
        #[label("{label}")]
        span: Option<SourceSpan>,
        /// Short text under the excerpt.
        label: String,
    },

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

/// A problem at a span of a user-written file, turned into a [`HardenError`] with the
/// location spelled out (so it is named even where the excerpt cannot be drawn).
pub struct FileProblem<'a> {
    /// Rule or configuration file.
    pub kind: FileKind,
    /// Path shown to the user.
    pub path: &'a str,
    /// The file's text.
    pub text: &'a str,
    /// Byte range at fault, if known.
    pub span: Option<Range<usize>>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
    /// Short text under the excerpt.
    pub label: &'a str,
}

impl FileProblem<'_> {
    /// Builds the diagnostic.
    pub fn into_error(self) -> HardenError {
        let location = match &self.span {
            Some(span) => {
                let (line, column) = line_column(self.text, span.start);
                format!("{}:{line}:{column}", self.path)
            }
            None => self.path.to_owned(),
        };
        let src = NamedSource::new(self.path, self.text.to_owned());
        let span = self
            .span
            .map(|range| SourceSpan::from(range.start..range.end.max(range.start)));
        let label = self.label.to_owned();
        match self.kind {
            FileKind::Rule => HardenError::InvalidRule {
                location,
                message: self.message,
                help: self.help,
                src,
                span,
                label,
            },
            FileKind::Config => HardenError::InvalidConfig {
                location,
                message: self.message,
                help: self.help,
                src,
                span,
                label,
            },
        }
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
