//! Compilation of `pattern` and `taint` rules: rule objects with code patterns, validated
//! so that every metavariable a `where` or `focus` names is bound by some pattern.

use super::checker::Checker;
use super::spec::{BuiltinSource, ConditionSpec, RuleObjectSpec, TaintSpec};
use crate::error::HardenError;
use crate::matchers::pattern::PatternRule;
use crate::matchers::pattern::ptree::{PNode, compile_pattern};
use crate::matchers::pattern::rule::{Condition, RuleObject};
use crate::matchers::taint::TaintRule;
use std::collections::BTreeSet;

/// Compiles the `[pattern]` table of a rule.
pub fn compile_pattern_rule(
    checker: &Checker<'_>,
    spec: RuleObjectSpec,
    errors: &mut Vec<HardenError>,
) -> Option<PatternRule> {
    let before = errors.len();
    let mut bound = BTreeSet::new();
    collect_metavariables(&spec, &mut bound, checker, errors);
    if !has_positive_field(&spec) {
        errors.push(checker.problem_here(
            "a [pattern] table needs `pattern`, `kind`, `regex`, `any`, `all` or `has`".to_owned(),
            "say what code the rule matches",
        ));
    }
    let focus = spec.focus.as_ref().map(|focus| focus.get_ref().clone());
    if let Some(focus_spec) = &spec.focus
        && !bound.contains(focus_spec.get_ref())
    {
        errors.push(checker.at(
            focus_spec,
            format!(
                "`focus` names {}, which no pattern binds",
                focus_spec.get_ref()
            ),
            "focus on a metavariable of a pattern, e.g. `$ARG`",
        ));
    }
    let object = compile_object(checker, spec, &bound, true, errors);
    if errors.len() > before {
        return None;
    }
    Some(PatternRule::new(object?, focus))
}

/// Compiles the `[taint]` table of a rule: each source, sink, sanitizer and guard is a rule
/// object of its own (with its own metavariables and `focus`).
pub fn compile_taint_rule(
    checker: &Checker<'_>,
    spec: TaintSpec,
    errors: &mut Vec<HardenError>,
) -> Option<TaintRule> {
    let before = errors.len();
    if spec.sinks.is_empty() {
        errors.push(checker.problem_here(
            "a [taint] table needs at least one sink".to_owned(),
            "add `sinks = [{ pattern = \"...\", focus = \"$X\" }]`",
        ));
    }
    if spec.sources.is_empty() && spec.builtin_sources.is_empty() {
        errors.push(checker.problem_here(
            "a [taint] table needs `sources` or `builtin_sources`".to_owned(),
            "e.g. `builtin_sources = [\"route-parameters\"]`",
        ));
    }
    let entries = |list: Vec<RuleObjectSpec>, errors: &mut Vec<HardenError>| -> Vec<PatternRule> {
        list.into_iter()
            .filter_map(|entry| compile_pattern_rule(checker, entry, errors))
            .collect()
    };
    let rule = TaintRule {
        route_parameters: spec
            .builtin_sources
            .contains(&BuiltinSource::RouteParameters),
        sources: entries(spec.sources, errors),
        sinks: entries(spec.sinks, errors),
        sanitizers: entries(spec.sanitizers, errors),
        guards: entries(spec.guards, errors),
        rejects: entries(spec.rejects, errors),
        url_sinks: spec.url_sinks,
    };
    (errors.len() == before).then_some(rule)
}

/// Compiles a rule object used as a condition elsewhere (a fix's `when`): its own
/// metavariables count as bound.
pub fn compile_condition_object(
    checker: &Checker<'_>,
    spec: RuleObjectSpec,
    errors: &mut Vec<HardenError>,
) -> Option<RuleObject> {
    let mut bound = BTreeSet::new();
    collect_metavariables(&spec, &mut bound, checker, errors);
    compile_object(checker, spec, &bound, false, errors)
}

fn has_positive_field(spec: &RuleObjectSpec) -> bool {
    spec.pattern.is_some()
        || spec.kind.is_some()
        || spec.regex.is_some()
        || !spec.any.is_empty()
        || !spec.all.is_empty()
        || spec.has.is_some()
}

