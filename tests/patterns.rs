//! The pattern engine on small snippets: placeholders, import resolution, constant
//! propagation, combinators and backtracking, each case a rule and the lines it must report.

use harden::engine::Engine;
use harden::rules::load::compile_all;

const HEADER: &str = r#"kind = "pattern"
language = "python"
severity = "low"
cwe = ["CWE-20"]
message = "m"

[docs]
what = "w"
why = "w"
bad = "b"
good = "g"
remediation = "r"
fix_safety = "f"
"#;

/// Lines (1-based) where a rule with this `[pattern]` table reports in `code`.
fn lines(pattern_table: &str, code: &str) -> Vec<usize> {
    let text = format!("id = \"probe\"\n{HEADER}\n[pattern]\n{pattern_table}\n");
    let rules = match compile_all(&[("probe.toml".to_owned(), text, false)]) {
        Ok(rules) => rules,
        Err(error) => panic!("rule does not compile: {error:?}"),
    };
    let engine = Engine::new(&rules, false);
    engine
        .scan_text("probe.py", code, &|_| None)
        .findings
        .iter()
        .map(|finding| finding.start.line)
        .collect()
}

#[test]
fn names_resolve_through_imports() {
    let code = "import subprocess as sp\nfrom subprocess import run\nimport os\nsp.run(x)\nrun(y)\nos.system(z)\nother.run(w)\n";
    assert_eq!(lines(r#"pattern = "subprocess.run($X)""#, code), vec![4, 5]);
}

#[test]
fn constants_propagate_into_literal_patterns() {
    let code = "origins = ['https://a.example', '*']\nA = 'x' + 'y'\ndef f():\n    g(origins)\n    g(['*'])\n    g(['https://a.example'])\n    h(A)\n";
    assert_eq!(lines(r#"pattern = "g([..., '*', ...])""#, code), vec![4, 5]);
    assert_eq!(lines(r#"pattern = "h('xy')""#, code), vec![7]);
}

#[test]
fn keyword_arguments_match_in_any_order_and_closed_calls_are_exact() {
    let code = "f(a=1, b=2)\nf(b=2, a=1)\nf(a=1)\nf(a=1, b=2, c=3)\n";
    assert_eq!(
        lines(r#"pattern = "f(b=2, ..., a=1)""#, code),
        vec![1, 2, 4]
    );
    assert_eq!(lines(r#"pattern = "f(a=1, b=2)""#, code), vec![1, 2]);
}

#[test]
fn any_alternatives_backtrack_through_later_conditions() {
    let table = r#"any = [{ pattern = "f($X, ...)" }, { pattern = "f(..., $X)" }]
[[pattern.where]]
metavariable = "$X"
regex = "^b$"
"#;
    assert_eq!(lines(table, "f(a, b)\nf(b, a)\nf(a, c)\n"), vec![1, 2]);
}

#[test]
fn ellipsis_splits_backtrack_through_conditions() {
    let table = r#"pattern = "g([..., $ITEM, ...])"
[[pattern.where]]
metavariable = "$ITEM"
value_regex = "^~"
"#;
    assert_eq!(lines(table, "g(['a', 'b', '~'])\ng(['a', 'b'])\n"), vec![1]);
}

#[test]
fn dict_patterns_with_ellipsis_and_variables() {
    let code = "x({'a': 1, 'b': 2})\nx({'b': 2})\nparams = {'key': k, 'alt': 'sse'}\nclient.get(url, params=params)\nclient.get(url, params={'q': q})\n";
    assert_eq!(lines(r#"pattern = "x({'a': 1, ...})""#, code), vec![1]);
    assert_eq!(
        lines(
            r#"pattern = "$C.get(..., params={'key': $_, ...}, ...)""#,
            code
        ),
        vec![4]
    );
}

#[test]
fn metavariable_attribute_names_bind() {
    let table = r#"pattern = "$C.$M(..., params=$P, ...)"
[[pattern.where]]
metavariable = "$M"
regex = "^(get|post)$"
"#;
    assert_eq!(
        lines(table, "c.get(u, params=p)\nc.put(u, params=p)\n"),
        vec![1]
    );
}

#[test]
fn inside_and_not_inside() {
    let code = "def f():\n    if settings.debug:\n        run(1)\n    run(2)\n";
    assert_eq!(
        lines(
            "pattern = \"run($X)\"\nnot_inside = { pattern = \"if settings.debug: ...\" }",
            code
        ),
        vec![4]
    );
    assert_eq!(
        lines(
            "pattern = \"run($X)\"\ninside = { pattern = \"if settings.debug: ...\" }",
            code
        ),
        vec![3]
    );
}

#[test]
fn except_clauses_bind_the_exception_for_conditions() {
    let code = "try:\n    go()\nexcept ValueError as e:\n    raise HTTPException(detail=str(e))\nexcept KeyError as k:\n    raise HTTPException(detail='bad key')\n";
    let table = r#"pattern = "HTTPException(..., detail=$D, ...)"
inside = { pattern = "except $T as $E: ..." }
[[pattern.where]]
metavariable = "$D"
matches = { has = { pattern = "$E" } }
"#;
    assert_eq!(lines(table, code), vec![4]);
}

#[test]
fn fstrings_and_decorators() {
    assert_eq!(
        lines(
            r#"pattern = "log(f'...{$X}...')""#,
            "log(f'a {b} c')\nlog('plain')\n"
        ),
        vec![1]
    );
    let code = "@cache\n@router.get('/x')\nasync def f():\n    pass\n\n@router.post('/y')\ndef g():\n    pass\n";
    assert_eq!(
        lines(
            "pattern = \"\"\"\n@$R.get(...)\ndef $F(...):\n    ...\n\"\"\"",
            code
        ),
        vec![1]
    );
}

#[test]
fn invalid_and_deeply_nested_code_do_not_break_matching() {
    let nested = format!("x = {}1{}\nrun(2)\n", "(".repeat(3000), ")".repeat(3000));
    assert_eq!(lines(r#"pattern = "run($X)""#, &nested), vec![2]);
    assert_eq!(
        lines(r#"pattern = "run($X)""#, "def broken(:\nrun(3)\n"),
        vec![2]
    );
}

#[test]
fn cyclic_assignments_end() {
    let code = "a = b\nb = a\nf(x=a)\nc = g(1)\nf(x=c)\n";
    assert_eq!(lines(r#"pattern = "f(x=g(...))""#, code), vec![5]);
}
