//! Discovery in git repositories built at test time: tracked files are scanned even when
//! `.gitignore` lists them, ignored untracked files are not, `.gitignore` coverage decides
//! `sensitive-file-not-gitignored`, and a broken repository degrades to a plain scan.

mod common;

use common::run_cli;
use std::fs;
use std::path::Path;
use std::process::Command;

const KEY: &str = "AKIAQWF3GH7LT2PNXR5M";

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
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
        .unwrap_or_else(|error| panic!("git {args:?}: {error}"));
    assert!(
        status.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    fs::create_dir_all(path.parent().unwrap_or(dir)).unwrap_or_else(|error| panic!("{error}"));
    fs::write(path, text).unwrap_or_else(|error| panic!("{error}"));
}

fn findings(target: &Path) -> Vec<(String, String)> {
    let (code, out, err) = run_cli(&[
        "scan",
        &target.display().to_string(),
        "--format",
        "json",
        "--quiet",
    ]);
    assert!(code < 2, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    let mut found: Vec<(String, String)> = json["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|finding| {
            (
                finding["path"].as_str().unwrap_or_default().to_owned(),
                finding["rule_id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

fn pair(path: &str, rule: &str) -> (String, String) {
    (path.to_owned(), rule.to_owned())
}

#[test]
fn tracked_files_count_even_when_ignored_and_ignored_untracked_ones_do_not() {
    let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    let root = dir.path();
    git(root, &["init", "-q"]);
    write(root, ".gitignore", ".env\nlocal/\n");
    write(root, ".env", "LOG_LEVEL=info\n");
    write(root, "app.py", "x = 1\n");
    git(root, &["add", ".gitignore", "app.py"]);
    git(root, &["add", "-f", ".env"]);
    git(root, &["commit", "-qm", "init"]);
    // Untracked and ignored: where local secrets belong; not reported.
    write(root, "local/settings.py", &format!("KEY = \"{KEY}\"\n"));
    // Untracked and not ignored: one `git add .` away.
    write(root, "data/app.db", "SQLite format 3\0");

    assert_eq!(
        findings(root),
        vec![
            pair(".env", "env-file"),
            pair("data/app.db", "database-file"),
            pair("data/app.db", "sensitive-file-not-gitignored"),
        ],
        ".env is tracked (reported) but covered by .gitignore (no not-gitignored finding)"
    );
}

#[test]
fn subdirectory_scans_report_paths_from_the_subdirectory_and_sarif_from_the_repository() {
    let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    let root = dir.path();
    git(root, &["init", "-q"]);
    write(
        root,
        "services/api/config.py",
        &format!("KEY = \"{KEY}\"\n"),
    );
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "init"]);
    let sub = root.join("services/api");
    assert_eq!(findings(&sub), vec![pair("config.py", "aws-access-key-id")]);
    let (_, sarif, _) = run_cli(&[
        "scan",
        &sub.display().to_string(),
        "--format",
        "sarif",
        "--quiet",
    ]);
    assert!(
        sarif.contains("\"uri\": \"services/api/config.py\""),
        "{sarif}"
    );
}

#[test]
fn a_broken_repository_is_scanned_as_a_plain_directory() {
    let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    let root = dir.path();
    fs::create_dir_all(root.join(".git")).unwrap_or_else(|error| panic!("{error}"));
    write(root, ".git/HEAD", "garbage\n");
    write(root, ".git/config", "[core\nbroken");
    write(root, "app.py", &format!("KEY = \"{KEY}\"\n"));
    let (code, out, err) = run_cli(&["scan", &root.display().to_string(), "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("aws-access-key-id"), "{out}");
    assert!(
        !out.contains("\".git/"),
        "the .git directory is never scanned"
    );
    assert!(
        err.contains("git repository unusable"),
        "the broken repository is reported: {err}"
    );
    let json: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    assert!(
        json["skipped"].to_string().contains("\"kind\":\"git\""),
        "{out}"
    );
}
