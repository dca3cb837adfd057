//! The seed apps (`fixtures/apps/*`): every `EXPECTED.md` row marked `detected` is reported
//! at its file and line with its CWE, and nothing else is reported.

mod common;

use common::{builtin_rules, repo_root};
use harden::pathglob::PathGlobs;
use harden::scan::{DEFAULT_MAX_FILE_SIZE, ScanOptions, scan};
use std::collections::BTreeSet;

/// (path, line, rule id, cwe)
type Row = (String, usize, String, String);

/// Rows of the EXPECTED.md table whose status is `detected`.
fn detected_rows(expected_md: &str) -> BTreeSet<Row> {
    let mut rows = BTreeSet::new();
    for line in expected_md.lines() {
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if cells.len() != 6 || cells[5] != "detected" {
            continue;
        }
        let (path, number) = cells[2]
            .rsplit_once(':')
            .unwrap_or_else(|| panic!("location without a line: {line}"));
        let number: usize = number
            .parse()
            .unwrap_or_else(|_| panic!("bad line number: {line}"));
        rows.insert((
            path.to_owned(),
            number,
            cells[4].to_owned(),
            cells[3].to_owned(),
        ));
    }
    rows
}

fn check_app(name: &str) {
    let dir = repo_root().join("fixtures/apps").join(name);
    let expected_md = std::fs::read_to_string(dir.join("EXPECTED.md"))
        .unwrap_or_else(|error| panic!("{name}/EXPECTED.md: {error}"));
    let expected = detected_rows(&expected_md);
    let rules = builtin_rules();
    let options = ScanOptions {
        root: dir.clone(),
        exclude: PathGlobs::none(),
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        show_secrets: false,
        threads: 2,
    };
    let report = scan(&rules, &options).unwrap_or_else(|error| panic!("{name}: {error:?}"));
    let found: BTreeSet<Row> = report
        .findings
        .iter()
        .map(|finding| {
            (
                finding.path.clone(),
                finding.start.line,
                finding.rule_id.clone(),
                finding.cwe.join(", "),
            )
        })
        .collect();
    let missing: Vec<&Row> = expected
        .difference(&found)
        .filter(|row| rules.get(&row.2).is_some())
        .collect();
    let unexpected: Vec<&Row> = found.difference(&expected).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "{name}:\n  missing (in EXPECTED.md, not reported): {missing:#?}\n  unexpected (reported, not in EXPECTED.md): {unexpected:#?}"
    );
}

#[test]
fn seed_emergence_findings_equal_expected_md() {
    check_app("seed-emergence");
}

#[test]
fn seed_therese_findings_equal_expected_md() {
    check_app("seed-therese");
}

#[test]
fn expected_md_tables_parse() {
    for name in ["seed-emergence", "seed-therese"] {
        let text = std::fs::read_to_string(
            repo_root()
                .join("fixtures/apps")
                .join(name)
                .join("EXPECTED.md"),
        )
        .unwrap_or_default();
        let rows = text
            .lines()
            .filter(|line| {
                line.starts_with("| ") && !line.starts_with("| seed") && !line.starts_with("|--")
            })
            .count();
        assert!(rows >= 10, "{name}: EXPECTED.md has a table of findings");
    }
    assert!(
        detected_rows(
            &std::fs::read_to_string(repo_root().join("fixtures/apps/seed-emergence/EXPECTED.md"))
                .unwrap_or_default()
        )
        .len()
            >= 8
    );
}
