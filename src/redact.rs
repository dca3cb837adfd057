//! Secret redaction and snippet excerpts.
//!
//! Every excerpt a report prints is built here, from the file text, the matched range and
//! the ranges of every secret found in that text, so no reporter can print a secret by
//! accident. Redaction keeps the line structure (a masked PEM body keeps its line count) so
//! excerpt line numbers stay true, and long lines (minified files) are cropped around the
//! match.

use crate::parse::line_index::{LineIndex, floor_char_boundary};
use std::ops::Range;

/// How many lines of a multi-line match an excerpt shows.
const MAX_SNIPPET_LINES: usize = 3;
/// Longest excerpt line, in bytes, before it is cropped around the match.
const MAX_LINE_BYTES: usize = 160;
/// What replaces the hidden part of a secret (a fixed width: the length is not leaked).
const MASK: &str = "*****";

/// The text shown for a secret: a short prefix (only for long secrets, where it names the
/// format without weakening the credential) followed by a fixed mask.
pub fn redact(secret: &str) -> String {
    let visible = if secret.chars().count() >= 16 { 4 } else { 0 };
    let prefix: String = secret.chars().take(visible).collect();
    format!("{prefix}{MASK}")
}

/// An excerpt of the lines a finding spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The excerpt, lines joined with `\n`, secrets masked unless shown on request.
    pub text: String,
    /// 1-based line number of the excerpt's first line.
    pub first_line: usize,
    /// Byte range of the match within `text`.
    pub highlight: Range<usize>,
}

/// Builds the excerpt of `range` in `text`, masking every range of `secrets` unless
/// `show_secrets`. `line_offset` is added to line numbers (fragments of a larger file).
pub fn make_snippet(
    text: &str,
    index: &LineIndex,
    range: Range<usize>,
    secrets: &[Range<usize>],
    show_secrets: bool,
    line_offset: usize,
) -> Snippet {
    let first = index.line_of(range.start);
    let last = index
        .line_of(range.end.saturating_sub(1).max(range.start))
        .min(first + MAX_SNIPPET_LINES - 1);
    let mut lines = Vec::new();
    let mut highlight_start = None;
    let mut highlight_end = None;
    let mut out_len = 0;
    for line in first..=last {
        let line_range = index.line_range(text, line);
        let mut rendered = render_line(text, line_range.clone(), secrets, show_secrets, &range);
        crop(&mut rendered);
        if let Some(start) = rendered.highlight_start {
            highlight_start.get_or_insert(out_len + start);
        }
        if let Some(end) = rendered.highlight_end {
            highlight_end = Some(out_len + end);
        }
        out_len += rendered.text.len() + 1;
        lines.push(rendered.text);
    }
    let text_out = lines.join("\n");
    let start = highlight_start.unwrap_or(0).min(text_out.len());
    let end = highlight_end
        .unwrap_or(text_out.len())
        .clamp(start, text_out.len());
    Snippet {
        text: text_out,
        first_line: first + 1 + line_offset,
        highlight: start..end,
    }
}

struct RenderedLine {
    text: String,
    highlight_start: Option<usize>,
    highlight_end: Option<usize>,
}

/// Copies one line, masking secrets and noting where the match starts and ends on it.
fn render_line(
    text: &str,
    line: Range<usize>,
    secrets: &[Range<usize>],
    show_secrets: bool,
    matched: &Range<usize>,
) -> RenderedLine {
    let mut out = String::with_capacity(line.len());
    let mut highlight_start = None;
    let mut highlight_end = None;
    let mut cursor = line.start;
    let note =
        |offset: usize, out_len: usize, start: &mut Option<usize>, end: &mut Option<usize>| {
            if offset == matched.start && start.is_none() {
                *start = Some(out_len);
            }
            if offset == matched.end {
                *end = Some(out_len);
            }
        };
    let mut pieces: Vec<Range<usize>> = if show_secrets {
        Vec::new()
    } else {
        secrets
            .iter()
            .filter(|secret| secret.start < line.end && secret.end > line.start)
            .map(|secret| secret.start.max(line.start)..secret.end.min(line.end))
            .collect()
    };
    pieces.sort_by_key(|piece| piece.start);
    for piece in pieces {
        if piece.start < cursor {
            continue;
        }
        copy_with_marks(
            text,
            cursor..piece.start,
            &mut out,
            matched,
            &mut highlight_start,
            &mut highlight_end,
        );
        note(
            piece.start,
            out.len(),
            &mut highlight_start,
            &mut highlight_end,
        );
        let owner = secrets
            .iter()
            .find(|secret| secret.start <= piece.start && secret.end >= piece.end)
            .cloned()
            .unwrap_or(piece.clone());
        if piece.start == owner.start {
            out.push_str(&redact(&text[owner.clone()]));
        } else {
            out.push_str(MASK);
        }
        cursor = piece.end;
        if matched.end > piece.start && matched.end < piece.end {
            highlight_end = Some(out.len());
        }
        note(
            piece.end,
            out.len(),
            &mut highlight_start,
            &mut highlight_end,
        );
    }
    copy_with_marks(
        text,
        cursor..line.end,
        &mut out,
        matched,
        &mut highlight_start,
        &mut highlight_end,
    );
    if matched.start < line.start && matched.end > line.start {
        highlight_start.get_or_insert(0);
    }
    if matched.end > line.end && highlight_start.is_some() {
        highlight_end = Some(out.len());
    }
    RenderedLine {
        text: out,
        highlight_start,
        highlight_end,
    }
}

