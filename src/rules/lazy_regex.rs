//! Regexes compiled on first use.
//!
//! Compiling the few hundred regexes of the built-in rules took most of a run's start-up
//! (~80 ms), which a pre-commit hook on a small change pays every time, while most of
//! them never run (their keywords are absent). Built-in rules are checked for syntax at
//! load and compiled when first used; user rules are compiled at load so their errors
//! (including the size limit) are reported with a span.

use regex::{Regex, RegexBuilder};
use std::fmt;
use std::ops::Deref;
use std::sync::OnceLock;

/// Regexes larger than this once compiled are refused (a rule, not a denial of service).
pub const REGEX_SIZE_LIMIT: usize = 8 << 20;

/// A regex compiled the first time it is used (or at once, see [`LazyRegex::compiled`]).
pub struct LazyRegex {
    pattern: String,
    regex: OnceLock<Regex>,
}

impl LazyRegex {
    /// A regex already compiled.
    pub fn compiled(regex: Regex) -> LazyRegex {
        let pattern = regex.as_str().to_owned();
        let cell = OnceLock::new();
        let _ = cell.set(regex);
        LazyRegex {
            pattern,
            regex: cell,
        }
    }

    /// A regex compiled on first use. `pattern` must have been validated (a built-in rule
    /// is compiled in the test suite); if it still fails to build, it matches nothing.
    pub fn deferred(pattern: &str) -> LazyRegex {
        LazyRegex {
            pattern: pattern.to_owned(),
            regex: OnceLock::new(),
        }
    }

    /// The pattern's source.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// The compiled regex.
    pub fn get(&self) -> &Regex {
        self.regex.get_or_init(|| {
            build(&self.pattern).unwrap_or_else(|_| {
                // An empty class: a regex that never matches, rather than a panic mid-scan.
                Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable!("constant regex"))
            })
        })
    }
}

/// Builds `pattern` with the size limit every rule regex has.
pub fn build(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
}

impl Deref for LazyRegex {
    type Target = Regex;

    fn deref(&self) -> &Regex {
        self.get()
    }
}

impl fmt::Debug for LazyRegex {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_tuple("LazyRegex")
            .field(&self.pattern)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_on_first_use() {
        let regex = LazyRegex::deferred("a+b");
        assert!(regex.regex.get().is_none());
        assert!(regex.is_match("xaab"));
        assert!(regex.regex.get().is_some());
        assert_eq!(regex.as_str(), "a+b");
    }

    #[test]
    fn an_invalid_deferred_regex_matches_nothing() {
        let regex = LazyRegex::deferred("(unclosed");
        assert!(!regex.is_match("(unclosed"));
        assert!(!regex.is_match(""));
    }
}
