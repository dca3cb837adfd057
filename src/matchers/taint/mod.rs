//! The `taint` matcher: request-controlled data reaching a dangerous call (a process spawn,
//! a file path, an outgoing URL) without a sanitizer or guard on the way.
//!
//! Takes a parsed file and a [`TaintRule`]; gives back the sinks reached. Sources, sinks,
//! sanitizers and guards are rule objects (code patterns) from the rule file; the one piece
//! of built-in knowledge is which function parameters carry request data in web handlers
//! (`routes.rs`). Helpers defined in the same file are followed through summaries.

pub mod flow;
pub mod routes;

use crate::matchers::pattern::PatternRule;
use crate::matchers::pattern::matcher::FileContext;
use flow::{Analyzer, State, Summary, Taint};
use std::collections::HashMap;
use std::ops::Range;
use tree_sitter::Node;

/// How many times summaries are recomputed (helpers calling helpers, up to this depth).
const SUMMARY_ROUNDS: usize = 3;

/// A compiled `taint` rule.
#[derive(Debug)]
pub struct TaintRule {
    /// Parameters of request handlers are sources.
    pub route_parameters: bool,
    /// Expressions whose value is attacker-controlled.
    pub sources: Vec<PatternRule>,
    /// Dangerous uses; the `focus` metavariable (or the whole match) must be tainted.
    pub sinks: Vec<PatternRule>,
    /// Expressions whose value is safe whatever goes in (`shlex.quote(x)`).
    pub sanitizers: Vec<PatternRule>,
    /// Conditions that, when true, make their `focus` safe (`$P.is_relative_to(...)`).
    pub guards: Vec<PatternRule>,
    /// Conditions that, when true, mean their `focus` is unsafe (`$X not in ALLOWED`).
    pub rejects: Vec<PatternRule>,
    /// Sinks take URLs: data that only reaches the path or query after a fixed scheme and
    /// host does not count.
    pub url_sinks: bool,
}

impl TaintRule {
    /// Identifier clauses for the file prefilter: a file can only match if some sink can.
    pub fn words(&self) -> Option<Vec<Vec<String>>> {
        let mut clauses = Vec::new();
        for sink in &self.sinks {
            clauses.extend(sink.words()?.iter().cloned());
        }
        Some(clauses)
    }

    /// The sinks reached by source data in the file.
    pub fn find(&self, cx: &FileContext<'_>) -> Vec<Range<usize>> {
        let functions = functions(cx.root);
        let mut summaries: HashMap<String, Summary> = HashMap::new();
        let mut findings: HashMap<Range<usize>, Taint> = HashMap::new();
        for round in 0..SUMMARY_ROUNDS {
            let mut next: HashMap<String, Summary> = HashMap::new();
            findings.clear();
            for function in &functions {
                let params = routes::parameters(*function, cx);
                let route = self.route_parameters && routes::is_route(*function, cx);
                let mut state = State::new();
                for (index, param) in params.iter().enumerate() {
                    let mut taint = Taint::param(index);
                    if route && param.request_data {
                        taint |= Taint::SOURCE;
                    }
                    state.insert(param.name.clone(), taint);
                }
                let mut analyzer = Analyzer::new(cx, self, &summaries);
                if let Some(body) = function.child_by_field_name("body") {
                    analyzer.exec_block(body, &mut state);
                }
                let name = function
                    .child_by_field_name("name")
                    .map(|name| cx.text(name).to_owned())
                    .unwrap_or_default();
                let summary = next.entry(name).or_insert_with(|| Summary {
                    params: params.iter().map(|param| param.name.clone()).collect(),
                    ..Summary::default()
                });
                summary.returns |= analyzer.returns;
                for (range, taint) in analyzer.hits {
                    if taint.from_source() {
                        findings.insert(range.clone(), taint);
                    }
                    if taint.0 & !Taint::SOURCE.0 != 0 {
                        summary.sinks.push((range, taint));
                    }
                }
            }
            // Module-level code (scripts: `sys.argv`, `input()`).
            let mut analyzer = Analyzer::new(cx, self, &summaries);
            analyzer.exec_block(cx.root, &mut State::new());
            findings.extend(
                analyzer
                    .hits
                    .into_iter()
                    .filter(|(_, taint)| taint.from_source()),
            );
            let stable = next == summaries;
            summaries = next;
            if stable && round > 0 {
                break;
            }
        }
        let mut ranges: Vec<Range<usize>> = findings.into_keys().collect();
        ranges.sort_by_key(|range| (range.start, range.end));
        ranges
    }
}

/// Every function definition in the file, outermost first.
fn functions(root: Node<'_>) -> Vec<Node<'_>> {
    let mut found = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.kind() == "function_definition" {
            found.push(node);
        }
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    found
}
