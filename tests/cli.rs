//! The command line end to end (in-process): exit codes, options, configuration, rule-file
//! errors, and the skipped-file report.

mod common;

use common::{fixture, run_cli};
use std::fs;
use std::path::Path;

const AWS_KEY: &str = "AKIAQWF3GH7LT2PNXR5M";

fn write(dir: &Path, path: &str, text: impl AsRef<[u8]>) {
    let path = dir.join(path);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap_or_else(|error| panic!("{error}"));
    }
    fs::write(path, text).unwrap_or_else(|error| panic!("{error}"));
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"))
}

fn path(dir: &tempfile::TempDir) -> String {
    dir.path().display().to_string()
}

#[test]
fn clean_directory_exits_0() {
    let dir = temp();
    write(
        dir.path(),
        "app.py",
        "import os\nKEY = os.environ[\"AWS_ACCESS_KEY_ID\"]\n",
    );
    let (code, out, _) = run_cli(&["scan", &path(&dir)]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("No findings in 1 file."), "{out}");
}

#[test]
fn findings_exit_1_and_fail_on_raises_the_bar() {
    let dir = temp();
    write(dir.path(), "app.py", format!("KEY = \"{AWS_KEY}\"\n"));
    assert_eq!(run_cli(&["scan", &path(&dir), "--quiet"]).0, 1);
    assert_eq!(
        run_cli(&["scan", &path(&dir), "--fail-on", "critical", "--quiet"]).0,
        1
    );
    write(dir.path(), "app.py", "x = 1\n");
    write(dir.path(), "keys/server.p12", [0x30u8, 0x82, 0x01]);
    // keystore-file is high: fails at the default (low) and at high, not at critical.
    assert_eq!(run_cli(&["scan", &path(&dir), "--quiet"]).0, 1);
    assert_eq!(
        run_cli(&["scan", &path(&dir), "--fail-on", "critical", "--quiet"]).0,
        0
    );
}

#[test]
fn unreadable_target_and_bad_usage_exit_2() {
    let (code, _, err) = run_cli(&["scan", "/definitely/not/here"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read /definitely/not/here"), "{err}");
    assert_eq!(run_cli(&["scan", "--format", "xml", "."]).0, 2);
    assert_eq!(run_cli(&["scan", "--bogus"]).0, 2);
    assert_eq!(run_cli(&["explain", "no-such-rule"]).0, 2);
}

#[test]
fn output_file_receives_the_report() {
    let dir = temp();
    write(dir.path(), "app.py", format!("KEY = \"{AWS_KEY}\"\n"));
    let report = dir.path().join("out/report.json");
    fs::create_dir_all(report.parent().unwrap_or(dir.path()))
        .unwrap_or_else(|error| panic!("{error}"));
    let (code, out, _) = run_cli(&[
        "scan",
        &path(&dir),
        "--format",
        "json",
        "--output",
        &report.display().to_string(),
        "--exclude",
        "out/**",
    ]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "stdout stays empty with --output");
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&report).unwrap_or_default()).unwrap_or_default();
    assert_eq!(json["findings"][0]["rule_id"], "aws-access-key-id");
    assert_eq!(json["findings"][0]["secret"], "AKIA*****");
}

#[test]
fn summary_goes_to_stderr_unless_quiet() {
    let dir = temp();
    write(dir.path(), "a.py", "x = 1\n");
    let (_, out, err) = run_cli(&["scan", &path(&dir), "--format", "json"]);
    assert!(err.contains("harden: scanned 1 file"), "{err}");
    assert!(
        serde_json::from_str::<serde_json::Value>(&out).is_ok(),
        "stdout is only the JSON document"
    );
    let (_, _, err) = run_cli(&["scan", &path(&dir), "--quiet"]);
    assert!(err.is_empty(), "{err}");
}

#[test]
fn skipped_files_are_reported_with_reasons() {
    let dir = temp();
    write(
        dir.path(),
        "big.py",
        format!(
            "# padding\n{}\nKEY = \"{AWS_KEY}\"\n",
            "x = 1\n".repeat(400)
        ),
    );
    write(
        dir.path(),
        "logo.png",
        [0x89u8, b'P', b'N', b'G', 0, 0, 0, 0],
    );
    write(
        dir.path(),
        "latin1.py",
        b"name = \"caf\xe9\"\nKEY = \"AKIAN6TY2RJ4WPK3QZ7D\"\n",
    );
    let (code, out, err) = run_cli(&[
        "scan",
        &path(&dir),
        "--format",
        "json",
        "--max-file-size",
        "1K",
    ]);
    assert_eq!(code, 1, "the latin-1 file is still scanned");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    let skipped = json["skipped"].to_string();
    assert!(
        skipped.contains("\"path\":\"big.py\"") && skipped.contains("too-large"),
        "{skipped}"
    );
    assert!(
        skipped.contains("\"path\":\"logo.png\"") && skipped.contains("binary"),
        "{skipped}"
    );
    assert!(skipped.contains("invalid-utf8"), "{skipped}");
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(1), "{out}");
    assert_eq!(json["findings"][0]["path"], "latin1.py");
    assert_eq!(json["findings"][0]["start"]["line"], 2);
    assert!(err.contains("skipped 3 paths"), "{err}");
    assert!(err.contains("over the size limit"), "{err}");
}

#[cfg(unix)]
#[test]
fn symlinks_are_never_followed_out_of_the_root() {
    let outside = temp();
    write(
        outside.path(),
        "secret.py",
        format!("KEY = \"{AWS_KEY}\"\n"),
    );
    let dir = temp();
    write(dir.path(), "app.py", "x = 1\n");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("linked-dir"))
        .unwrap_or_else(|error| panic!("{error}"));
    std::os::unix::fs::symlink(
        outside.path().join("secret.py"),
        dir.path().join("linked.py"),
    )
    .unwrap_or_else(|error| panic!("{error}"));
    std::os::unix::fs::symlink("loop", dir.path().join("loop"))
        .unwrap_or_else(|error| panic!("{error}"));
    let (code, out, _) = run_cli(&["scan", &path(&dir), "--format", "json", "--quiet"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("symlink"), "{out}");
}