/// Gathers metavariables bound by patterns anywhere in the object (and reports patterns
/// that do not compile).
fn collect_metavariables(
    spec: &RuleObjectSpec,
    bound: &mut BTreeSet<String>,
    checker: &Checker<'_>,
    errors: &mut Vec<HardenError>,
) {
    if let Some(pattern) = &spec.pattern {
        match compile_pattern(pattern.get_ref()) {
            Ok(node) => metavariables(&node, bound),
            Err(error) => errors.push(checker.at(pattern, format!("invalid pattern: {}", error.message), "patterns are Python code with `$X`, `$_`, `...` and `$$$` placeholders; see rules/README.md")),
        }
    }
    for child in spec.any.iter().chain(&spec.all) {
        collect_metavariables(child, bound, checker, errors);
    }
    for child in [
        &spec.not,
        &spec.inside,
        &spec.not_inside,
        &spec.has,
        &spec.not_has,
    ]
    .into_iter()
    .flatten()
    {
        collect_metavariables(child, bound, checker, errors);
    }
    for condition in &spec.conditions {
        for child in [&condition.matches, &condition.not_matches]
            .into_iter()
            .flatten()
        {
            collect_metavariables(child, bound, checker, errors);
        }
    }
}

fn metavariables(node: &PNode, bound: &mut BTreeSet<String>) {
    if let PNode::Meta(name) = node {
        bound.insert(name.clone());
    }
    for child in node.children() {
        metavariables(child, bound);
    }
}

fn compile_object(
    checker: &Checker<'_>,
    spec: RuleObjectSpec,
    bound: &BTreeSet<String>,
    root: bool,
    errors: &mut Vec<HardenError>,
) -> Option<RuleObject> {
    if !root && let Some(focus) = &spec.focus {
        errors.push(checker.at(
            focus,
            "`focus` is only allowed at the top of [pattern]".to_owned(),
            "move it to the [pattern] table",
        ));
    }
    let pattern = spec
        .pattern
        .as_ref()
        .and_then(|pattern| compile_pattern(pattern.get_ref()).ok());
    let regex = spec
        .regex
        .as_ref()
        .and_then(|regex| checker.regex(regex, errors));
    let nested = |child: Option<Box<RuleObjectSpec>>, errors: &mut Vec<HardenError>| {
        child
            .and_then(|child| compile_object(checker, *child, bound, false, errors))
            .map(Box::new)
    };
    let not = nested(spec.not, errors);
    let inside = nested(spec.inside, errors);
    let not_inside = nested(spec.not_inside, errors);
    let has = nested(spec.has, errors);
    let not_has = nested(spec.not_has, errors);
    let any = spec
        .any
        .into_iter()
        .filter_map(|child| compile_object(checker, child, bound, false, errors))
        .collect();
    let all = spec
        .all
        .into_iter()
        .filter_map(|child| compile_object(checker, child, bound, false, errors))
        .collect();
    let conditions = spec
        .conditions
        .into_iter()
        .map(|condition| compile_condition(checker, condition, bound, errors))
        .collect();
    Some(RuleObject {
        pattern,
        kind: spec.kind.map(|kind| kind.into_inner()),
        regex,
        any,
        all,
        not,
        inside,
        not_inside,
        has,
        not_has,
        conditions,
        // Filled once the whole rule is built (`PatternRule::new`).
        kinds: None,
    })
}

fn compile_condition(
    checker: &Checker<'_>,
    spec: ConditionSpec,
    bound: &BTreeSet<String>,
    errors: &mut Vec<HardenError>,
) -> Condition {
    let name = spec.metavariable.get_ref().clone();
    if !bound.contains(&name) {
        errors.push(checker.at(
            &spec.metavariable,
            format!("{name} is not bound by any pattern of this rule"),
            "name a metavariable that a `pattern` binds, e.g. `$ARG`",
        ));
    }
    let regex = |pattern: &Option<toml::Spanned<String>>, errors: &mut Vec<HardenError>| {
        pattern
            .as_ref()
            .and_then(|pattern| checker.regex(pattern, errors))
    };
    let object = |child: Option<Box<RuleObjectSpec>>, errors: &mut Vec<HardenError>| {
        child
            .and_then(|child| compile_object(checker, *child, bound, false, errors))
            .map(Box::new)
    };
    Condition {
        metavariable: name,
        regex: regex(&spec.regex, errors),
        not_regex: regex(&spec.not_regex, errors),
        value_regex: regex(&spec.value_regex, errors),
        literal: spec.literal,
        min_length: spec.min_length,
        max_length: spec.max_length,
        names: spec.names,
        not_names: spec.not_names,
        made_by: spec.made_by,
        matches: object(spec.matches, errors),
        not_matches: object(spec.not_matches, errors),
    }
}
