//! History and staged scans on throwaway repositories built at test time with the git CLI:
//! secrets and sensitive files added then deleted, side branches, renames, merges, the same
//! secret on two branches, and repositories that are shallow, corrupt, bare, detached, empty
//! or not repositories at all.

mod common;

use common::run_cli;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const AWS_KEY: &str = "AKIAQWF3GH7LT2PNXR5M";
const GITHUB_TOKEN: &str = "ghp_Xz81kQ4pLm2Nw7Rt5Vb9Cd3Fg6Hj0Ks2Ue4Y";

/// Runs git in `dir` with a fixed identity (CI has none).
fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args([
            "-c",
            "user.name=Harden Test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|error| panic!("git {args:?}: {error}"));
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn write(dir: &Path, path: &str, content: &[u8]) {
    let path = dir.join(path);
    fs::create_dir_all(path.parent().unwrap_or(dir)).unwrap_or_else(|error| panic!("{error}"));
    fs::write(path, content).unwrap_or_else(|error| panic!("{error}"));
}

fn new_repo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    let root = dir.path().join("repo");
    fs::create_dir_all(&root).unwrap_or_else(|error| panic!("{error}"));
    git(&root, &["init", "-q"]);
    write(&root, "README.md", b"# demo\n");
    git(&root, &["add", "."]);
    git(&root, &["commit", "-qm", "initial"]);
    (dir, root)
}

fn commit_all(root: &Path, message: &str) -> String {
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", message]);
    git(root, &["rev-parse", "HEAD"])
}

/// Runs `harden scan ARGS --format json -q`; returns (exit code, document, stderr).
fn scan_json(args: &[&str]) -> (u8, Value, String) {
    let mut full = vec!["scan", "--format", "json", "--quiet"];
    full.extend_from_slice(args);
    let (code, out, err) = run_cli(&full);
    let json = serde_json::from_str(&out).unwrap_or(Value::Null);
    (code, json, err)
}

fn findings(json: &Value) -> Vec<Value> {
    json["findings"].as_array().cloned().unwrap_or_default()
}

fn find<'a>(findings: &'a [Value], rule: &str) -> Vec<&'a Value> {
    findings
        .iter()
        .filter(|finding| finding["rule_id"] == rule)
        .collect()
}

fn path_of(root: &Path) -> String {
    root.display().to_string()
}

