//! Fixes, as ruff tests them: for every rule with a fix and every fixture of it, the fixed
//! file still parses, the rule no longer fires where it was fixed, and fixing again changes
//! nothing; the diffs are snapshots. Plus the writer's promises (line endings, BOM,
//! read-only and concurrently modified files, nothing outside the root) and `git apply` on
//! the seed apps' patches.

mod common;

use common::{builtin_rules, files_under, repo_root, run_cli};
use harden::fix::apply::apply;
use harden::fix::diff::unified_diff;
use harden::fix::plan::{FixOptions, Plan, PlannedFile, plan};
use harden::fix::strategy::attach_gitignore_fixes;
use harden::parse::python::PythonSource;
use harden::pathglob::PathGlobs;
use harden::rules::{RuleFix, RuleSet};
use harden::scan::{DEFAULT_MAX_FILE_SIZE, ScanOptions, ScanReport, scan};
use std::fs;
use std::path::Path;
use std::process::Command;

fn scan_dir(rules: &RuleSet, root: &Path) -> ScanReport {
    let options = ScanOptions {
        root: root.to_owned(),
        exclude: PathGlobs::none(),
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        show_secrets: false,
        threads: 1,
    };
    let mut report = scan(rules, &options).unwrap_or_else(|error| panic!("{error:?}"));
    attach_gitignore_fixes(root, &mut report.findings, rules);
    report
}

