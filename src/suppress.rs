//! Inline suppression: `harden: ignore` or `harden: ignore[rule-a, rule-b]` in a comment on
//! the finding's line, or alone on the line above it. Comment styles: `#`, `//`, `<!-- -->`
//! (and `/* */`, `--`, `;`, which the same text covers for free).

use crate::parse::line_index::LineIndex;
use regex::Regex;
use std::sync::LazyLock;

static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:#|//|<!--|/\*|--|;)\s*harden:\s*ignore(?:\[(?P<ids>[^\]]*)\])?")
        .unwrap_or_else(|error| unreachable!("constant regex: {error}"))
});

/// What a directive suppresses.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Directive {
    /// Every rule.
    All,
    /// These rule ids.
    Rules(Vec<String>),
}

impl Directive {
    fn covers(&self, rule_id: &str) -> bool {
        match self {
            Directive::All => true,
            Directive::Rules(ids) => ids.iter().any(|id| id == rule_id),
        }
    }
}

fn directive_in(line: &str) -> Option<(usize, Directive)> {
    let captures = DIRECTIVE.captures(line)?;
    let start = captures.get(0).map_or(0, |whole| whole.start());
    let directive = match captures.name("ids") {
        None => Directive::All,
        Some(ids) => Directive::Rules(
            ids.as_str()
                .split(',')
                .map(|id| id.trim().to_owned())
                .filter(|id| !id.is_empty())
                .collect(),
        ),
    };
    Some((start, directive))
}

/// Whether a finding of `rule_id` on 0-based line `line` of `text` is suppressed.
pub fn is_suppressed(text: &str, index: &LineIndex, line: usize, rule_id: &str) -> bool {
    let line_text = |number: usize| &text[index.line_range(text, number)];
    if directive_in(line_text(line)).is_some_and(|(_, directive)| directive.covers(rule_id)) {
        return true;
    }
    // The line above counts only when the comment is all there is on it, so a trailing
    // comment on one statement never silences the next.
    line > 0
        && directive_in(line_text(line - 1)).is_some_and(|(start, directive)| {
            line_text(line - 1)[..start].trim().is_empty() && directive.covers(rule_id)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, line: usize, rule: &str) -> bool {
        is_suppressed(text, &LineIndex::new(text), line, rule)
    }

    #[test]
    fn same_line_and_line_above() {
        let text = "a = 1  # harden: ignore[rule-a]\n# harden: ignore\nb = 2\nc = 3 // harden: ignore[x, rule-b]\nd = 4\n";
        assert!(check(text, 0, "rule-a"));
        assert!(!check(text, 0, "rule-b"));
        assert!(check(text, 2, "anything"));
        assert!(check(text, 3, "rule-b"));
        assert!(
            !check(text, 4, "rule-b"),
            "trailing comment must not cover the next line"
        );
    }

    #[test]
    fn html_comments() {
        let text = "<!-- harden: ignore[env-file] -->\nTOKEN=1\n";
        assert!(check(text, 1, "env-file"));
    }
}