#[test]
fn secrets_and_files_added_then_deleted_are_reported_with_their_commit() {
    let (_dir, root) = new_repo();
    write(&root, ".env", b"LOG_LEVEL=debug\n");
    write(&root, "credentials/gmail_client_secret.json", br#"{"installed":{"client_id":"1.apps.googleusercontent.com","client_secret":"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"}}"#);
    write(&root, "data/app.db", b"SQLite format 3\0\x10\0\x01\x01");
    write(
        &root,
        "app/settings.py",
        format!("import os\nGITHUB_TOKEN = \"{GITHUB_TOKEN}\"\n").as_bytes(),
    );
    let added = commit_all(&root, "add config");
    fs::remove_file(root.join(".env")).unwrap_or_else(|error| panic!("{error}"));
    fs::remove_dir_all(root.join("credentials")).unwrap_or_else(|error| panic!("{error}"));
    fs::remove_dir_all(root.join("data")).unwrap_or_else(|error| panic!("{error}"));
    write(
        &root,
        "app/settings.py",
        b"import os\nGITHUB_TOKEN = os.environ[\"GITHUB_TOKEN\"]\n",
    );
    commit_all(&root, "remove secrets");

    // The working tree is clean now...
    let (code, _, _) = scan_json(&[&path_of(&root)]);
    assert_eq!(code, 0, "nothing is left in the working tree");
    // ...but the history is not.
    let (code, json, _) = scan_json(&["--history", &path_of(&root)]);
    assert_eq!(code, 1);
    let found = findings(&json);
    for (rule, path) in [
        ("env-file", ".env"),
        (
            "oauth-client-secret-file",
            "credentials/gmail_client_secret.json",
        ),
        ("database-file", "data/app.db"),
        ("github-pat", "app/settings.py"),
    ] {
        let matches = find(&found, rule);
        assert_eq!(matches.len(), 1, "{rule}: {found:#?}");
        let finding = matches[0];
        assert_eq!(finding["path"], path);
        assert_eq!(
            finding["commit"]["id"],
            added.as_str(),
            "{rule} points at the commit that added it"
        );
        assert_eq!(
            finding["present_at_head"], false,
            "{rule} is gone from HEAD"
        );
        assert_eq!(
            finding["commit"]["author"],
            "Harden Test <test@example.invalid>"
        );
    }
    assert_eq!(find(&found, "github-pat")[0]["start"]["line"], 2);
    assert_eq!(json["summary"]["commits_scanned"], 3);
    assert!(
        !serde_json::to_string(&json)
            .unwrap_or_default()
            .contains(GITHUB_TOKEN),
        "history findings are redacted too"
    );
}

#[test]
fn side_branches_are_scanned_unless_a_branch_is_chosen() {
    let (_dir, root) = new_repo();
    git(&root, &["checkout", "-qb", "experiment"]);
    write(
        &root,
        ".env",
        format!("AWS_ACCESS_KEY_ID={AWS_KEY}\n").as_bytes(),
    );
    let side = commit_all(&root, "try something");
    git(&root, &["checkout", "-q", "main"]);

    let (_, json, _) = scan_json(&["--history", &path_of(&root)]);
    let found = findings(&json);
    let env = find(&found, "env-file");
    assert_eq!(env.len(), 1, "{found:#?}");
    assert_eq!(env[0]["commit"]["id"], side.as_str());
    assert_eq!(env[0]["present_at_head"], false, "never merged into HEAD");
    assert_eq!(find(&found, "aws-access-key-id").len(), 1);

    let (code, json, _) = scan_json(&["--history", "--branch", "main", &path_of(&root)]);
    assert_eq!(code, 0, "{json:#}");
}

#[test]
fn renames_add_paths_and_merges_and_twin_branches_give_one_finding() {
    let (_dir, root) = new_repo();
    // A file that only becomes sensitive by its new name.
    write(&root, "google.json", br#"{"web":{"client_id":"2.apps.googleusercontent.com","client_secret":"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"}}"#);
    commit_all(&root, "oauth config");
    git(&root, &["mv", "google.json", "client_secret_prod.json"]);
    let renamed = commit_all(&root, "rename");

    // The same secret committed on two branches, one of them merged back.
    git(&root, &["checkout", "-qb", "feature"]);
    write(
        &root,
        "feature.py",
        format!("KEY = \"{AWS_KEY}\"\n").as_bytes(),
    );
    let on_feature = commit_all(&root, "feature");
    git(&root, &["checkout", "-q", "main"]);
    git(&root, &["checkout", "-qb", "hotfix"]);
    write(
        &root,
        "hotfix.py",
        format!("KEY = \"{AWS_KEY}\"\n").as_bytes(),
    );
    let on_hotfix = commit_all(&root, "hotfix");
    git(&root, &["checkout", "-q", "main"]);
    git(
        &root,
        &["merge", "-q", "--no-ff", "-m", "merge feature", "feature"],
    );
    let merge = git(&root, &["rev-parse", "HEAD"]);

    let (_, json, _) = scan_json(&["--history", &path_of(&root)]);
    let found = findings(&json);
    let oauth = find(&found, "oauth-client-secret-file");
    assert_eq!(oauth.len(), 1, "{found:#?}");
    assert_eq!(oauth[0]["path"], "client_secret_prod.json");
    assert_eq!(oauth[0]["commit"]["id"], renamed.as_str());
    assert_eq!(oauth[0]["present_at_head"], true);

    let aws = find(&found, "aws-access-key-id");
    assert_eq!(aws.len(), 1, "one secret, one finding: {found:#?}");
    let commits: Vec<&str> = aws[0]["commits"]
        .as_array()
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for expected in [&on_feature, &on_hotfix, &merge] {
        assert!(
            commits.contains(&expected.as_str()),
            "{expected} in {commits:?}"
        );
    }
    assert_eq!(aws[0]["present_at_head"], true, "merged into main");
}

#[test]
fn since_and_max_commits_narrow_the_walk() {
    let (_dir, root) = new_repo();
    write(&root, "old.py", format!("KEY = \"{AWS_KEY}\"\n").as_bytes());
    let old = commit_all(&root, "old secret");
    write(
        &root,
        "new.py",
        format!("TOKEN = \"{GITHUB_TOKEN}\"\n").as_bytes(),
    );
    commit_all(&root, "new secret");

    let (_, json, _) = scan_json(&["--history", "--since", &old, &path_of(&root)]);
    let found = findings(&json);
    let rules: Vec<&str> = found
        .iter()
        .filter_map(|finding| finding["rule_id"].as_str())
        .collect();
    assert_eq!(rules, ["github-pat"], "only commits after `old`");
    let (_, json, _) = scan_json(&["--history", "--max-commits", "1", &path_of(&root)]);
    assert_eq!(json["summary"]["commits_scanned"], 1);
    let (code, _, err) = run_cli(&[
        "scan",
        "--history",
        "--since",
        "no-such-rev",
        &path_of(&root),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown revision `no-such-rev`"), "{err}");
}

#[test]
fn partial_and_odd_repositories_are_scanned_as_far_as_possible() {
    let (dir, root) = new_repo();
    write(&root, "a.py", format!("KEY = \"{AWS_KEY}\"\n").as_bytes());
    commit_all(&root, "secret");
    write(&root, "b.py", b"x = 1\n");
    commit_all(&root, "more");
    write(&root, "c.py", b"y = 2\n");
    commit_all(&root, "even more");

    // Shallow clone: the boundary commit is diffed against nothing, and that is said.
    let shallow = dir.path().join("shallow");
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "2",
            &format!("file://{}", root.display()),
            &path_of(&shallow),
        ],
    );
    let (code, json, _) = scan_json(&["--history", &path_of(&shallow)]);
    assert!(code < 2, "{json:#}");
    assert!(json["skipped"].to_string().contains("shallow"), "{json:#}");

    // Bare clone: history works without a work tree; staged has nothing to read.
    let bare = dir.path().join("bare.git");
    git(
        dir.path(),
        &["clone", "-q", "--bare", &path_of(&root), &path_of(&bare)],
    );
    let (code, json, _) = scan_json(&["--history", &path_of(&bare)]);
    assert_eq!(code, 1);
    assert_eq!(find(&findings(&json), "aws-access-key-id").len(), 1);
    let (code, _, err) = run_cli(&["scan", "--staged", &path_of(&bare)]);
    assert_eq!(code, 2);
    assert!(err.contains("bare repository"), "{err}");

    // Detached HEAD.
    git(&root, &["checkout", "-q", "--detach", "HEAD~1"]);
    let (code, json, _) = scan_json(&["--history", &path_of(&root)]);
    assert_eq!(code, 1);
    assert_eq!(json["summary"]["commits_scanned"], 4);

    // A missing object: the rest is still scanned, and the gap is reported.
    let blob = git(&root, &["rev-parse", "HEAD:b.py"]);
    let object = root.join(".git/objects").join(&blob[..2]).join(&blob[2..]);
    fs::remove_file(&object).unwrap_or_else(|error| panic!("{}: {error}", object.display()));
    let (code, json, _) = scan_json(&["--history", &path_of(&root)]);
    assert_eq!(
        code, 1,
        "the secret in another commit is still found: {json:#}"
    );
    assert!(
        json["skipped"].to_string().contains("unreadable"),
        "{json:#}"
    );

    // Empty repository, and a directory that is not a repository.
    let empty = dir.path().join("empty");
    fs::create_dir_all(&empty).unwrap_or_else(|error| panic!("{error}"));
    git(&empty, &["init", "-q"]);
    let (code, json, _) = scan_json(&["--history", &path_of(&empty)]);
    assert_eq!(code, 0);
    assert!(
        json["skipped"].to_string().contains("no commits yet"),
        "{json:#}"
    );
    let plain = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    let (code, _, err) = run_cli(&["scan", "--history", &plain.path().display().to_string()]);
    assert_eq!(code, 2);
    assert!(err.contains("not a usable git repository"), "{err}");
}

#[test]
fn staged_scans_only_what_is_about_to_be_committed() {
    let (_dir, root) = new_repo();
    // Unstaged secrets do not count; staged ones do.
    write(
        &root,
        "scratch.py",
        format!("KEY = \"{AWS_KEY}\"\n").as_bytes(),
    );
    write(&root, "clean.py", b"import os\nKEY = os.environ['KEY']\n");
    git(&root, &["add", "clean.py"]);
    let (code, json, _) = scan_json(&["--staged", &path_of(&root)]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["summary"]["mode"], "staged");

    write(
        &root,
        "config/.env.production",
        format!("GITHUB_TOKEN={GITHUB_TOKEN}\n").as_bytes(),
    );
    git(&root, &["add", "config/.env.production"]);
    let (code, json, _) = scan_json(&["--staged", &path_of(&root)]);
    assert_eq!(code, 1);
    let found = findings(&json);
    assert_eq!(find(&found, "env-file").len(), 1, "{found:#?}");
    assert_eq!(find(&found, "github-pat")[0]["start"]["line"], 1);
    assert!(
        find(&found, "aws-access-key-id").is_empty(),
        "unstaged files are not scanned"
    );

    // Before the first commit, everything staged is new.
    let fresh = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    git(fresh.path(), &["init", "-q"]);
    write(
        fresh.path(),
        "k.py",
        format!("KEY = \"{AWS_KEY}\"\n").as_bytes(),
    );
    git(fresh.path(), &["add", "k.py"]);
    let (code, _, _) = scan_json(&["--staged", &fresh.path().display().to_string()]);
    assert_eq!(code, 1);
}

#[test]
fn install_hook_writes_a_working_hook_and_never_overwrites_one_silently() {
    let (_dir, root) = new_repo();
    let (code, out, _) = run_cli(&["install-hook", &path_of(&root)]);
    assert_eq!(code, 0, "{out}");
    let hook = root.join(".git/hooks/pre-commit");
    assert!(
        fs::read_to_string(&hook)
            .unwrap_or_default()
            .contains("harden scan --staged")
    );
    let (code, _, err) = run_cli(&["install-hook", &path_of(&root)]);
    assert_eq!(code, 2);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(run_cli(&["install-hook", "--force", &path_of(&root)]).0, 0);

    // The hook runs the real binary: a commit adding a key is refused, a clean one passes.
    let binary_dir = Path::new(env!("CARGO_BIN_EXE_harden"))
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    let path = format!(
        "{}:{}",
        binary_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let commit = |message: &str| {
        Command::new("git")
            .args([
                "-c",
                "user.name=Harden Test",
                "-c",
                "user.email=test@example.invalid",
                "commit",
                "-qm",
                message,
            ])
            .current_dir(&root)
            .env("PATH", &path)
            .output()
            .unwrap_or_else(|error| panic!("{error}"))
    };
    write(
        &root,
        "keys.py",
        format!("KEY = \"{AWS_KEY}\"\n").as_bytes(),
    );
    git(&root, &["add", "keys.py"]);
    let refused = commit("add key");
    assert!(!refused.status.success(), "the hook refuses the commit");
    // git passes the hook's output through (on stderr).
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&refused.stdout),
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(said.contains("aws-access-key-id"), "and says why: {said}");
    git(&root, &["rm", "-q", "--cached", "keys.py"]);
    write(&root, "ok.py", b"x = 1\n");
    git(&root, &["add", "ok.py"]);
    assert!(
        commit("clean change").status.success(),
        "a clean commit passes"
    );
}
