//! Validation and compilation of a rule file: TOML text in, [`Rule`] out.
//!
//! Every problem becomes a diagnostic pointing at the span in the rule file (bad TOML,
//! unknown field, invalid regex or glob, a `kind` without its table, a malformed CWE id).
//! Nothing here panics on user input.

use super::checker::{Checker, problem};
use super::compile_fix::compile_fixes;
use super::compile_pattern::{compile_pattern_rule, compile_taint_rule};
use super::spec::{FileSpec, RuleKindSpec, RuleSpec, SecretSpec};
use super::{Docs, Examples, FileRule, RouteRule, Rule, RuleKind, SecretRule};
use crate::error::HardenError;
use crate::language::LanguageSelector;
use crate::rules::lazy_regex::LazyRegex;

/// Parses and compiles one rule file. `path` is how the file is named in messages; the
/// file stem must equal the rule id. Returns every problem found, not only the first.
pub fn compile_rule(path: &str, text: &str, builtin: bool) -> Result<Rule, Vec<HardenError>> {
    let spec: RuleSpec = toml::from_str(text).map_err(|error| {
        vec![problem(
            path,
            text,
            error.span(),
            error.message().trim().to_owned(),
            "the rule file format is described in rules/README.md",
            "here",
        )]
    })?;
    let mut errors = Vec::new();
    let checker = Checker {
        path,
        text,
        builtin,
    };

    let id = spec.id.get_ref().clone();
    if !is_kebab_case(&id) {
        errors.push(checker.at(
            &spec.id,
            format!("rule id `{id}` is not kebab-case"),
            "ids use lower-case letters, digits and single dashes, e.g. `aws-access-key-id`",
        ));
    }
    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".toml");
    if stem != id {
        errors.push(checker.at(
            &spec.id,
            format!("rule id `{id}` does not match the file name `{stem}.toml`"),
            "name each rule file after its id",
        ));
    }
    if spec.cwe.get_ref().is_empty() {
        errors.push(checker.at(
            &spec.cwe,
            "`cwe` is empty".to_owned(),
            "list at least one CWE id, e.g. `cwe = [\"CWE-798\"]`",
        ));
    }
    for cwe in spec.cwe.get_ref() {
        if !is_cwe(cwe) {
            errors.push(checker.at(
                &spec.cwe,
                format!("`{cwe}` is not a CWE id"),
                "write CWE ids as `CWE-<number>`, e.g. `CWE-798`",
            ));
        }
    }
    if spec.message.trim().is_empty() {
        errors.push(checker.at(
            &spec.id,
            "`message` is empty".to_owned(),
            "give a one-line message",
        ));
    }

    let languages = match &spec.language {
        Some(languages) if languages.get_ref().0.is_empty() => {
            errors.push(checker.at(
                languages,
                "`language` is an empty list".to_owned(),
                "name at least one language, or `any`",
            ));
            Vec::new()
        }
        Some(languages) => languages.get_ref().0.clone(),
        None => vec![LanguageSelector::Any],
    };

    let present: Vec<&str> = [
        ("secret", spec.secret.is_some()),
        ("file", spec.file.is_some()),
        ("pattern", spec.pattern.is_some()),
        ("taint", spec.taint.is_some()),
        ("route", spec.route.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, present)| present.then_some(name))
    .collect();
    let kind_name = spec.kind.get_ref().as_str();
    let fixes = compile_fixes(&checker, *spec.kind.get_ref(), spec.fix, &mut errors);
    let tables = (spec.secret, spec.file, spec.pattern, spec.taint, spec.route);
    let kind = match (*spec.kind.get_ref(), tables) {
        (RuleKindSpec::Secret, (Some(secret), None, None, None, None)) => {
            compile_secret(&checker, secret, &mut errors).map(RuleKind::Secret)
        }
        (RuleKindSpec::File, (None, Some(file), None, None, None)) => {
            compile_file(&checker, file, &mut errors).map(RuleKind::File)
        }
        (RuleKindSpec::Pattern, (None, None, Some(pattern), None, None)) => {
            compile_pattern_rule(&checker, pattern, &mut errors).map(RuleKind::Pattern)
        }
        (RuleKindSpec::Taint, (None, None, None, Some(taint), None)) => {
            compile_taint_rule(&checker, taint, &mut errors).map(RuleKind::Taint)
        }
        (RuleKindSpec::Route, (None, None, None, None, Some(route))) => {
            let path_regex = checker.regex(&route.path_regex, &mut errors);
            let auth_names = checker.regex(&route.auth_names, &mut errors);
            match (path_regex, auth_names) {
                (Some(path_regex), Some(auth_names)) => Some(RuleKind::Route(RouteRule {
                    path_regex,
                    auth_names,
                })),
                _ => None,
            }
        }
        _ => {
            let others: Vec<&str> = present
                .iter()
                .copied()
                .filter(|name| *name != kind_name)
                .collect();
            let message = if others.is_empty() {
                format!("a `{kind_name}` rule needs a [{kind_name}] table")
            } else {
                format!(
                    "a `{kind_name}` rule must not have a [{}] table",
                    others.join("], [")
                )
            };
            errors.push(checker.at(
                &spec.kind,
                message,
                "keep exactly one kind table, named like `kind`",
            ));
            None
        }
    };

    match kind {
        Some(kind) if errors.is_empty() => Ok(Rule {
            id,
            id_span: spec.id.span(),
            languages,
            severity: spec.severity,
            cwe: spec.cwe.into_inner(),
            message: spec.message,
            docs: Docs {
                what: spec.docs.what,
                why: spec.docs.why,
                bad: spec.docs.bad,
                good: spec.docs.good,
                remediation: spec.docs.remediation,
                fix_safety: spec.docs.fix_safety,
                references: spec.docs.references,
            },
            examples: Examples {
                positive: spec.examples.positive,
                negative: spec.examples.negative,
            },
            source_path: path.to_owned(),
            builtin,
            kind,
            fixes,
        })
        .map(|mut rule| {
            resolve_example_paths(&mut rule, spec.examples.path.as_deref());
            rule
        }),
        _ => Err(errors),
    }
}

