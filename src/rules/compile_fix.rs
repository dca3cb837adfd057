//! Compilation of `[[fix]]` tables: templates parsed, targets and operations checked, each
//! fix's kind matching the rule's (templates for pattern and taint rules, `environment` for
//! secret rules, `gitignore` for file rules).

use super::checker::Checker;
use super::compile_pattern::compile_condition_object;
use super::spec::{EditSpec, FixSpec, RuleKindSpec};
use crate::error::HardenError;
use crate::fix::Applicability;
use crate::fix::strategy::Strategy;
use crate::fix::template::{EditTemplate, FixTemplate, Operation, Target, Template};
use crate::matchers::pattern::ptree::{PNode, compile_pattern};
use toml::Spanned;

/// A compiled fix of a rule.
#[derive(Debug)]
pub enum RuleFix {
    /// Template edits over the match.
    Template(Box<FixTemplate>),
    /// A secret moved to the environment.
    Environment {
        /// Applicability of the fix.
        applicability: Applicability,
    },
    /// A sensitive file ignored (and untracked).
    Gitignore {
        /// Candidate lines for `.gitignore`: those matching the file are added (and the
        /// negations they need), else the file's own path.
        patterns: Vec<String>,
        /// Also untrack the file when it is tracked.
        untrack: bool,
        /// Applicability of the fix.
        applicability: Applicability,
    },
}

/// Compiles the `[[fix]]` tables of a rule of `kind`.
pub fn compile_fixes(
    checker: &Checker<'_>,
    kind: RuleKindSpec,
    specs: Vec<FixSpec>,
    errors: &mut Vec<HardenError>,
) -> Vec<RuleFix> {
    let mut fixes = Vec::new();
    for spec in specs {
        let applicability = *spec.applicability.get_ref();
        match (spec.strategy.as_ref().map(|strategy| *strategy.get_ref()), kind) {
            (Some(Strategy::Environment), RuleKindSpec::Secret) => fixes.push(RuleFix::Environment { applicability }),
            (Some(Strategy::Gitignore), RuleKindSpec::File) => {
                fixes.push(RuleFix::Gitignore { patterns: spec.gitignore, untrack: spec.untrack, applicability });
            }
            (Some(_), _) => {
                let at = spec.strategy.as_ref().map_or_else(|| spec.applicability.span(), Spanned::span);
                errors.push(super::checker::problem(checker.path, checker.text, Some(at), format!("this strategy does not apply to `{}` rules", kind.as_str()), "`environment` is for secret rules, `gitignore` for file rules", "here"));
            }
            (None, RuleKindSpec::Pattern | RuleKindSpec::Taint) => {
                if let Some(template) = compile_template_fix(checker, spec, errors) {
                    fixes.push(RuleFix::Template(Box::new(template)));
                }
            }
            (None, _) => errors.push(checker.at(&spec.applicability, format!("`{}` rules take a `strategy` fix, not edits", kind.as_str()), "use `strategy = \"environment\"` (secret rules) or `strategy = \"gitignore\"` (file rules)")),
        }
    }
    fixes
}

fn compile_template_fix(
    checker: &Checker<'_>,
    spec: FixSpec,
    errors: &mut Vec<HardenError>,
) -> Option<FixTemplate> {
    let before = errors.len();
    let Some(title) = spec.title.clone() else {
        errors.push(checker.at(
            &spec.applicability,
            "a template fix needs a `title`".to_owned(),
            "say what the fix does, e.g. `title = \"Read allowed origins from CORS_ORIGINS\"`",
        ));
        return None;
    };
    if spec.edits.is_empty() {
        errors.push(checker.at(&spec.applicability, "a template fix needs `[[fix.edits]]`".to_owned(), "add at least one edit with a `replace`, `insert_before`, `insert_after`, `set_keyword` or `remove_keyword`"));
    }
    let edits: Vec<EditTemplate> = spec
        .edits
        .into_iter()
        .filter_map(|edit| compile_edit(checker, &spec.applicability, edit, errors))
        .collect();
    let text_template = |text: &str, errors: &mut Vec<HardenError>| match Template::parse(text) {
        Ok(template) => Some(template),
        Err(message) => {
            errors.push(checker.at(
                &spec.applicability,
                format!("invalid template in the fix's title or advice: {message}"),
                "write `$$` for a dollar",
            ));
            None
        }
    };
    let title = text_template(&title, errors)?;
    let advice = match &spec.advice {
        Some(advice) => Some(text_template(advice, errors)?),
        None => None,
    };
    let when = spec
        .when
        .and_then(|when| compile_condition_object(checker, when, errors));
    (errors.len() == before).then(|| FixTemplate {
        title,
        applicability: *spec.applicability.get_ref(),
        edits,
        imports: spec.imports,
        advice,
        when,
    })
}