/// Copies `text[range]` to `out`, recording where the match's ends fall.
fn copy_with_marks(
    text: &str,
    range: Range<usize>,
    out: &mut String,
    matched: &Range<usize>,
    start: &mut Option<usize>,
    end: &mut Option<usize>,
) {
    if range.start >= range.end {
        return;
    }
    let base = out.len();
    if matched.start >= range.start && matched.start < range.end && start.is_none() {
        *start = Some(base + matched.start - range.start);
    }
    if matched.end > range.start && matched.end <= range.end {
        *end = Some(base + matched.end - range.start);
    }
    out.push_str(&text[range]);
}

/// Crops a long line to a window around its highlight, marking the cut ends with `…`.
fn crop(line: &mut RenderedLine) {
    if line.text.len() <= MAX_LINE_BYTES {
        return;
    }
    let anchor = line.highlight_start.unwrap_or(0);
    let window_start = floor_char_boundary(&line.text, anchor.saturating_sub(MAX_LINE_BYTES / 4));
    let window_end = floor_char_boundary(
        &line.text,
        (window_start + MAX_LINE_BYTES).min(line.text.len()),
    );
    let prefix = if window_start > 0 { "…" } else { "" };
    let suffix = if window_end < line.text.len() {
        "…"
    } else {
        ""
    };
    let shift = |offset: usize| -> usize {
        offset.clamp(window_start, window_end) - window_start + prefix.len()
    };
    line.highlight_start = line.highlight_start.map(shift);
    line.highlight_end = line.highlight_end.map(shift);
    line.text = format!("{prefix}{}{suffix}", &line.text[window_start..window_end]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snippet(text: &str, range: Range<usize>, secrets: &[Range<usize>]) -> Snippet {
        make_snippet(text, &LineIndex::new(text), range, secrets, false, 0)
    }

    #[test]
    fn redact_keeps_a_prefix_only_for_long_secrets() {
        assert_eq!(redact("AKIAZ7QEXAMPLEKEY123"), "AKIA*****");
        assert_eq!(redact("hunter2"), "*****");
    }

    #[test]
    fn secrets_are_masked_and_the_highlight_follows() {
        let text = "x = 1\nKEY = \"AKIAZ7Q3MN4PWXYZ2ABC\"  # prod\ny = 2\n";
        let start = text.find("AKIA").unwrap();
        let secret = start..start + 20;
        let found = snippet(text, secret.clone(), &[secret]);
        assert_eq!(found.text, "KEY = \"AKIA*****\"  # prod");
        assert_eq!(found.first_line, 2);
        assert_eq!(&found.text[found.highlight.clone()], "AKIA*****");
    }

    #[test]
    fn multi_line_secrets_keep_their_line_structure() {
        let text = "-----BEGIN RSA PRIVATE KEY-----\nMIIEabcdefgh\nqrstuvwxyz12\n-----END RSA PRIVATE KEY-----\n";
        let body_start = text.find("MIIE").unwrap();
        let body_end = text.find("-----END").unwrap();
        let body = body_start..body_end;
        let found = snippet(text, 0..text.len() - 1, std::slice::from_ref(&body));
        assert_eq!(
            found.text,
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE*****\n*****"
        );
        assert!(!found.text.contains("abcdefgh"));
    }

    #[test]
    fn long_lines_are_cropped_around_the_match() {
        let text = format!("{}TOKEN{}", "a".repeat(500), "b".repeat(500));
        let start = 500;
        let found = snippet(&text, start..start + 5, &[]);
        assert!(found.text.len() < 200);
        assert_eq!(&found.text[found.highlight.clone()], "TOKEN");
        assert!(found.text.starts_with('…') && found.text.ends_with('…'));
    }
}
