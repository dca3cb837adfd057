//! Golden (snapshot) tests of every output format on `fixtures/snapshot`, SARIF validated
//! against the official 2.1.0 schema, and no secret printed in full by any format.

mod common;

use common::{repo_root, run_cli};

const SAMPLE: &str = "fixtures/snapshot";
/// Every credential planted in the sample (none may appear in full without --show-secrets).
const PLANTED: &[&str] = &["AKIAQWF3GH7LT2PNXR5M", "AKIAN6TY2RJ4WPK3QZ7D"];

fn scan(format: &str) -> (u8, String) {
    scan_with(&["--format", format])
}

fn scan_with(extra: &[&str]) -> (u8, String) {
    let mut args = vec!["scan", SAMPLE, "--quiet", "--threads", "1"];
    args.extend_from_slice(extra);
    let (code, out, _) = run_cli(&args);
    (code, out)
}

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(env!("CARGO_PKG_VERSION"), "[VERSION]");
    // The number of rules changes with every rule added; the snapshot is about the format.
    settings.add_filter(r#""rules_run": \d+"#, r#""rules_run": "[N]""#);
    settings.set_snapshot_path(repo_root().join("tests/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}

#[test]
fn text_report() {
    let (code, out) = scan("text");
    assert_eq!(code, 1);
    settings().bind(|| insta::assert_snapshot!("report_text", out));
}

#[test]
fn json_report() {
    let (code, out) = scan("json");
    assert_eq!(code, 1);
    let value: serde_json::Value = serde_json::from_str(&out)
        .unwrap_or_else(|error| panic!("JSON output does not parse: {error}\n{out}"));
    assert_eq!(value["version"], "1");
    for finding in value["findings"].as_array().unwrap_or(&Vec::new()) {
        assert!(
            finding["cwe"].as_array().is_some_and(|cwe| !cwe.is_empty()),
            "finding without CWE: {finding}"
        );
    }
    settings().bind(|| insta::assert_snapshot!("report_json", out));
}

#[test]
fn sarif_report_is_valid_sarif_2_1_0() {
    let (code, out) = scan("sarif");
    assert_eq!(code, 1);
    let log: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|error| panic!("SARIF does not parse: {error}"));
    let schema_text =
        std::fs::read_to_string(repo_root().join("tests/schemas/sarif-schema-2.1.0.json"))
            .unwrap_or_default();
    // The official schema's `language` pattern has a stray `]` that ECMA-262 reads as a
    // literal but Rust regex engines reject; escape it so the rest of the schema applies.
    let schema_text = schema_text.replace("{2}]?$", "{2}\\\\]?$");
    let schema: serde_json::Value =
        serde_json::from_str(&schema_text).unwrap_or_else(|error| panic!("schema: {error}"));
    let validator = jsonschema::validator_for(&schema)
        .unwrap_or_else(|error| panic!("schema does not compile: {error}"));
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );

    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for result in run["results"].as_array().cloned().unwrap_or_default() {
        let index = result["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
        assert_eq!(
            rules.get(index).map(|rule| &rule["id"]),
            Some(&result["ruleId"]),
            "ruleIndex points at the rule"
        );
        assert!(result["partialFingerprints"]["harden/v1"].is_string());
        let tags = result["properties"]["tags"].to_string();
        assert!(tags.contains("external/cwe/cwe-"), "CWE tags: {tags}");
    }
    for rule in &rules {
        assert!(
            rule["properties"]["security-severity"].is_string(),
            "security-severity on {}",
            rule["id"]
        );
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .is_some_and(|help| help.contains("## Why is this bad"))
        );
    }
    settings().bind(|| insta::assert_snapshot!("report_sarif", out));
}

#[test]
fn github_annotations_report() {
    let (code, out) = scan("github");
    assert_eq!(code, 1);
    for line in out.lines() {
        assert!(
            ["::error ", "::warning ", "::notice "]
                .iter()
                .any(|command| line.starts_with(command)),
            "one workflow command per line: {line}"
        );
        assert!(line.contains("file="), "annotation without a file: {line}");
    }
    settings().bind(|| insta::assert_snapshot!("report_github", out));
}

#[test]
fn markdown_audit_report_in_english() {
    let (code, out) = scan("markdown");
    assert_eq!(code, 1);
    assert!(out.contains("| **CRITICAL** | 2 |"), "{out}");
    assert!(out.contains("```diff"), "proposed fixes are shown: {out}");
    settings().bind(|| insta::assert_snapshot!("report_markdown_en", out));
}

#[test]
fn markdown_audit_report_in_french() {
    let (code, out) = scan_with(&["--format", "markdown", "--lang", "fr"]);
    assert_eq!(code, 1);
    assert!(out.contains("## Résumé exécutif"), "{out}");
    settings().bind(|| insta::assert_snapshot!("report_markdown_fr", out));
}

#[test]
fn no_format_prints_a_secret_in_full() {
    for format in ["text", "json", "sarif", "github", "markdown"] {
        let (_, out) = scan(format);
        for secret in PLANTED {
            assert!(!out.contains(secret), "{format} output leaks {secret}");
        }
    }
    // Fix diffs remove the secret on a `-` line: masked too.
    let (_, out) = scan_with(&["--show-fixes"]);
    assert!(out.contains("-AWS_ACCESS_KEY_ID = \"AKIA*****\""), "{out}");
    for secret in PLANTED {
        assert!(!out.contains(secret), "--show-fixes leaks {secret}");
    }
}

#[test]
fn show_secrets_is_an_explicit_opt_in() {
    let (_, out, _) = run_cli(&[
        "scan",
        SAMPLE,
        "--format",
        "json",
        "--quiet",
        "--show-secrets",
    ]);
    assert!(
        PLANTED.iter().all(|secret| out.contains(secret)),
        "--show-secrets prints the secrets"
    );
}