#[test]
fn malformed_user_rules_exit_2_naming_file_line_and_problem() {
    let dir = temp();
    write(
        dir.path(),
        "rules/bad-regex.toml",
        include_str!("data/bad-regex.toml"),
    );
    let (code, out, err) = run_cli(&[
        "scan",
        &fixture("fixtures/snapshot"),
        "--rules",
        &path(&dir),
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("bad-regex.toml:23:9"), "{err}");
    assert!(err.contains("invalid regex"), "{err}");
    assert!(out.is_empty(), "no scan with a broken rule set");
}

#[test]
fn user_rules_run_alongside_or_instead_of_the_builtin_ones() {
    let rules = temp();
    write(
        rules.path(),
        "internal-token.toml",
        include_str!("data/internal-token.toml"),
    );
    let dir = temp();
    write(
        dir.path(),
        "client.py",
        "TOKEN = \"acme_live_9fK2pQ7vX3mZ8rT5wL1n\"\n",
    );
    let (code, out, _) = run_cli(&[
        "scan",
        &path(&dir),
        "--rules",
        &path(&rules),
        "--format",
        "json",
        "--quiet",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("\"rule_id\": \"internal-token\""), "{out}");
    let (_, listing, _) = run_cli(&["rules", "--no-default-rules", "--rules", &path(&rules)]);
    assert!(
        listing.contains("internal-token") && listing.contains("1 rules."),
        "{listing}"
    );
    let (code, _, _) = run_cli(&["scan", &path(&dir), "--no-default-rules", "--quiet"]);
    assert_eq!(code, 0, "no rules, no findings");
}

#[test]
fn configuration_from_harden_toml() {
    let dir = temp();
    write(dir.path(), "app.py", format!("KEY = \"{AWS_KEY}\"\n"));
    write(
        dir.path(),
        "tests/data.py",
        format!("KEY = \"{AWS_KEY}\"\n"),
    );
    write(dir.path(), ".env", "LOG_LEVEL=info\n");
    write(
        dir.path(),
        "harden.toml",
        "exclude = [\"tests/**\"]\ndisable = [\"env-file\"]\nfail-on = \"critical\"\nmax-file-size = \"1MiB\"\n",
    );
    let (code, out, _) = run_cli(&["scan", &path(&dir), "--format", "json", "--quiet"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    let findings = json["findings"].as_array().cloned().unwrap_or_default();
    let rules: Vec<&str> = findings
        .iter()
        .filter_map(|finding| finding["rule_id"].as_str())
        .collect();
    assert_eq!(
        rules,
        ["aws-access-key-id"],
        "tests/ excluded, env-file disabled: {out}"
    );
}

#[test]
fn configuration_from_pyproject_and_its_errors() {
    let dir = temp();
    write(dir.path(), "app.py", "x = 1\n");
    write(dir.path(), ".env", "LOG_LEVEL=info\n");
    write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"demo\"\n\n[tool.harden]\ndisable = [\"env-file\", \"sensitive-file-not-gitignored\"]\n",
    );
    assert_eq!(run_cli(&["scan", &path(&dir), "--quiet"]).0, 0);

    write(
        dir.path(),
        "pyproject.toml",
        "[tool.harden]\ndisabled = [\"env-file\"]\n",
    );
    let (code, _, err) = run_cli(&["scan", &path(&dir)]);
    assert_eq!(code, 2);
    assert!(
        err.contains("pyproject.toml:2:1") && err.contains("unknown field `disabled`"),
        "{err}"
    );

    write(
        dir.path(),
        "pyproject.toml",
        "[tool.harden]\ndisable = [\"no-such-rule\"]\n",
    );
    let (code, _, err) = run_cli(&["scan", &path(&dir)]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown rule `no-such-rule`"), "{err}");
}

#[test]
fn inline_suppression() {
    let dir = temp();
    write(
        dir.path(),
        "app.py",
        format!(
            "A = \"{AWS_KEY}\"  # harden: ignore[aws-access-key-id]\n# harden: ignore\nB = \"{AWS_KEY}\"\nC = \"{AWS_KEY}\"  # harden: ignore[other-rule]\n"
        ),
    );
    let (code, out, _) = run_cli(&["scan", &path(&dir), "--format", "json", "--quiet"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    assert_eq!(json["summary"]["suppressed"], 2);
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["findings"][0]["start"]["line"], 4);
}

#[test]
fn rules_and_explain() {
    let (code, out, _) = run_cli(&["rules"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("aws-access-key-id") && out.contains("CWE-798"),
        "{out}"
    );
    let (code, out, _) = run_cli(&["explain", "env-file"]);
    assert_eq!(code, 0);
    for section in [
        "## What it does",
        "## Why is this bad",
        "## Example",
        "## Use instead",
        "## Remediation",
        "## Fix safety",
    ] {
        assert!(out.contains(section), "{section} missing:\n{out}");
    }
    let (code, out, _) = run_cli(&["--version"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("harden "), "{out}");
}

#[test]
fn single_file_target() {
    let dir = temp();
    write(dir.path(), "app.py", format!("KEY = \"{AWS_KEY}\"\n"));
    let (code, out, _) = run_cli(&[
        "scan",
        &dir.path().join("app.py").display().to_string(),
        "--format",
        "json",
        "--quiet",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("\"path\": \"app.py\""), "{out}");
}
