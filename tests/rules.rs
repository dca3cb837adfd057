//! Every built-in rule: it loads, its documentation is complete, its examples behave, and its
//! fixture's `expect: <rule-id>` annotations equal the findings exactly (negatives silent).

mod common;

use common::{builtin_rules, files_under, repo_root};
use harden::engine::Engine;
use harden::pathglob::PathGlobs;
use harden::rules::{Rule, RuleKind, RuleSet};
use harden::scan::{DEFAULT_MAX_FILE_SIZE, ScanOptions, scan};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// (path relative to the fixture root, 1-based line, rule id)
type Expectation = (String, usize, String);

fn not_ignored(_: &str) -> Option<bool> {
    Some(false)
}

#[test]
fn builtin_rules_load_with_complete_docs() {
    let rules = builtin_rules();
    assert!(rules.len() >= 2, "rules are embedded");
    for rule in rules.rules() {
        let docs = &rule.docs;
        for (field, text) in [
            ("what", &docs.what),
            ("why", &docs.why),
            ("bad", &docs.bad),
            ("good", &docs.good),
            ("remediation", &docs.remediation),
            ("fix_safety", &docs.fix_safety),
        ] {
            assert!(
                !text.trim().is_empty(),
                "{}: [docs].{field} is empty",
                rule.id
            );
        }
        assert!(
            rule.source_path.starts_with("rules/")
                && rule.source_path.ends_with(&format!("/{}.toml", rule.id)),
            "{}: built-in rule file must be rules/<group>/<id>.toml, is {}",
            rule.id,
            rule.source_path
        );
    }
}

