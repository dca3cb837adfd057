//! Span-carrying diagnostics for one rule file, shared by the compilers of every rule kind.

use super::lazy_regex::{LazyRegex, build};
use crate::error::{FileKind, FileProblem, HardenError};
use crate::pathglob::PathGlobs;
use std::ops::Range;
use toml::Spanned;

/// Builds span-carrying diagnostics for one rule file.
pub(super) struct Checker<'a> {
    /// Path shown in messages.
    pub path: &'a str,
    /// The rule file's text.
    pub text: &'a str,
    /// Built-in rule: regexes are checked for syntax now and compiled on first use (the
    /// test suite compiles them all); a user rule's are compiled now.
    pub builtin: bool,
}

impl Checker<'_> {
    /// A problem at a spanned value.
    pub fn at<T>(&self, spanned: &Spanned<T>, message: String, help: &str) -> HardenError {
        problem(
            self.path,
            self.text,
            Some(spanned.span()),
            message,
            help,
            "here",
        )
    }

    /// A problem about the whole file (no better span known).
    pub fn problem_here(&self, message: String, help: &str) -> HardenError {
        problem(self.path, self.text, None, message, help, "here")
    }

    /// Compiles a regex (a built-in rule's: checks its syntax, compiles it on first use),
    /// or records why it does not compile.
    pub fn regex(
        &self,
        pattern: &Spanned<String>,
        errors: &mut Vec<HardenError>,
    ) -> Option<LazyRegex> {
        let checked = if self.builtin {
            // The syntax tree only: translating it (Unicode classes, case folding) costs
            // nearly as much as compiling.
            regex_syntax::ast::parse::Parser::new()
                .parse(pattern.get_ref())
                .map(|_| LazyRegex::deferred(pattern.get_ref()))
                .map_err(|error| error.to_string())
        } else {
            build(pattern.get_ref())
                .map(LazyRegex::compiled)
                .map_err(|error| error.to_string())
        };
        match checked {
            Ok(regex) => Some(regex),
            Err(error) => {
                let detail = error
                    .lines()
                    .last()
                    .unwrap_or("invalid regex")
                    .trim()
                    .trim_start_matches("error: ")
                    .to_owned();
                errors.push(problem(self.path, self.text, Some(pattern.span()), format!("invalid regex: {detail}"), "the syntax is Rust `regex` (no look-around or back-references); see https://docs.rs/regex/#syntax", "this regex"));
                None
            }
        }
    }

    /// Compiles path globs, or records why they do not compile.
    pub fn globs(
        &self,
        patterns: &[Spanned<String>],
        errors: &mut Vec<HardenError>,
    ) -> Option<PathGlobs> {
        let raw: Vec<&str> = patterns
            .iter()
            .map(|pattern| pattern.get_ref().as_str())
            .collect();
        match PathGlobs::new(&raw) {
            Ok(globs) => Some(globs),
            Err(error) => {
                let span = patterns.get(error.index).map(Spanned::span);
                errors.push(problem(
                    self.path,
                    self.text,
                    span,
                    format!("invalid glob: {}", error.message),
                    "globs use `*`, `**`, `?`, `[abc]` and `{a,b}`",
                    "this glob",
                ));
                None
            }
        }
    }
}

/// A rule-file problem at `span`.
pub(super) fn problem(
    path: &str,
    text: &str,
    span: Option<Range<usize>>,
    message: String,
    help: &str,
    label: &str,
) -> HardenError {
    FileProblem::new(FileKind::Rule, path, text, span, message)
        .with_help(help)
        .with_label(label)
        .into()
}