fn compile_edit(
    checker: &Checker<'_>,
    anchor: &Spanned<Applicability>,
    spec: EditSpec,
    errors: &mut Vec<HardenError>,
) -> Option<EditTemplate> {
    let target = match &spec.target {
        None => Target::Reported,
        Some(target) => {
            let text = target.get_ref();
            if let Some(name) = text.strip_prefix("keyword:") {
                Target::Keyword(name.to_owned())
            } else if text.starts_with('$') {
                Target::Meta(text.clone())
            } else {
                errors.push(checker.at(target, format!("unknown fix target `{text}`"), "use a metavariable (`$X`) or `keyword:NAME`; leave it out for the reported node"));
                return None;
            }
        }
    };
    let template = |text: &Spanned<String>, errors: &mut Vec<HardenError>| match Template::parse(
        text.get_ref(),
    ) {
        Ok(template) => Some(template),
        Err(message) => {
            errors.push(checker.at(
                text,
                format!("invalid fix template: {message}"),
                "templates are text with `$X`, `${X|value}`, `${X|env}` and `$$`",
            ));
            None
        }
    };
    let mut operations = Vec::new();
    if let Some(text) = &spec.replace {
        operations.push(template(text, errors).map(Operation::Replace));
    }
    if let Some(text) = &spec.insert_before {
        operations.push(template(text, errors).map(Operation::InsertBefore));
    }
    if let Some(text) = &spec.insert_after {
        operations.push(template(text, errors).map(Operation::InsertAfter));
    }
    if let Some(name) = &spec.set_keyword {
        match &spec.value {
            Some(value) => operations.push(
                template(value, errors).map(|value| Operation::SetKeyword(name.clone(), value)),
            ),
            None => errors.push(checker.at(
                anchor,
                format!("`set_keyword = \"{name}\"` needs a `value`"),
                "give the template of the argument's value",
            )),
        }
    }
    if let Some(name) = &spec.remove_keyword {
        operations.push(Some(Operation::RemoveKeyword(name.clone())));
    }
    if let Some(name) = &spec.replace_keyword {
        match &spec.value {
            Some(value) => operations.push(
                template(value, errors).map(|value| Operation::ReplaceKeyword(name.clone(), value)),
            ),
            None => errors.push(checker.at(
                anchor,
                format!("`replace_keyword = \"{name}\"` needs a `value`"),
                "give the template of the argument's value",
            )),
        }
    }
    let patterns = |list: &[Spanned<String>], errors: &mut Vec<HardenError>| -> Vec<PNode> {
        list.iter()
            .filter_map(|pattern| match compile_pattern(pattern.get_ref()) {
                Ok(node) => Some(node),
                Err(error) => {
                    errors.push(checker.at(
                        pattern,
                        format!("invalid pattern: {}", error.message),
                        "patterns are Python code with placeholders",
                    ));
                    None
                }
            })
            .collect()
    };
    let select = patterns(&spec.select, errors);
    let widen = patterns(&spec.widen, errors);
    if operations.len() != 1 {
        errors.push(checker.at(anchor, "each fix edit needs exactly one operation".to_owned(), "one of `replace`, `insert_before`, `insert_after`, `set_keyword` (+ `value`), `remove_keyword`"));
        return None;
    }
    let operation = operations.pop().flatten()?;
    Some(EditTemplate {
        target,
        select,
        widen,
        operation,
    })
}
