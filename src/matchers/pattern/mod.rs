//! The `pattern` matcher: structural code patterns over tree-sitter syntax trees (Python).
//!
//! `ptree.rs` compiles code patterns, `matcher.rs` matches one against a node, `rule.rs`
//! combines them, `consts.rs` propagates constants. [`PatternRule`] is a compiled rule with
//! its prefilters (node kinds, required identifiers); `matches_in` runs it over a file.

pub mod consts;
pub mod literals;
pub mod matcher;
pub mod ptree;
pub mod rule;

use crate::fix::Fix;
use crate::parse::node_ext::{kind_index, kind_index_count, kind_index_of};
use crate::parse::python::walk_named;
use crate::rules::RuleFix;
use matcher::{Bindings, FileContext, bound};
use rule::RuleObject;
use std::ops::Range;
use tree_sitter::Node;

/// The named nodes of a file, by kind (in lists indexed by kind, not hashed by name).
#[derive(Debug, Default)]
pub struct NodesByKind<'t> {
    lists: Vec<Vec<Node<'t>>>,
}

impl<'t> NodesByKind<'t> {
    /// The nodes of kind `kind`, in document order.
    pub fn get(&self, kind: &str) -> Option<&Vec<Node<'t>>> {
        self.lists
            .get(kind_index_of(kind)?)
            .filter(|list| !list.is_empty())
    }

    /// Every list of nodes of one kind.
    pub fn values(&self) -> impl Iterator<Item = &Vec<Node<'t>>> {
        self.lists.iter()
    }
}

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
    pub fn new(mut object: RuleObject, focus: Option<String>) -> PatternRule {
        object.index_kinds(&candidate_kinds);
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
/// entirely present (`None`: no requirement known); words marked [`literals::FOLDED`] are
/// matched ASCII case-insensitively. Every positive field of an object must hold, so their
/// requirements combine (see [`all_of`]); negative fields require nothing.
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
    let from_kind = object
        .kind
        .as_deref()
        .and_then(kind_keyword)
        .map(|keyword| vec![vec![keyword.to_owned()]]);
    let mut options = vec![
        from_kind,
        from_pattern,
        object
            .regex
            .as_ref()
            .and_then(|regex| regex_literals(regex.as_str())),
        from_any,
    ];
    options.extend(object.all.iter().map(required_words));
    options.push(object.has.as_deref().and_then(required_words));
    options.push(object.inside.as_deref().and_then(required_words));
    options.extend(object.conditions.iter().map(condition_words));
    all_of(options)
}

/// What the node bound by a `where` condition requires of the file: its text matches
/// `regex`; an import-resolved name (`names`, `made_by`) is written with its first and last
/// parts.
fn condition_words(condition: &rule::Condition) -> Option<Vec<Vec<String>>> {
    let last_parts = |names: &[String]| -> Option<Vec<Vec<String>>> {
        (!names.is_empty()).then(|| names.iter().map(|name| ptree::name_words(name)).collect())
    };
    let options = [
        condition
            .regex
            .as_ref()
            .and_then(|regex| regex_literals(regex.as_str())),
        // A constant's text is in the file (see `PNode::required_words` for the limits).
        condition
            .value_regex
            .as_ref()
            .and_then(|regex| regex_literals(regex.as_str())),
        last_parts(&condition.names),
        last_parts(&condition.made_by),
        condition.matches.as_deref().and_then(required_words),
    ];
    all_of(options)
}

/// The keyword a node of this kind is written with (`yield`, `except`...), if any.
fn kind_keyword(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "yield" => "yield",
        "return_statement" => "return",
        "raise_statement" => "raise",
        "except_clause" => "except",
        "try_statement" => "try",
        "with_statement" => "with",
        "lambda" => "lambda",
        "await" => "await",
        "global_statement" => "global",
        "nonlocal_statement" => "nonlocal",
        "assert_statement" => "assert",
        "import_statement" | "import_from_statement" => "import",
        "function_definition" => "def",
        "class_definition" => "class",
        "while_statement" => "while",
        "decorated_definition" | "decorator" => "@",
        _ => return None,
    })
}

