//! The `pattern` matcher: structural code patterns over tree-sitter syntax trees (Python).
//!
//! Takes a path, its text and the compiled pattern rules; gives back matches. A file is
//! parsed only if some rule could match it (every identifier a rule's patterns require occurs
//! in the text), once for all rules, and each rule only visits the node kinds its pattern can
//! match.

pub mod consts;
pub mod matcher;
pub mod ptree;
pub mod rule;

use crate::findings::Match;
use crate::language::Language;
use crate::parse::python::PythonSource;
use crate::rules::{Rule, RuleKind};
use aho_corasick::AhoCorasick;
use matcher::{Bindings, FileContext, bound};
use rule::RuleObject;
use std::collections::{HashMap, HashSet};
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

fn required_words(object: &RuleObject) -> Option<Vec<Vec<String>>> {
    if let Some(pattern) = &object.pattern {
        let mut words = Vec::new();
        pattern.required_words(&mut words);
        words.retain(|word| !word.is_empty());
        if !words.is_empty() {
            return Some(vec![words]);
        }
    }
    if !object.any.is_empty() {
        let alternatives: Option<Vec<Vec<Vec<String>>>> =
            object.any.iter().map(required_words).collect();
        if let Some(alternatives) = alternatives {
            return Some(alternatives.into_iter().flatten().collect());
        }
    }
    object
        .all
        .iter()
        .find_map(required_words)
        .or_else(|| object.has.as_deref().and_then(required_words))
}

/// All pattern rules of a rule set, with the shared word prefilter.
pub struct PatternMatcher {
    /// Indices (in the rule set) of the pattern rules.
    rules: Vec<usize>,
    /// Every word any rule requires.
    words: Vec<String>,
    automaton: Option<AhoCorasick>,
}

impl PatternMatcher {
    /// Builds the matcher for the pattern rules among `rules`.
    pub fn new(rules: &[Rule]) -> PatternMatcher {
        let mut indices = Vec::new();
        let mut words: Vec<String> = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            if let RuleKind::Pattern(pattern) = &rule.kind {
                indices.push(index);
                for word in pattern.words.iter().flatten().flatten() {
                    if !words.contains(word) {
                        words.push(word.clone());
                    }
                }
            }
        }
        let automaton = (!words.is_empty())
            .then(|| AhoCorasick::new(&words).ok())
            .flatten();
        PatternMatcher {
            rules: indices,
            words,
            automaton,
        }
    }

    /// Whether there is any pattern rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Finds the matches of every pattern rule in `text` (the content of a file of `language`).
    pub fn find(&self, rules: &[Rule], language: Language, text: &str) -> Vec<Match> {
        let candidates = self.candidate_rules(rules, language, text);
        if candidates.is_empty() {
            return Vec::new();
        }
        let Some(source) = PythonSource::parse(text) else {
            return Vec::new();
        };
        let root = source.tree.root_node();
        let cx = FileContext::new(text, root);
        let by_kind = nodes_by_kind(root);
        let mut matches = Vec::new();
        let mut seen = HashSet::new();
        for (index, rule) in candidates {
            let nodes: Vec<Node<'_>> = match &rule.kinds {
                Some(kinds) => kinds
                    .iter()
                    .flat_map(|kind| by_kind.get(kind.as_str()).into_iter().flatten().copied())
                    .collect(),
                None => by_kind.values().flatten().copied().collect(),
            };
            for node in nodes {
                let mut env: Bindings<'_> = Vec::new();
                if !rule.object.matches(node, &cx, &mut env) {
                    continue;
                }
                let reported = rule
                    .focus
                    .as_ref()
                    .and_then(|focus| bound(&env, focus))
                    .unwrap_or(node);
                if seen.insert((index, reported.byte_range())) {
                    matches.push(Match {
                        rule: index,
                        range: reported.byte_range(),
                        secret: None,
                    });
                }
            }
        }
        matches.sort_by_key(|found| (found.range.start, found.rule));
        matches
    }

    /// The pattern rules that can match this file: right language, required words present.
    fn candidate_rules<'r>(
        &self,
        rules: &'r [Rule],
        language: Language,
        text: &str,
    ) -> Vec<(usize, &'r PatternRule)> {
        let present: HashSet<usize> = match &self.automaton {
            Some(automaton) => automaton
                .find_overlapping_iter(text)
                .map(|hit| hit.pattern().as_usize())
                .collect(),
            None => HashSet::new(),
        };
        let has = |word: &String| {
            self.words
                .iter()
                .position(|known| known == word)
                .is_some_and(|index| present.contains(&index))
        };
        self.rules
            .iter()
            .filter_map(|&index| match &rules[index].kind {
                RuleKind::Pattern(pattern)
                    if rules[index].applies_to(language) && language == Language::Python =>
                {
                    let possible = match &pattern.words {
                        None => true,
                        Some(clauses) => clauses.iter().any(|clause| clause.iter().all(has)),
                    };
                    possible.then_some((index, pattern))
                }
                _ => None,
            })
            .collect()
    }
}

/// Every named node of the tree, grouped by kind (iterative: deep nesting cannot overflow).
fn nodes_by_kind(root: Node<'_>) -> HashMap<&'static str, Vec<Node<'_>>> {
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