fn syntax_errors(text: &str) -> usize {
    let source = PythonSource::parse(text).unwrap_or_else(|| panic!("unparsable"));
    let mut count = 0;
    let mut stack = vec![source.tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            count += 1;
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    count
}

fn options(rule: &str) -> FixOptions {
    FixOptions {
        unsafe_fixes: true,
        display_fixes: false,
        rules: vec![rule.to_owned()],
    }
}

fn has_code_fix(rules: &RuleSet, id: &str) -> bool {
    rules.get(id).is_some_and(|rule| {
        rule.fixes
            .iter()
            .any(|fix| matches!(fix, RuleFix::Template(_) | RuleFix::Environment { .. }))
    })
}

#[test]
fn every_fix_parses_silences_its_rule_and_converges() {
    let rules = builtin_rules();
    let mut failures = Vec::new();
    let mut fixed_rules = 0;
    for rule in rules
        .rules()
        .iter()
        .filter(|rule| has_code_fix(&rules, &rule.id))
    {
        let group = rule
            .source_path
            .trim_start_matches("rules/")
            .split('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        let fixtures: Vec<_> = files_under(&repo_root().join("fixtures").join(&group))
            .into_iter()
            .filter(|path| path.extension().is_some_and(|ext| ext == "py"))
            .filter(|path| {
                path.file_name().is_some_and(|name| {
                    name.to_string_lossy().starts_with(&format!("{}.", rule.id))
                })
            })
            .collect();
        let mut diffs = String::new();
        for fixture in fixtures {
            let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
            let name = fixture
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let original = fs::read_to_string(&fixture).unwrap_or_default();
            fs::write(dir.path().join(&name), &original).unwrap_or_else(|error| panic!("{error}"));
            let before = scan_dir(&rules, dir.path());
            let fixable = before
                .findings
                .iter()
                .filter(|finding| {
                    finding.rule_id == rule.id
                        && finding
                            .fix
                            .as_ref()
                            .is_some_and(|fix| options(&rule.id).selects(&rule.id, fix))
                })
                .count();
            if fixable == 0 {
                continue;
            }
            let first = plan(dir.path(), &before.findings, &options(&rule.id));
            diffs.push_str(&unified_diff(&first.files));
            let applied = apply(dir.path(), &first);
            if !applied.refused.is_empty() {
                failures.push(format!(
                    "{}: {name}: refused {:?}",
                    rule.id, applied.refused
                ));
            }
            let fixed = fs::read_to_string(dir.path().join(&name)).unwrap_or_default();
            if syntax_errors(&fixed) > syntax_errors(&original) {
                failures.push(format!(
                    "{}: {name}: the fix introduced syntax errors:\n{fixed}",
                    rule.id
                ));
            }
            // Fixes that overlapped wait for the next round, as with `harden fix` run again.
            let mut report = scan_dir(&rules, dir.path());
            for _ in 0..3 {
                let again = plan(dir.path(), &report.findings, &options(&rule.id));
                if again.files.is_empty() {
                    break;
                }
                apply(dir.path(), &again);
                report = scan_dir(&rules, dir.path());
            }
            let still = report
                .findings
                .iter()
                .filter(|finding| {
                    finding.rule_id == rule.id
                        && finding
                            .fix
                            .as_ref()
                            .is_some_and(|fix| options(&rule.id).selects(&rule.id, fix))
                })
                .count();
            if still > 0 {
                failures.push(format!(
                    "{}: {name}: {still} fixable finding(s) remain after fixing",
                    rule.id
                ));
            }
            let last = plan(dir.path(), &report.findings, &options(&rule.id));
            if !last.files.is_empty() {
                failures.push(format!(
                    "{}: {name}: fixing again changes the file:\n{}",
                    rule.id,
                    unified_diff(&last.files)
                ));
            }
        }
        if !diffs.is_empty() {
            fixed_rules += 1;
            let mut settings = insta::Settings::clone_current();
            settings.set_snapshot_path(repo_root().join("tests/snapshots/fixes"));
            settings.set_prepend_module_to_snapshot(false);
            settings.bind(|| insta::assert_snapshot!(rule.id.clone(), diffs));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(fixed_rules >= 8, "fixes exercised for {fixed_rules} rules");
}

fn write(dir: &Path, name: &str, content: &[u8]) {
    fs::write(dir.join(name), content).unwrap_or_else(|error| panic!("{error}"));
}

const CORS: &str = "import os\nfrom fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\napp = FastAPI(openapi_url=os.environ.get(\"OPENAPI_URL\"))\napp.add_middleware(CORSMiddleware, allow_origins=[\"*\"], allow_credentials=True)\n";

#[test]
fn line_endings_and_byte_order_marks_are_kept() {
    let rules = builtin_rules();
    let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    write(dir.path(), "crlf.py", CORS.replace('\n', "\r\n").as_bytes());
    write(
        dir.path(),
        "bom.py",
        format!("\u{feff}{}", CORS.replace("import os\n", "")).as_bytes(),
    );
    let report = scan_dir(&rules, dir.path());
    let planned = plan(
        dir.path(),
        &report.findings,
        &options("cors-wildcard-credentials"),
    );
    let applied = apply(dir.path(), &planned);
    assert_eq!(applied.written.len(), 2, "{applied:?}");
    let crlf = fs::read_to_string(dir.path().join("crlf.py")).unwrap_or_default();
    assert!(crlf.contains("CORS_ORIGINS"), "{crlf}");
    assert_eq!(
        crlf.matches('\n').count(),
        crlf.matches("\r\n").count(),
        "a CRLF file stays CRLF:\n{crlf:?}"
    );
    let bom = fs::read(dir.path().join("bom.py")).unwrap_or_default();
    assert!(bom.starts_with("\u{feff}".as_bytes()), "the BOM is kept");
    let bom = String::from_utf8_lossy(&bom);
    assert!(
        bom.contains("\nimport os\n") || bom.contains("\u{feff}import os\n"),
        "the import is added once: {bom}"
    );
    assert!(bom.ends_with('\n'));
}

#[cfg(unix)]
#[test]
fn read_only_and_concurrently_modified_files_are_left_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let rules = builtin_rules();
    let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    write(dir.path(), "locked.py", CORS.as_bytes());
    write(dir.path(), "moving.py", CORS.as_bytes());
    write(dir.path(), "fine.py", CORS.as_bytes());
    fs::set_permissions(
        dir.path().join("locked.py"),
        fs::Permissions::from_mode(0o444),
    )
    .unwrap_or_else(|error| panic!("{error}"));
    let report = scan_dir(&rules, dir.path());
    let planned = plan(
        dir.path(),
        &report.findings,
        &options("cors-wildcard-credentials"),
    );
    // Someone edits the file between the scan and the write.
    write(
        dir.path(),
        "moving.py",
        format!("{CORS}# edited meanwhile\n").as_bytes(),
    );
    let applied = apply(dir.path(), &planned);
    let refused: Vec<&str> = applied
        .refused
        .iter()
        .map(|(path, _)| path.as_str())
        .collect();
    assert_eq!(refused, ["locked.py", "moving.py"], "{applied:?}");
    assert!(
        applied
            .refused
            .iter()
            .any(|(_, reason)| reason.contains("read-only"))
    );
    assert!(
        applied
            .refused
            .iter()
            .any(|(_, reason)| reason.contains("changed since"))
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("locked.py")).unwrap_or_default(),
        CORS
    );
    assert!(
        fs::read_to_string(dir.path().join("moving.py"))
            .unwrap_or_default()
            .ends_with("# edited meanwhile\n")
    );
    assert_eq!(applied.written, ["fine.py"], "the other file is fixed");
    assert_eq!(
        fs::metadata(dir.path().join("locked.py"))
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0),
        0o444
    );
}

#[test]
fn nothing_is_written_outside_the_root() {
    let outer = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    let root = outer.path().join("root");
    fs::create_dir_all(&root).unwrap_or_else(|error| panic!("{error}"));
    let plan = Plan {
        files: vec![PlannedFile {
            path: "../escape.py".to_owned(),
            original: None,
            updated: "x = 1\n".to_owned(),
        }],
        ..Plan::default()
    };
    let applied = apply(&root, &plan);
    assert_eq!(applied.refused.len(), 1, "{applied:?}");
    assert!(!outer.path().join("escape.py").exists());
}

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .args([
            "-c",
            "user.name=Harden Test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|error| panic!("git {args:?}: {error}"))
}

/// A copy of a seed app in a fresh git repository (its sensitive files committed, as in the
/// audited project).
fn seed_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    let source = repo_root().join("fixtures/apps").join(name);
    for file in files_under(&source) {
        let relative = file.strip_prefix(&source).unwrap_or(&file);
        let target = dir.path().join(relative);
        fs::create_dir_all(target.parent().unwrap_or(dir.path()))
            .unwrap_or_else(|error| panic!("{error}"));
        fs::copy(&file, &target).unwrap_or_else(|error| panic!("{error}"));
    }
    assert!(git(dir.path(), &["init", "-q"]).status.success());
    assert!(git(dir.path(), &["add", "-A", "-f"]).status.success());
    assert!(git(dir.path(), &["commit", "-qm", "seed"]).status.success());
    dir
}

#[test]
fn seed_app_patches_apply_and_fixing_converges() {
    for app in ["seed-emergence", "seed-therese"] {
        let copy = seed_copy(app);
        let root = copy.path().display().to_string();
        let (_, before, _) = run_cli(&["scan", &root, "--format", "json", "--quiet"]);
        let before: serde_json::Value = serde_json::from_str(&before).unwrap_or_default();
        let fixable: Vec<String> = before["findings"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter(|finding| {
                finding["fix"]["applicability"]
                    .as_str()
                    .is_some_and(|applicability| applicability != "display")
            })
            .filter_map(|finding| finding["rule_id"].as_str().map(str::to_owned))
            .collect();
        assert!(!fixable.is_empty(), "{app} has fixable findings");

        let (code, patch, err) = run_cli(&["fix", &root, "--unsafe-fixes"]);
        assert_eq!(code, 1, "{err}");
        fs::write(copy.path().join("harden.patch"), &patch)
            .unwrap_or_else(|error| panic!("{error}"));
        let check = git(copy.path(), &["apply", "--check", "harden.patch"]);
        assert!(
            check.status.success(),
            "{app}: git apply --check: {}\n{patch}",
            String::from_utf8_lossy(&check.stderr)
        );
        fs::remove_file(copy.path().join("harden.patch")).unwrap_or_else(|error| panic!("{error}"));

        let (code, out, err) = run_cli(&["fix", &root, "--unsafe-fixes", "--apply"]);
        assert_eq!(code, 0, "{out}{err}");
        let (_, after, _) = run_cli(&["scan", &root, "--format", "json", "--quiet"]);
        let after: serde_json::Value = serde_json::from_str(&after).unwrap_or_default();
        let left: Vec<String> = after["findings"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|finding| finding["rule_id"].as_str().map(str::to_owned))
            .filter(|rule| fixable.contains(rule))
            .collect();
        assert!(
            left.is_empty(),
            "{app}: findings of fixed rules remain: {left:?}\n{after:#}"
        );
        for file in files_under(copy.path())
            .into_iter()
            .filter(|path| path.extension().is_some_and(|ext| ext == "py"))
        {
            let compiled = Command::new("python3")
                .args(["-m", "py_compile"])
                .arg(&file)
                .output()
                .unwrap_or_else(|error| panic!("{error}"));
            assert!(
                compiled.status.success(),
                "{}: {}",
                file.display(),
                String::from_utf8_lossy(&compiled.stderr)
            );
        }
        let (_, second, _) = run_cli(&["fix", &root, "--unsafe-fixes", "--apply"]);
        assert!(
            second.starts_with("Fixed 0 findings in 0 files"),
            "fixing again changes nothing: {second}"
        );
        let status = git(copy.path(), &["status", "--porcelain"]);
        let status = String::from_utf8_lossy(&status.stdout);
        if app == "seed-emergence" {
            assert!(
                status.contains("D  .env"),
                "the .env is untracked: {status}"
            );
            assert!(copy.path().join(".env").exists(), "and still on disk");
        }
    }
}

#[test]
fn scan_shows_fixes_and_fix_reports_what_it_cannot_do() {
    let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    write(dir.path(), "app.py", CORS.as_bytes());
    let root = dir.path().display().to_string();
    let (code, out, _) = run_cli(&["scan", &root, "--show-fixes", "--quiet"]);
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "fix (unsafe): Read the allowed origins from the CORS_ORIGINS environment variable"
        ),
        "{out}"
    );
    assert!(
        out.contains("+app.add_middleware(CORSMiddleware, allow_origins=[origin.strip()"),
        "the diff is shown: {out}"
    );
    let (code, patch, err) = run_cli(&["fix", &root]);
    assert_eq!((code, patch.as_str()), (0, ""), "no safe fix here");
    assert!(err.contains("more with --unsafe-fixes"), "{err}");
    let (code, _, err) = run_cli(&["fix", &root, "--rule", "no-such-rule"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown rule"), "{err}");
    let (code, out, err) = run_cli(&["fix", &root, "--unsafe-fixes", "--apply"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Fixed 1 finding in 1 file."), "{out}");
    assert!(
        err.contains("to do by hand: app.py: set CORS_ORIGINS"),
        "{err}"
    );
}
