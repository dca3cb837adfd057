//! The `taint` matcher: request-controlled data reaching a dangerous call (a process spawn,
//! a file path, an outgoing URL) without a sanitizer or guard on the way.
//!
//! Takes a parsed file and a [`TaintRule`]; gives back the sinks reached. Sources, sinks,
//! sanitizers and guards are rule objects (code patterns) from the rule file; the one piece
//! of built-in knowledge is which function parameters carry request data in web handlers
//! (`routes.rs`). Helpers defined in the same file are followed through summaries.

pub mod flow;
pub mod routes;

use crate::fix::Fix;
use crate::matchers::pattern::literals::ROUTE_DECORATOR;
use crate::matchers::pattern::matcher::FileContext;
use crate::matchers::pattern::{NodesByKind, PatternRule, instantiate};
use crate::parse::node_ext::NodeExt;
use crate::rules::RuleFix;
use flow::{Analyzer, State, Summary, Taint};
use std::collections::{HashMap, HashSet};
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
    /// A file needs a sink and a source (the analysis is within the file).
    pub fn words(&self) -> Option<Vec<Vec<String>>> {
        let mut sinks = Vec::new();
        for sink in &self.sinks {
            sinks.extend(sink.words()?.iter().cloned());
        }
        let mut sources = Some(Vec::new());
        for source in &self.sources {
            match (source.words(), &mut sources) {
                (Some(words), Some(clauses)) => clauses.extend(words.iter().cloned()),
                _ => sources = None,
            }
        }
        if self.route_parameters
            && let Some(clauses) = &mut sources
        {
            clauses.push(vec![ROUTE_DECORATOR.to_owned()]);
        }
        Some(match sources {
            Some(sources) if !sources.is_empty() && sinks.len() * sources.len() <= 1024 => sinks
                .iter()
                .flat_map(|sink| {
                    sources.iter().map(move |source| {
                        let mut clause = sink.clone();
                        clause.extend(source.iter().filter(|word| !sink.contains(word)).cloned());
                        clause
                    })
                })
                .collect(),
            _ => sinks,
        })
    }

    /// The sinks reached by source data in the file (`by_kind`: the file's nodes by kind),
    /// each with the first of `fixes` that applies to the sink's match.
    pub fn find<'t>(
        &self,
        cx: &FileContext<'t>,
        by_kind: &NodesByKind<'t>,
        fixes: &[RuleFix],
        path: &str,
    ) -> Vec<(Range<usize>, Option<Fix>)> {
        // Analysis is within the file: without a source in it (no request handler, nothing a
        // source pattern matches) nothing can reach a sink.
        if !self.has_source(cx, by_kind) {
            return Vec::new();
        }
        // Sinks next, by their shape alone: a file (or a function) without one needs no flow
        // analysis at all.
        let candidates = self.sink_candidates(cx, by_kind);
        if candidates.is_empty() {
            return Vec::new();
        }
        let (functions, module_level) = relevant_functions(cx, by_kind, &candidates);
        let mut summaries: HashMap<String, Summary> = HashMap::new();
        let mut findings: HashMap<Range<usize>, Taint> = HashMap::new();
        // Helpers calling helpers need one more round each; none are needed without calls.
        let rounds = if functions.len() > 1 {
            SUMMARY_ROUNDS
        } else {
            1
        };
        for round in 0..rounds {
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
                let mut analyzer = Analyzer::new(cx, self, &summaries, &candidates);
                if let Some(body) = function.field("body") {
                    analyzer.exec_block(body, &mut state);
                }
                let name = function
                    .field("name")
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
            if module_level {
                // Module-level code (scripts: `sys.argv`, `input()`).
                let mut analyzer = Analyzer::new(cx, self, &summaries, &candidates);
                analyzer.exec_block(cx.root, &mut State::new());
                findings.extend(
                    analyzer
                        .hits
                        .into_iter()
                        .filter(|(_, taint)| taint.from_source()),
                );
            }
            let stable = next == summaries;
            summaries = next;
            if stable && round > 0 {
                break;
            }
        }
        let mut ranges: Vec<Range<usize>> = findings.into_keys().collect();
        ranges.sort_by_key(|range| (range.start, range.end));
        ranges
            .into_iter()
            .map(|range| {
                let fix = if fixes.is_empty() {
                    None
                } else {
                    self.sink_fix(cx, &range, fixes, path)
                };
                (range, fix)
            })
            .collect()
    }

    /// The fix of the sink at `range`: its sink pattern matched again for the bindings.
    fn sink_fix<'t>(
        &self,
        cx: &FileContext<'t>,
        range: &Range<usize>,
        fixes: &[RuleFix],
        path: &str,
    ) -> Option<Fix> {
        let mut node = cx.root.descendant_for_byte_range(range.start, range.end)?;
        while node.byte_range() != *range {
            node = cx.parent(node)?;
        }
        self.sinks.iter().find_map(|sink| {
            let mut env = Vec::new();
            sink.object
                .matches(node, cx, &mut env)
                .then(|| instantiate(fixes, path, cx, &env, node))
                .flatten()
        })
    }

    /// Whether anything in the file is a source: a request handler's parameters (when the
    /// rule takes them) or a node some source pattern matches, wherever it is.
    fn has_source<'t>(&self, cx: &FileContext<'t>, by_kind: &NodesByKind<'t>) -> bool {
        let handler = || {
            by_kind
                .get("function_definition")
                .into_iter()
                .flatten()
                .any(|function| routes::is_route(*function, cx))
        };
        (self.route_parameters && handler())
            || self.sources.iter().any(|source| {
                source
                    .candidates(by_kind)
                    .into_iter()
                    .any(|node| source.object.matches(node, cx, &mut Vec::new()))
            })
    }

    /// Ids of the nodes some sink pattern matches, taint aside.
    fn sink_candidates<'t>(
        &self,
        cx: &FileContext<'t>,
        by_kind: &NodesByKind<'t>,
    ) -> HashSet<usize> {
        let mut found = HashSet::new();
        for sink in &self.sinks {
            for node in sink.candidates(by_kind) {
                if !found.contains(&node.id()) && sink.object.matches(node, cx, &mut Vec::new()) {
                    found.insert(node.id());
                }
            }
        }
        found
    }
}

