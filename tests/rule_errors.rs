//! Loader diagnostics for malformed rule files: each points at the span in the file, with a
//! help line; several problems are reported together. Snapshots of the rendered messages.

mod common;

use common::repo_root;
use harden::rules::load::compile_all;
use miette::{GraphicalReportHandler, GraphicalTheme};

const HEADER: &str = r#"kind = "secret"
language = "any"
severity = "high"
cwe = ["CWE-798"]
message = "m"

[docs]
what = "w"
why = "w"
bad = "b"
good = "g"
remediation = "r"
fix_safety = "f"
"#;

fn render(files: &[(&str, String)]) -> String {
    let files: Vec<(String, String, bool)> = files
        .iter()
        .map(|(path, text)| ((*path).to_owned(), text.clone(), false))
        .collect();
    let error = match compile_all(&files) {
        Ok(_) => panic!("rule files should not load"),
        Err(error) => error,
    };
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .render_report(&mut out, &error)
        .unwrap_or_else(|error| panic!("{error}"));
    out
}

fn rule(id: &str, secret_table: &str) -> String {
    format!("id = \"{id}\"\n{HEADER}\n{secret_table}")
}

fn snapshot(name: &str, rendered: String) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(repo_root().join("tests/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, rendered));
}

#[test]
fn bad_toml() {
    snapshot(
        "rule_error_bad_toml",
        render(&[(
            "my-rules/broken.toml",
            "id = \"broken\"\nkind = secret\n".to_owned(),
        )]),
    );
}

#[test]
fn unknown_field() {
    let text = rule(
        "typo",
        "[secret]\nkeywords = [\"tok\"]\nregexp = 'tok_[a-z]+'\n",
    );
    snapshot(
        "rule_error_unknown_field",
        render(&[("my-rules/typo.toml", text)]),
    );
}

#[test]
fn invalid_regex() {
    let text = rule(
        "bad-regex",
        "[secret]\nkeywords = [\"tok\"]\nregex = '''tok_(?P<secret>[a-z+'''\n",
    );
    snapshot(
        "rule_error_invalid_regex",
        render(&[("my-rules/bad-regex.toml", text)]),
    );
}

#[test]
fn duplicate_id_and_other_problems_reported_together() {
    let good = rule(
        "dup",
        "[secret]\nkeywords = [\"tok\"]\nregex = 'tok_[a-z]+'\n",
    );
    let bad_cwe = rule(
        "wrong-cwe",
        "[secret]\nkeywords = [\"tok\"]\nregex = 'tok_[a-z]+'\n",
    )
    .replace("CWE-798", "798");
    let missing_table = format!("id = \"no-table\"\n{HEADER}");
    let rendered = render(&[
        ("a/dup.toml", good.clone()),
        ("b/dup.toml", good),
        ("a/wrong-cwe.toml", bad_cwe),
        ("a/no-table.toml", missing_table),
    ]);
    snapshot("rule_error_many", rendered);
}

#[test]
fn id_must_match_file_name() {
    let text = rule(
        "other-name",
        "[secret]\nkeywords = [\"tok\"]\nregex = 'tok_[a-z]+'\n",
    );
    let rendered = render(&[("my-rules/file-name.toml", text)]);
    assert!(
        rendered.contains("does not match the file name"),
        "{rendered}"
    );
    assert!(
        rendered.contains("my-rules/file-name.toml:1:6"),
        "{rendered}"
    );
}

#[test]
fn bad_glob_in_file_rule() {
    let text = format!("id = \"bad-glob\"\n{HEADER}\n[file]\npaths = [\"ok.txt\", \"a[b\"]\n")
        .replace("kind = \"secret\"", "kind = \"file\"");
    let rendered = render(&[("my-rules/bad-glob.toml", text)]);
    assert!(rendered.contains("invalid glob"), "{rendered}");
    assert!(rendered.contains("bad-glob.toml:17:20"), "{rendered}");
}