#[test]
fn examples_behave() {
    let rules = builtin_rules();
    let engine = Engine::new(&rules, false);
    let mut failures = Vec::new();
    for rule in rules.rules() {
        if rule.examples.positive.is_empty() || rule.examples.negative.is_empty() {
            failures.push(format!(
                "{}: needs at least one positive and one negative example",
                rule.id
            ));
        }
        for (expected, examples) in [
            (true, &rule.examples.positive),
            (false, &rule.examples.negative),
        ] {
            for example in examples {
                let path = example.path.as_deref().unwrap_or("example.txt");
                let found = engine
                    .scan_text(path, &example.text, &not_ignored)
                    .findings
                    .iter()
                    .any(|finding| finding.rule_id == rule.id);
                if found != expected {
                    let kind = if expected {
                        "positive example did not fire"
                    } else {
                        "negative example fired"
                    };
                    failures.push(format!("{}: {kind}: {path}: {:?}", rule.id, example.text));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fixtures_match_annotations_exactly() {
    let rules = builtin_rules();
    let engine = Engine::new(&rules, false);
    let mut failures = Vec::new();
    for rule in rules.rules() {
        let group = rule
            .source_path
            .trim_start_matches("rules/")
            .split('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        let fixture_root = repo_root().join("fixtures").join(&group);
        let (files, dir) = fixture_paths(&fixture_root, &rule.id);
        if files.is_empty() && dir.is_none() {
            failures.push(format!(
                "{}: no fixture fixtures/{group}/{}.* or fixtures/{group}/{}/",
                rule.id, rule.id, rule.id
            ));
            continue;
        }
        for file in files {
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|error| panic!("{}: {error}", file.display()));
            let name = file
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let found: BTreeSet<Expectation> = engine
                .scan_text(&name, &text, &not_ignored)
                .findings
                .iter()
                .map(|finding| (name.clone(), finding.start.line, finding.rule_id.clone()))
                .collect();
            let expected = annotations(&name, &text);
            compare(
                &rules,
                &format!("fixtures/{group}/{name}"),
                &expected,
                &found,
                &mut failures,
            );
        }
        if let Some(dir) = dir {
            let found: BTreeSet<Expectation> = scan_dir(&rules, &dir).into_iter().collect();
            let mut expected = BTreeSet::new();
            for file in files_under(&dir) {
                let relative = harden::discover::walk::relative_path(&dir, &file);
                if relative == "EXPECT" {
                    expected.extend(manifest(
                        &std::fs::read_to_string(&file).unwrap_or_default(),
                    ));
                } else if let Ok(text) = std::fs::read_to_string(&file) {
                    expected.extend(annotations(&relative, &text));
                }
            }
            compare(
                &rules,
                &format!("fixtures/{group}/{}/", rule.id),
                &expected,
                &found,
                &mut failures,
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `fixtures/<group>/<id>.<ext>` files and the `fixtures/<group>/<id>/` directory.
fn fixture_paths(root: &Path, id: &str) -> (Vec<PathBuf>, Option<PathBuf>) {
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(root) {
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_file()
                && name
                    .strip_prefix(id)
                    .is_some_and(|rest| rest.starts_with('.'))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    let dir = root.join(id);
    (files, dir.is_dir().then_some(dir))
}

/// `expect: rule-a, rule-b` comments at the end of a line, one expectation per id.
fn annotations(path: &str, text: &str) -> BTreeSet<Expectation> {
    let annotation =
        regex::Regex::new(r"expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*(?:-->|\*/)?\s*$")
            .unwrap_or_else(|error| panic!("{error}"));
    let mut expected = BTreeSet::new();
    for (index, line) in text.lines().enumerate() {
        if let Some(captures) = annotation.captures(line) {
            for id in captures[1].split(',') {
                expected.insert((path.to_owned(), index + 1, id.trim().to_owned()));
            }
        }
    }
    expected
}

/// An `EXPECT` manifest: lines `path[:line] rule-id[, rule-id]` for files that cannot hold
/// a comment (binary, JSON); `#` starts a comment.
fn manifest(text: &str) -> BTreeSet<Expectation> {
    let mut expected = BTreeSet::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        let Some((location, ids)) = line.split_once(char::is_whitespace) else {
            continue;
        };
        let (path, number) = match location.rsplit_once(':') {
            Some((path, number)) if number.parse::<usize>().is_ok() => {
                (path, number.parse().unwrap_or(1))
            }
            _ => (location, 1),
        };
        for id in ids.split(',') {
            let id = id.trim();
            if !id.is_empty() {
                expected.insert((path.to_owned(), number, id.to_owned()));
            }
        }
    }
    expected
}

fn scan_dir(rules: &RuleSet, dir: &Path) -> Vec<Expectation> {
    let options = ScanOptions {
        root: dir.to_owned(),
        exclude: PathGlobs::new(&["EXPECT"]).unwrap_or_else(|_| PathGlobs::none()),
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        show_secrets: false,
        threads: 1,
    };
    let report =
        scan(rules, &options).unwrap_or_else(|error| panic!("{}: {error:?}", dir.display()));
    report
        .findings
        .into_iter()
        .map(|finding| (finding.path, finding.start.line, finding.rule_id))
        .collect()
}

fn compare(
    rules: &RuleSet,
    fixture: &str,
    expected: &BTreeSet<Expectation>,
    found: &BTreeSet<Expectation>,
    failures: &mut Vec<String>,
) {
    for (path, line, id) in expected.difference(found) {
        let known = if rules.get(id).is_some() {
            ""
        } else {
            " (no such rule)"
        };
        failures.push(format!(
            "{fixture}: {path}:{line}: expected {id}{known}, not reported"
        ));
    }
    for (path, line, id) in found.difference(expected) {
        failures.push(format!("{fixture}: {path}:{line}: unexpected {id}"));
    }
}

#[test]
fn secret_rules_have_keywords_or_say_why() {
    let rules = builtin_rules();
    let without: Vec<&Rule> = rules
        .rules()
        .iter()
        .filter(|rule| matches!(&rule.kind, RuleKind::Secret(secret) if secret.keywords.is_empty()))
        .collect();
    assert!(
        without.is_empty(),
        "secret rules without prefilter keywords run on every file: {:?}",
        without.iter().map(|rule| &rule.id).collect::<Vec<_>>()
    );
}
