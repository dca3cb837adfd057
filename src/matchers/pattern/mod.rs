//! The `pattern` matcher: structural code patterns over tree-sitter syntax trees (Python).
//!
//! `ptree.rs` compiles code patterns, `matcher.rs` matches one against a node, `rule.rs`
//! combines them, `consts.rs` propagates constants. [`PatternRule`] is a compiled rule with
//! its prefilters (node kinds, required identifiers); `matches_in` runs it over a file.

pub mod consts;
pub mod matcher;
pub mod ptree;
pub mod rule;

use crate::fix::Fix;
use crate::rules::RuleFix;
use matcher::{Bindings, FileContext, bound};
use rule::RuleObject;
use std::collections::HashMap;
use std::ops::Range;
use tree_sitter::Node;

/// A compiled `pattern` rule.
#[derive(Debug)]
pub struct PatternRule {
    /// What must match.
    pub object: RuleObject,
    /// Metavariable whose node is reported instead of the whole match.
    pub focus: Option<String>,
    /// Node kinds the rule can match (`None`: any).
    kinds: Option<Vec<String>>,
    /// The file must contain every word of at least one clause (`None`: no requirement).
    words: Option<Vec<Vec<String>>>,
}

impl PatternRule {
    /// Wraps a compiled rule object, deriving its prefilters.
    pub fn new(object: RuleObject, focus: Option<String>) -> PatternRule {
        let kinds = candidate_kinds(&object);
        let words = required_words(&object);
        PatternRule {
            object,
            focus,
            kinds,
            words,
        }
    }

    /// Whether the rule can match a node of this kind (cheap test before matching).
    pub fn can_match(&self, kind: &str) -> bool {
        self.kinds
            .as_ref()
            .is_none_or(|kinds| kinds.iter().any(|candidate| candidate == kind))
    }

    /// Identifier clauses the file must satisfy (one clause's words all present), if any.
    pub fn words(&self) -> Option<&Vec<Vec<String>>> {
        self.words.as_ref()
    }
}

fn candidate_kinds(object: &RuleObject) -> Option<Vec<String>> {
    let mut constraints: Vec<Vec<String>> = Vec::new();
    if let Some(pattern) = &object.pattern
        && let Some(kinds) = pattern.candidate_kinds()
    {
        constraints.push(kinds.into_iter().map(str::to_owned).collect());
    }
    if let Some(kind) = &object.kind {
        constraints.push(vec![kind.clone()]);
    }
    if !object.any.is_empty() {
        let alternatives: Option<Vec<Vec<String>>> =
            object.any.iter().map(candidate_kinds).collect();
        if let Some(alternatives) = alternatives {
            let mut union: Vec<String> = alternatives.into_iter().flatten().collect();
            union.sort();
            union.dedup();
            constraints.push(union);
        }
    }
    constraints.extend(object.all.iter().filter_map(candidate_kinds));
    let mut constraints = constraints.into_iter();
    let first = constraints.next()?;
    Some(constraints.fold(first, |kept, next| {
        kept.into_iter()
            .filter(|kind| next.contains(kind))
            .collect()
    }))
}

/// What a file must contain for the object to possibly match: clauses of words, one clause
/// entirely present (`None`: no requirement known). Every field of an object must hold, so any
/// one field's requirement is sound; the most specific field is used.
fn required_words(object: &RuleObject) -> Option<Vec<Vec<String>>> {
    let from_pattern = object.pattern.as_ref().and_then(|pattern| {
        let mut words = Vec::new();
        pattern.required_words(&mut words);
        words.retain(|word| !word.is_empty());
        (!words.is_empty()).then(|| vec![words])
    });
    let from_any = if object.any.is_empty() {
        None
    } else {
        let alternatives: Option<Vec<Vec<Vec<String>>>> =
            object.any.iter().map(required_words).collect();
        alternatives.map(|alternatives| alternatives.into_iter().flatten().collect())
    };
    from_pattern
        .or_else(|| {
            object
                .regex
                .as_ref()
                .and_then(|regex| regex_literals(regex.as_str()))
        })
        .or(from_any)
        .or_else(|| object.all.iter().find_map(required_words))
        .or_else(|| object.has.as_deref().and_then(required_words))
        .or_else(|| object.inside.as_deref().and_then(required_words))
}

/// Literals one of which every match of `pattern` starts with (at most a few, each at least
/// 3 bytes; case-insensitive regexes expand beyond that and give none): a sound file
/// prefilter for a `regex` field, since the matched text is in the file.
pub fn regex_literals(pattern: &str) -> Option<Vec<Vec<String>>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix).limit_total(64);
    let sequence = extractor.extract(&hir);
    let literals = sequence.literals()?;
    if literals.is_empty() || literals.len() > 16 {
        return None;
    }
    let mut clauses = Vec::new();
    for literal in literals {
        let word = String::from_utf8(literal.as_bytes().to_vec()).ok()?;
        if word.len() < 3 {
            return None;
        }
        clauses.push(vec![word]);
    }
    Some(clauses)
}

impl PatternRule {
    /// The nodes of a file this rule may match, by kind (`by_kind`: the file's nodes by kind).
    pub fn candidates<'t>(&self, by_kind: &HashMap<&'static str, Vec<Node<'t>>>) -> Vec<Node<'t>> {
        match &self.kinds {
            Some(kinds) => kinds
                .iter()
                .flat_map(|kind| by_kind.get(kind.as_str()).into_iter().flatten().copied())
                .collect(),
            None => by_kind.values().flatten().copied().collect(),
        }
    }

    /// What this rule reports in a file (`by_kind`: the file's nodes by kind): each reported
    /// range with the first of `fixes` that applies to that match.
    pub fn matches_in<'t>(
        &self,
        cx: &FileContext<'t>,
        by_kind: &HashMap<&'static str, Vec<Node<'t>>>,
        fixes: &[RuleFix],
        path: &str,
    ) -> Vec<(Range<usize>, Option<Fix>)> {
        let mut found: Vec<(Range<usize>, Option<Fix>)> = Vec::new();
        for node in self.candidates(by_kind) {
            let mut env: Bindings<'t> = Vec::new();
            if self.object.matches(node, cx, &mut env) {
                let reported = self
                    .focus
                    .as_ref()
                    .and_then(|focus| bound(&env, focus))
                    .unwrap_or(node);
                if found
                    .iter()
                    .any(|(range, _)| *range == reported.byte_range())
                {
                    continue;
                }
                found.push((
                    reported.byte_range(),
                    instantiate(fixes, path, cx, &env, reported),
                ));
            }
        }
        found.sort_by_key(|(range, _)| (range.start, range.end));
        found
    }
}

/// The first template fix that applies to a match.
pub fn instantiate<'t>(
    fixes: &[RuleFix],
    path: &str,
    cx: &FileContext<'t>,
    env: &Bindings<'t>,
    reported: Node<'t>,
) -> Option<Fix> {
    fixes.iter().find_map(|fix| match fix {
        RuleFix::Template(template) => template.instantiate(path, cx, env, reported),
        _ => None,
    })
}

/// Every named node of the tree, grouped by kind (iterative: deep nesting cannot overflow).
pub fn nodes_by_kind(root: Node<'_>) -> HashMap<&'static str, Vec<Node<'_>>> {
    let mut by_kind: HashMap<&'static str, Vec<Node<'_>>> = HashMap::new();
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_named() {
            by_kind.entry(node.kind()).or_default().push(node);
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return by_kind;
            }
        }
    }
}
