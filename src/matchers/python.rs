//! Python code rules (`pattern`, `taint`, `route`): one prefilter pass, one parse, every rule.
//!
//! Takes a path's language and text and the rule set; gives back matches. A file is parsed
//! only if some rule could match it (every identifier one of a rule's clauses requires occurs
//! in the text), once for all rules.

use crate::findings::Match;
use crate::language::Language;
use crate::matchers::pattern::matcher::FileContext;
use crate::matchers::pattern::nodes_by_kind;
use crate::parse::python::PythonSource;
use crate::rules::{Rule, RuleKind};
use aho_corasick::AhoCorasick;
use std::collections::HashSet;

/// The Python code rules of a rule set, with the shared word prefilter.
pub struct PythonMatcher {
    /// Indices (in the rule set) of the pattern and taint rules.
    rules: Vec<usize>,
    /// Every word any rule requires.
    words: Vec<String>,
    automaton: Option<AhoCorasick>,
}

/// Identifier clauses a rule needs (`None`: no requirement).
fn rule_words(rule: &Rule) -> Option<Vec<Vec<String>>> {
    match &rule.kind {
        RuleKind::Pattern(pattern) => pattern.words().cloned(),
        RuleKind::Taint(taint) => taint.words(),
        _ => None,
    }
}

impl PythonMatcher {
    /// Builds the matcher for the code rules among `rules`.
    pub fn new(rules: &[Rule]) -> PythonMatcher {
        let mut indices = Vec::new();
        let mut words: Vec<String> = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            if !matches!(
                rule.kind,
                RuleKind::Pattern(_) | RuleKind::Taint(_) | RuleKind::Route(_)
            ) {
                continue;
            }
            indices.push(index);
            for word in rule_words(rule).iter().flatten().flatten() {
                if !words.contains(word) {
                    words.push(word.clone());
                }
            }
        }
        let automaton = (!words.is_empty())
            .then(|| AhoCorasick::new(&words).ok())
            .flatten();
        PythonMatcher {
            rules: indices,
            words,
            automaton,
        }
    }

    /// Whether there is any code rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Finds the matches of every code rule in `text` (the content of a file of `language`).
    pub fn find(&self, rules: &[Rule], path: &str, language: Language, text: &str) -> Vec<Match> {
        if language != Language::Python {
            return Vec::new();
        }
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
        for index in candidates {
            let rule = &rules[index];
            let found = match &rule.kind {
                RuleKind::Pattern(pattern) => pattern.matches_in(&cx, &by_kind, &rule.fixes, path),
                RuleKind::Taint(taint) => taint.find(&cx, &by_kind, &rule.fixes, path),
                RuleKind::Route(route) => route
                    .find(&cx)
                    .into_iter()
                    .map(|range| (range, None))
                    .collect(),
                _ => Vec::new(),
            };
            matches.extend(found.into_iter().map(|(range, fix)| Match {
                rule: index,
                range,
                secret: None,
                fix,
            }));
        }
        matches.sort_by_key(|found| (found.range.start, found.rule));
        matches
    }

    /// The code rules that can match this file: right language, required words present.
    fn candidate_rules(&self, rules: &[Rule], language: Language, text: &str) -> Vec<usize> {
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
            .copied()
            .filter(|&index| {
                rules[index].applies_to(language)
                    && match rule_words(&rules[index]) {
                        None => true,
                        Some(clauses) => clauses.iter().any(|clause| clause.iter().all(has)),
                    }
            })
            .collect()
    }
}
