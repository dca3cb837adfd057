//! The lines a change adds to a file: runs of consecutive lines of the new version whose
//! text the old version does not have.
//!
//! Computed here rather than with libgit2's patches: those look up diff drivers in
//! `.gitattributes` for every file of every commit, which resolved the work tree's real path
//! each time and cost a history scan more than the diffing itself. And not with a minimal
//! line diff either (Myers is O(ND) on the large rewrites between releases): what matters
//! to a secret scan is text a commit introduces, and a line whose text the file already had
//! (moved, duplicated, re-indented the same) introduced nothing. Linear in the two sizes.

use crate::parse::fast_hash::FastMap;

/// Runs of consecutive lines of `new` whose text is not a line of `old`, each as (1-based
/// number of its first line, text with line endings), invalid UTF-8 replaced.
pub fn added_runs(old: &[u8], new: &[u8]) -> Vec<(usize, String)> {
    let known: FastMap<&[u8], ()> = split_lines(old)
        .into_iter()
        .map(|line| (line, ()))
        .collect();
    let mut runs: Vec<(usize, String)> = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (index, line) in split_lines(new).into_iter().enumerate() {
        if known.contains_key(line) {
            runs.extend(current.take());
            continue;
        }
        let text = String::from_utf8_lossy(line);
        match &mut current {
            Some((_, run)) => run.push_str(&text),
            None => current = Some((index + 1, text.into_owned())),
        }
    }
    runs.extend(current);
    runs
}

/// Lines with their terminators (`\n`; a last line may have none).
fn split_lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.split_inclusive(|byte| *byte == b'\n').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_the_new_side() {
        let old = b"a\nb\nc\nd\n";
        let new = b"a\nX\nY\nc\nd\nZ";
        assert_eq!(
            added_runs(old, new),
            vec![(2, "X\nY\n".to_owned()), (6, "Z".to_owned())]
        );
    }

    #[test]
    fn a_new_file_is_one_run() {
        assert_eq!(added_runs(b"", b"x\ny\n"), vec![(1, "x\ny\n".to_owned())]);
        assert!(added_runs(b"same\n", b"same\n").is_empty());
        assert!(added_runs(b"gone\n", b"").is_empty());
    }

    #[test]
    fn moved_lines_add_nothing() {
        assert!(added_runs(b"a\nb\nc\n", b"c\na\nb\n").is_empty());
        assert_eq!(
            added_runs(b"key = 1\n", b"key = 1\nkey = 2\nkey = 1\n"),
            vec![(2, "key = 2\n".to_owned())]
        );
    }

    #[test]
    fn crlf_and_invalid_utf8() {
        assert_eq!(
            added_runs(b"a\r\n", b"a\r\nk\xffey\r\n"),
            vec![(2, "k\u{fffd}ey\r\n".to_owned())]
        );
    }
}