/// Fills in the file name of examples that did not give one.
fn resolve_example_paths(rule: &mut Rule, default: Option<&str>) {
    let fallback = default.unwrap_or(rule.default_example_path()).to_owned();
    for example in rule
        .examples
        .positive
        .iter_mut()
        .chain(rule.examples.negative.iter_mut())
    {
        if example.path.is_none() {
            example.path = Some(fallback.clone());
        }
    }
}

fn compile_secret(
    checker: &Checker<'_>,
    spec: SecretSpec,
    errors: &mut Vec<HardenError>,
) -> Option<SecretRule> {
    let regex = checker.regex(&spec.regex, errors);
    let secret_group = regex.as_ref().and_then(|regex| {
        regex
            .capture_names()
            .position(|name| name == Some("secret"))
    });
    if spec
        .keywords
        .iter()
        .any(|keyword| keyword.trim().is_empty())
    {
        errors.push(checker.at(
            &spec.regex,
            "a keyword is empty".to_owned(),
            "remove empty strings from `keywords`",
        ));
    }
    let min_entropy = spec.min_entropy.unwrap_or(0.0);
    if !(0.0..=8.0).contains(&min_entropy) {
        errors.push(checker.at(
            &spec.regex,
            format!("min_entropy {min_entropy} is outside 0..=8"),
            "entropy is in bits per character: 3.0 to 4.5 suits most tokens",
        ));
    }
    let allow_paths = checker.globs(&spec.allowlist.paths, errors);
    let allow_regexes: Vec<LazyRegex> = spec
        .allowlist
        .regexes
        .iter()
        .filter_map(|pattern| checker.regex(pattern, errors))
        .collect();
    let regex = regex?;
    Some(SecretRule {
        keywords: spec
            .keywords
            .iter()
            .map(|keyword| keyword.to_lowercase())
            .collect(),
        regex,
        secret_group,
        min_entropy,
        priority: spec.priority,
        skip_placeholders: spec.skip_placeholders,
        allow_paths: allow_paths?,
        allow_regexes,
        stopwords: spec
            .allowlist
            .stopwords
            .iter()
            .map(|word| word.to_lowercase())
            .collect(),
    })
}

fn compile_file(
    checker: &Checker<'_>,
    spec: FileSpec,
    errors: &mut Vec<HardenError>,
) -> Option<FileRule> {
    if spec.paths.is_empty() && spec.magic.is_empty() {
        errors.push(problem(
            checker.path,
            checker.text,
            None,
            "a [file] table needs `paths` or `magic`".to_owned(),
            "say which files the rule selects",
            "here",
        ));
    }
    let paths = checker.globs(&spec.paths, errors);
    let exclude = checker.globs(&spec.exclude, errors);
    let contains = spec
        .contains
        .as_ref()
        .map(|pattern| checker.regex(pattern, errors));
    let contains = match contains {
        Some(None) => return None,
        Some(Some(regex)) => Some(regex),
        None => None,
    };
    Some(FileRule {
        paths: paths?,
        magic: spec
            .magic
            .into_iter()
            .filter(|magic| !magic.is_empty())
            .map(String::into_bytes)
            .collect(),
        exclude: exclude?,
        contains,
        when: spec.when,
    })
}

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn is_cwe(id: &str) -> bool {
    id.strip_prefix("CWE-")
        .is_some_and(|number| !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()))
}
