//! The GitHub integration: the action's scan step (`scripts/action/scan.sh`, run with the
//! `INPUT_*` variables and `GITHUB_OUTPUT` as the runner sets them, the built `harden` on
//! PATH), `action.yml` and `harden init`'s files. The YAML files are validated against the
//! GitHub schemas by `check-jsonschema` when it is installed, and must be when
//! `HARDEN_REQUIRE_CHECK_JSONSCHEMA` is set (CI sets it).

mod common;

use common::{repo_root, run_cli};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const APP: &str = "fixtures/apps/seed-emergence";

/// What one run of the scan step left behind.
struct StepRun {
    status: i32,
    stdout: String,
    outputs: BTreeMap<String, String>,
    sarif: Option<serde_json::Value>,
}

/// Runs the action's scan step in `work` with `inputs` (names as in action.yml).
fn scan_step(work: &Path, inputs: &[(&str, &str)]) -> StepRun {
    let harden = PathBuf::from(env!("CARGO_BIN_EXE_harden"));
    let bin_dir = harden.parent().map(Path::to_path_buf).unwrap_or_default();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap_or_else(|error| panic!("{error}"));
    let output_file = work.join("github-output");
    let mut command = Command::new("bash");
    command
        .arg(repo_root().join("scripts/action/scan.sh"))
        .current_dir(repo_root())
        .env("PATH", path)
        .env("GITHUB_OUTPUT", &output_file)
        .env("INPUT_SARIF_FILE", work.join("harden.sarif"));
    for (name, value) in inputs {
        command.env(
            format!("INPUT_{}", name.to_uppercase().replace('-', "_")),
            value,
        );
    }
    let output = command.output().unwrap_or_else(|error| panic!("{error}"));
    let outputs = std::fs::read_to_string(&output_file)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    let sarif = std::fs::read_to_string(work.join("harden.sarif"))
        .ok()
        .map(|text| serde_json::from_str(&text).unwrap_or_else(|error| panic!("{error}")));
    StepRun {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        outputs,
        sarif,
    }
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"))
}

#[test]
fn the_scan_step_writes_sarif_and_the_step_outputs() {
    let work = temp();
    let run = scan_step(work.path(), &[("path", APP), ("fail-on", "high")]);
    assert_eq!(
        run.status, 0,
        "the step itself never fails:\n{}",
        run.stdout
    );
    assert_eq!(run.outputs.get("exit-code").map(String::as_str), Some("1"));
    let sarif = run.sarif.unwrap_or_else(|| panic!("no SARIF written"));
    let results = sarif["runs"][0]["results"].as_array().map_or(0, Vec::len);
    assert!(results > 0, "the seed app has findings");
    assert_eq!(
        run.outputs.get("findings"),
        Some(&results.to_string()),
        "findings output counts the SARIF results"
    );
    assert_eq!(
        run.outputs.get("sarif-file").map(PathBuf::from),
        Some(work.path().join("harden.sarif"))
    );
    assert!(
        run.stdout.contains("jwt-secret-fallback"),
        "the text report is in the log:\n{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("::error file="),
        "no annotations when the SARIF is uploaded"
    );
}

#[test]
fn without_sarif_upload_findings_become_annotations() {
    let work = temp();
    let run = scan_step(
        work.path(),
        &[("path", APP), ("upload-sarif", "false"), ("format", "json")],
    );
    assert_eq!(run.status, 0);
    let annotations: Vec<&str> = run
        .stdout
        .lines()
        .filter(|line| line.starts_with("::error file=") || line.starts_with("::notice file="))
        .collect();
    assert!(!annotations.is_empty(), "{}", run.stdout);
    assert!(
        annotations
            .iter()
            .all(|line| line.contains(&format!("file={APP}/"))),
        "annotation paths are relative to the workspace: {annotations:?}"
    );
    assert!(
        run.stdout.contains("\"findings\": ["),
        "JSON report in the log"
    );
}

#[test]
fn a_baselined_repository_passes_and_bad_inputs_fail_clearly() {
    let work = temp();
    let baseline = work.path().join("baseline.json");
    let (code, _, err) = run_cli(&["baseline", APP, "--output", &baseline.display().to_string()]);
    assert_eq!(code, 0, "{err}");
    let run = scan_step(
        work.path(),
        &[("path", APP), ("baseline", &baseline.display().to_string())],
    );
    assert_eq!(run.outputs.get("exit-code").map(String::as_str), Some("0"));
    assert_eq!(run.outputs.get("findings").map(String::as_str), Some("0"));

    let work = temp();
    let run = scan_step(work.path(), &[("path", APP), ("fail-on", "severe")]);
    assert_eq!(run.status, 0);
    assert_eq!(run.outputs.get("exit-code").map(String::as_str), Some("2"));
    assert!(
        run.stdout.contains("::error title=harden::"),
        "{}",
        run.stdout
    );
}

