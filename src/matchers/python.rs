//! Python code rules (`pattern`, `taint`, `route`): one prefilter pass, one parse, every rule.
//!
//! Takes a path's language and text and the rule set; gives back matches. A file is parsed
//! only if some rule could match it (every identifier one of a rule's clauses requires occurs
//! in the text), once for all rules.

use crate::findings::Match;
use crate::language::Language;
use crate::matchers::pattern::literals::{FOLDED, ROUTE_DECORATOR, ROUTE_DECORATOR_REGEX};
use crate::matchers::pattern::matcher::FileContext;
use crate::matchers::pattern::{nodes_by_kind, regex_literals};
use crate::parse::python::PythonSource;
use crate::rules::{Rule, RuleKind};
use aho_corasick::AhoCorasick;
use regex::Regex;
use std::cell::OnceCell;

/// The Python code rules of a rule set, with the shared word prefilter.
pub struct PythonMatcher {
    /// Indices (in the rule set) of the code rules, each with its word clauses (indices
    /// into the words; `None`: no requirement): one clause entirely present lets it run.
    rules: Vec<(usize, Option<Vec<Vec<usize>>>)>,
    /// How many distinct words the clauses use.
    word_count: usize,
    /// Case-sensitive words (identifiers), with their word index.
    exact: Option<(AhoCorasick, Vec<usize>)>,
    /// Words matched ASCII case-insensitively (from regexes), with their word index.
    folded: Option<(AhoCorasick, Vec<usize>)>,
    /// The index of [`ROUTE_DECORATOR`] when a rule requires it, with its regex.
    route_decorator: Option<(usize, Regex)>,
}

/// Identifier clauses a rule needs (`None`: no requirement).
fn rule_words(rule: &Rule) -> Option<Vec<Vec<String>>> {
    match &rule.kind {
        RuleKind::Pattern(pattern) => pattern.words().cloned(),
        RuleKind::Taint(taint) => taint.words(),
        // A decorated handler, and its full path is made of string literals of the file.
        RuleKind::Route(route) => Some(
            regex_literals(route.path_regex.as_str())
                .unwrap_or_else(|| vec![Vec::new()])
                .into_iter()
                .map(|mut clause| {
                    clause.push(ROUTE_DECORATOR.to_owned());
                    clause
                })
                .collect(),
        ),
        _ => None,
    }
}

impl PythonMatcher {
    /// Builds the matcher for the code rules among `rules`.
    pub fn new(rules: &[Rule]) -> PythonMatcher {
        let mut words: Vec<String> = Vec::new();
        let mut index_of = |word: &String| match words.iter().position(|known| known == word) {
            Some(index) => index,
            None => {
                words.push(word.clone());
                words.len() - 1
            }
        };
        let mut code_rules = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            if !matches!(
                rule.kind,
                RuleKind::Pattern(_) | RuleKind::Taint(_) | RuleKind::Route(_)
            ) {
                continue;
            }
            let clauses = rule_words(rule).map(|clauses| {
                clauses
                    .iter()
                    .map(|clause| clause.iter().map(&mut index_of).collect())
                    .collect()
            });
            code_rules.push((index, clauses));
        }
        let automaton = |folded: bool| {
            let (texts, ids): (Vec<&str>, Vec<usize>) = words
                .iter()
                .enumerate()
                .filter(|(_, word)| *word != ROUTE_DECORATOR)
                .filter_map(|(id, word)| match word.strip_prefix(FOLDED) {
                    Some(text) if folded => Some((text, id)),
                    None if !folded => Some((word.as_str(), id)),
                    _ => None,
                })
                .unzip();
            if texts.is_empty() {
                return None;
            }
            AhoCorasick::builder()
                .ascii_case_insensitive(folded)
                .build(&texts)
                .ok()
                .map(|automaton| (automaton, ids))
        };
        if std::env::var_os("HARDEN_PROF").is_some() {
            for (index, _) in &code_rules {
                let mut clauses = rule_words(&rules[*index]).unwrap_or_default();
                clauses.sort_by_key(|c| {
                    c.iter()
                        .map(|w| w.trim_start_matches("(?i)").len())
                        .sum::<usize>()
                });
                eprintln!(
                    "WORDS\t{}\t{}\t{:?}",
                    rules[*index].id,
                    clauses.len(),
                    &clauses[..clauses.len().min(6)]
                );
            }
        }
        let route_decorator = words
            .iter()
            .position(|word| word == ROUTE_DECORATOR)
            .and_then(|index| Some((index, Regex::new(ROUTE_DECORATOR_REGEX).ok()?)));
        PythonMatcher {
            rules: code_rules,
            route_decorator,
            word_count: words.len(),
            exact: automaton(false),
            folded: automaton(true),
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
        let t0 = std::time::Instant::now();
        let Some(source) = PythonSource::parse(text) else {
            return Vec::new();
        };
        if std::env::var_os("HARDEN_PROF").is_some() {
            eprintln!("PROF\tparse\t{}\t{}", t0.elapsed().as_micros(), path);
        }
        let t0 = std::time::Instant::now();
        let root = source.tree.root_node();
        let cx = FileContext::new(text, root);
        let by_kind = nodes_by_kind(root);
        if std::env::var_os("HARDEN_PROF").is_some() {
            eprintln!("PROF\tcontext\t{}\t{}", t0.elapsed().as_micros(), path);
        }
        let mut matches = Vec::new();
        for index in candidates {
            let rule = &rules[index];
            let t0 = std::time::Instant::now();
            let found = match &rule.kind {
                RuleKind::Pattern(pattern) => pattern.matches_in(&cx, &by_kind, &rule.fixes, path),
                RuleKind::Taint(taint) => taint.find(&cx, &by_kind, &rule.fixes, path),
                RuleKind::Route(route) => route
                    .find(&cx, &by_kind)
                    .into_iter()
                    .map(|range| (range, None))
                    .collect(),
                _ => Vec::new(),
            };
            if std::env::var_os("HARDEN_PROF").is_some() {
                eprintln!("PROF\t{}\t{}\t{}", rule.id, t0.elapsed().as_micros(), path);
            }
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
        let mut present = vec![false; self.word_count];
        for (automaton, ids) in [&self.exact, &self.folded].into_iter().flatten() {
            for hit in automaton.find_overlapping_iter(text) {
                present[ids[hit.pattern().as_usize()]] = true;
            }
        }
        // The route-decorator regex runs only for a clause whose other words are all present,
        // and at most once per file.
        let route_index = self.route_decorator.as_ref().map(|(index, _)| *index);
        let has_route = OnceCell::new();
        let holds = |clause: &Vec<usize>| {
            clause
                .iter()
                .all(|&word| Some(word) == route_index || present[word])
                && match &self.route_decorator {
                    Some((index, regex)) if clause.contains(index) => {
                        *has_route.get_or_init(|| regex.is_match(text))
                    }
                    _ => true,
                }
        };
        self.rules
            .iter()
            .filter(|(index, clauses)| {
                rules[*index].applies_to(language)
                    && clauses
                        .as_ref()
                        .is_none_or(|clauses| clauses.iter().any(holds))
            })
            .map(|(index, _)| *index)
            .collect()
    }
}
