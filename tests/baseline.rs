//! Baselines end to end: `harden baseline` on a seed app, then `scan --baseline` is clean,
//! stays clean when lines move, and reports exactly the one secret added afterwards.

mod common;

use common::{files_under, repo_root, run_cli};
use std::path::Path;

const APP: &str = "fixtures/apps/seed-emergence";
/// A format-valid, random, fake AWS access key id added after the baseline.
const NEW_KEY: &str = "AKIAPATMKT57COKK4OM4";

/// A copy of the seed app in a fresh directory.
fn copy_of_app() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    let source = repo_root().join(APP);
    for file in files_under(&source) {
        let relative = file.strip_prefix(&source).unwrap_or(&file);
        let target = dir.path().join(relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|error| panic!("{error}"));
        }
        std::fs::copy(&file, &target).unwrap_or_else(|error| panic!("{error}"));
    }
    dir
}

fn path(dir: &Path) -> String {
    dir.display().to_string()
}

fn edit(file: &Path, change: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|error| panic!("{error}"));
    std::fs::write(file, change(text)).unwrap_or_else(|error| panic!("{error}"));
}

fn json_findings(out: &str) -> Vec<serde_json::Value> {
    let value: serde_json::Value =
        serde_json::from_str(out).unwrap_or_else(|error| panic!("{error}: {out}"));
    value["findings"].as_array().cloned().unwrap_or_default()
}

#[test]
fn a_baselined_app_is_clean_until_a_new_secret_is_added() {
    let app = copy_of_app();
    let root = path(app.path());
    let (code, before, _) = run_cli(&["scan", &root, "--format", "json", "--quiet"]);
    assert_eq!(code, 1, "the seed app has findings");
    let found = json_findings(&before).len();

    let (code, out, err) = run_cli(&["baseline", &root]);
    assert_eq!(code, 0, "{out}{err}");
    let baseline_file = app.path().join(".harden-baseline.json");
    let baseline =
        std::fs::read_to_string(&baseline_file).unwrap_or_else(|error| panic!("{error}"));
    assert!(
        out.contains(&format!("{found} findings")),
        "says how many findings it recorded: {out}"
    );
    assert!(!baseline.contains("AKIA"), "no secret in the baseline file");

    let baseline_arg = path(&baseline_file);
    let (code, out, err) = run_cli(&["scan", &root, "--baseline", &baseline_arg]);
    assert_eq!(code, 0, "everything is baselined:\n{out}{err}");
    assert!(
        err.contains(&format!("{found} findings in the baseline")),
        "the summary counts them: {err}"
    );

    // Lines moved by an edit elsewhere in the file: still the same findings.
    let main = app.path().join("src/backend/main.py");
    edit(&main, |text| format!("# A comment added on top.\n\n{text}"));
    let (code, out, _) = run_cli(&["scan", &root, "--baseline", &baseline_arg, "--quiet"]);
    assert_eq!(code, 0, "moved lines stay baselined:\n{out}");

    // One new secret: exit 1, and it is the only finding reported.
    edit(&main, |text| {
        text.replacen(
            "import os\n",
            &format!("import os\n\nBACKUP_KEY_ID = \"{NEW_KEY}\"\n"),
            1,
        )
    });
    let (code, out, _) = run_cli(&[
        "scan",
        &root,
        "--baseline",
        &baseline_arg,
        "--format",
        "json",
        "--quiet",
    ]);
    assert_eq!(code, 1, "the new secret fails the scan:\n{out}");
    let reported = json_findings(&out);
    let summary: Vec<String> = reported
        .iter()
        .map(|finding| format!("{} {}", finding["rule_id"], finding["path"]))
        .collect();
    assert_eq!(
        summary,
        vec!["\"aws-access-key-id\" \"src/backend/main.py\"".to_owned()],
        "only the new secret is reported"
    );
    assert!(!out.contains(NEW_KEY), "and it is redacted");
}

#[test]
fn the_configured_baseline_applies_without_the_flag() {
    let app = copy_of_app();
    let root = path(app.path());
    let (code, _, _) = run_cli(&["baseline", &root]);
    assert_eq!(code, 0);
    std::fs::write(
        app.path().join("harden.toml"),
        "baseline = \".harden-baseline.json\"\n",
    )
    .unwrap_or_else(|error| panic!("{error}"));
    let (code, out, err) = run_cli(&["scan", &root]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn a_malformed_baseline_is_a_clear_error() {
    let app = copy_of_app();
    let root = path(app.path());
    let bad = app.path().join("bad-baseline.json");
    std::fs::write(&bad, "{\"version\": 1, \"findings\": [{\"path\": 3}]}\n")
        .unwrap_or_else(|error| panic!("{error}"));
    let (code, _, err) = run_cli(&["scan", &root, "--baseline", &path(&bad)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a harden baseline"), "{err}");

    let missing = app.path().join("missing.json");
    let (code, _, err) = run_cli(&["scan", &root, "--baseline", &path(&missing)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("missing.json"), "names the file: {err}");
}