/// More clauses than this are not multiplied out (the prefilter stays cheap to evaluate).
const MAX_CLAUSES: usize = 256;

/// Requirements that must all hold, as one: the clauses multiplied out (a file must satisfy
/// one clause of each), the most selective requirements first, while the product stays
/// small; the rest are dropped, which only makes the prefilter weaker.
fn all_of(
    requirements: impl IntoIterator<Item = Option<Vec<Vec<String>>>>,
) -> Option<Vec<Vec<String>>> {
    let mut requirements: Vec<Vec<Vec<String>>> = requirements.into_iter().flatten().collect();
    // Stable: among equals, the earlier field first.
    requirements.sort_by_key(|clauses| std::cmp::Reverse(selectivity(clauses)));
    let mut combined: Option<Vec<Vec<String>>> = None;
    for clauses in requirements {
        combined = match combined {
            None => Some(clauses),
            Some(current) if current.len() * clauses.len() <= MAX_CLAUSES => Some(
                current
                    .iter()
                    .flat_map(|left| {
                        clauses.iter().map(move |right| {
                            let mut clause = left.clone();
                            for word in right {
                                if !clause.contains(word) {
                                    clause.push(word.clone());
                                }
                            }
                            clause
                        })
                    })
                    .collect(),
            ),
            Some(current) => Some(current),
        };
    }
    combined
}

/// How selective clauses are: the total length of the words of the weakest clause (an `any`
/// is as weak as its commonest alternative; a clause of several words is stronger than one).
fn selectivity(clauses: &[Vec<String>]) -> usize {
    clauses
        .iter()
        .map(|clause| {
            clause
                .iter()
                .map(|word| word.trim_start_matches(literals::FOLDED).len())
                .sum()
        })
        .min()
        .unwrap_or(0)
}

/// Strings one of which every match of `pattern` contains (see [`literals`]), as clauses of
/// case-insensitive words.
pub fn regex_literals(pattern: &str) -> Option<Vec<Vec<String>>> {
    literals::required_substrings(pattern).map(|words| {
        words
            .into_iter()
            .map(|word| vec![format!("{}{word}", literals::FOLDED)])
            .collect()
    })
}

impl PatternRule {
    /// The nodes of a file this rule may match, by kind (`by_kind`: the file's nodes by kind).
    pub fn candidates<'t>(&self, by_kind: &NodesByKind<'t>) -> Vec<Node<'t>> {
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
        by_kind: &NodesByKind<'t>,
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
pub fn nodes_by_kind(root: Node<'_>) -> NodesByKind<'_> {
    let mut lists: Vec<Vec<Node<'_>>> = vec![Vec::new(); kind_index_count()];
    walk_named(root, |node, _| {
        if let Some(list) = lists.get_mut(kind_index(node)) {
            list.push(node);
        }
    });
    NodesByKind { lists }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::python::PythonSource;

    #[test]
    fn every_named_node_is_listed_under_its_kind() {
        let code = "import os\n@app.get('/')\ndef f(a, *b, **c):\n    # note\n    return [x for x in os.listdir(a) if x]\n";
        let source = PythonSource::parse(code).unwrap();
        let by_kind = nodes_by_kind(source.tree.root_node());
        let mut stack = vec![source.tree.root_node()];
        let mut named = 0;
        while let Some(node) = stack.pop() {
            if node.is_named() {
                named += 1;
                assert!(
                    by_kind.get(node.kind()).unwrap().contains(&node),
                    "{node:?}"
                );
                let mut cursor = node.walk();
                stack.extend(node.children(&mut cursor));
            }
        }
        assert_eq!(by_kind.values().map(Vec::len).sum::<usize>(), named);
        assert!(by_kind.get("while_statement").is_none());
        assert!(by_kind.get("no such kind").is_none());
    }
}