/// The input names declared in action.yml (two-space keys under `inputs:`).
fn declared_inputs(action: &str) -> BTreeSet<String> {
    let block = action
        .split("\ninputs:\n")
        .nth(1)
        .and_then(|rest| rest.split("\noutputs:\n").next())
        .unwrap_or_default();
    block
        .lines()
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .filter_map(|line| line.trim().strip_suffix(':'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_action_input_reaches_the_scan_step() {
    let action = std::fs::read_to_string(repo_root().join("action.yml"))
        .unwrap_or_else(|error| panic!("{error}"));
    let script = std::fs::read_to_string(repo_root().join("scripts/action/scan.sh"))
        .unwrap_or_else(|error| panic!("{error}"));
    let inputs = declared_inputs(&action);
    assert!(inputs.contains("fail-on") && inputs.contains("history"));
    for input in &inputs {
        let variable = format!("INPUT_{}", input.to_uppercase().replace('-', "_"));
        assert!(
            action.contains(&format!("{variable}: ${{{{ inputs.{input} }}}}")),
            "action.yml passes {input} as {variable}"
        );
        assert!(script.contains(&variable), "scan.sh reads {variable}");
    }
}

/// Validates `file` against a schema bundled with check-jsonschema, if it is installed.
fn check_schema(builtin: &str, file: &Path) {
    let available = Command::new("check-jsonschema")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !available {
        assert!(
            std::env::var_os("HARDEN_REQUIRE_CHECK_JSONSCHEMA").is_none(),
            "HARDEN_REQUIRE_CHECK_JSONSCHEMA is set but check-jsonschema is not on PATH"
        );
        eprintln!(
            "check-jsonschema not installed: {} not validated",
            file.display()
        );
        return;
    }
    let output = Command::new("check-jsonschema")
        .args(["--builtin-schema", builtin])
        .arg(file)
        .output()
        .unwrap_or_else(|error| panic!("{error}"));
    assert!(
        output.status.success(),
        "{} is not a valid {builtin}:\n{}{}",
        file.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn action_yml_is_a_valid_action() {
    check_schema("vendor.github-actions", &repo_root().join("action.yml"));
}

#[test]
fn init_writes_the_three_files_once() {
    let dir = temp();
    let root = dir.path().display().to_string();
    let (code, out, err) = run_cli(&["init", &root]);
    assert_eq!(code, 0, "{err}");
    for file in [
        "harden.toml",
        ".pre-commit-config.yaml",
        ".github/workflows/harden.yml",
    ] {
        assert!(dir.path().join(file).is_file(), "{file} written: {out}");
    }
    // The configuration it wrote is one harden reads.
    let (code, _, err) = run_cli(&["scan", &root, "--quiet"]);
    assert_eq!(code, 0, "an empty repository with the new config: {err}");

    let workflow = dir.path().join(".github/workflows/harden.yml");
    let text = std::fs::read_to_string(&workflow).unwrap_or_else(|error| panic!("{error}"));
    assert!(text.contains(&format!("harden@v{}", env!("CARGO_PKG_VERSION"))));
    let action = std::fs::read_to_string(repo_root().join("action.yml"))
        .unwrap_or_else(|error| panic!("{error}"));
    let inputs = declared_inputs(&action);
    let with_block = text.split("        with:\n").last().unwrap_or_default();
    for line in with_block.lines() {
        let key = line.trim().trim_start_matches("# ");
        if let Some((name, _)) = key.split_once(':') {
            assert!(inputs.contains(name), "the workflow's input {name} exists");
        }
    }
    check_schema("vendor.github-workflows", &workflow);

    // A second run leaves every file as it is.
    std::fs::write(dir.path().join("harden.toml"), "fail-on = \"high\"\n")
        .unwrap_or_else(|error| panic!("{error}"));
    let (code, out, err) = run_cli(&["init", &root]);
    assert_eq!(code, 0);
    assert!(out.is_empty(), "nothing written: {out}");
    assert_eq!(err.matches("exists: left as it is").count(), 3, "{err}");
    let kept = std::fs::read_to_string(dir.path().join("harden.toml")).unwrap_or_default();
    assert_eq!(kept, "fail-on = \"high\"\n");
}