/// The functions worth analysing: those holding a sink candidate, and (transitively) those
/// calling them by name, since taint can reach a helper's sink from its callers. Also whether
/// module-level code holds one.
fn relevant_functions<'t>(
    cx: &FileContext<'t>,
    by_kind: &NodesByKind<'t>,
    candidates: &HashSet<usize>,
) -> (Vec<Node<'t>>, bool) {
    let enclosing = |node: Node<'t>| {
        let mut current = cx.parent(node);
        while let Some(ancestor) = current {
            if ancestor.kind_name() == "function_definition" {
                return Some(ancestor);
            }
            current = cx.parent(ancestor);
        }
        None
    };
    let mut relevant: HashMap<usize, Node<'t>> = HashMap::new();
    let mut module_level = false;
    for node in by_kind.values().flatten() {
        if candidates.contains(&node.id()) {
            match enclosing(*node) {
                Some(function) => {
                    relevant.insert(function.id(), function);
                }
                None => module_level = true,
            }
        }
    }
    let calls = by_kind.get("call").map(Vec::as_slice).unwrap_or_default();
    let callee_name = |call: &Node<'t>| -> Option<&'t str> {
        let callee = call.field("function")?;
        match callee.kind_name() {
            "identifier" => Some(cx.text(callee)),
            "attribute" => callee.field("attribute").map(|member| cx.text(member)),
            _ => None,
        }
    };
    // Callers of functions with sinks (taint flows down into the sink), transitively.
    loop {
        let names: HashSet<&str> = relevant
            .values()
            .filter_map(|function| function.field("name").map(|name| cx.text(name)))
            .collect();
        let before = relevant.len();
        for call in calls {
            if callee_name(call).is_some_and(|name| names.contains(name)) {
                match enclosing(*call) {
                    Some(function) => {
                        relevant.entry(function.id()).or_insert(function);
                    }
                    None => module_level = true,
                }
            }
        }
        if relevant.len() == before {
            break;
        }
    }
    // Then the same-file functions they call (taint flows back out of a helper's return).
    let by_name: HashMap<&str, Vec<Node<'t>>> = by_kind
        .get("function_definition")
        .into_iter()
        .flatten()
        .fold(HashMap::new(), |mut map, function| {
            if let Some(name) = function.field("name") {
                map.entry(cx.text(name)).or_default().push(*function);
            }
            map
        });
    loop {
        let before = relevant.len();
        for call in calls {
            let inside_relevant = enclosing(*call)
                .is_some_and(|function| relevant.contains_key(&function.id()))
                || (module_level && enclosing(*call).is_none());
            if !inside_relevant {
                continue;
            }
            for function in callee_name(call)
                .and_then(|name| by_name.get(name))
                .into_iter()
                .flatten()
            {
                relevant.entry(function.id()).or_insert(*function);
            }
        }
        if relevant.len() == before {
            break;
        }
    }
    let mut functions: Vec<Node<'t>> = relevant.into_values().collect();
    functions.sort_by_key(|function| function.start_byte());
    (functions, module_level)
}
