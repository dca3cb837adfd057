//! Rule objects: patterns combined with `all`, `any`, `not`, `inside`, `not_inside`, `has`,
//! `not_has`, node `kind`, text `regex` and `where` conditions on metavariables.
//!
//! Every field present in a rule object must hold for a node to match (as in ast-grep);
//! bindings made by one field are visible to the next, in a fixed order: positive fields
//! (`pattern`, `kind`, `regex`, `any`, `all`, `has`, `inside`), then negative ones, then
//! `where`.

use super::consts::Const;
use super::matcher::{Bindings, FileContext, Next, bound, match_then};
use super::ptree::PNode;
use crate::parse::node_ext::KindSet;
use crate::parse::node_ext::NodeExt;
use crate::rules::lazy_regex::LazyRegex;
use tree_sitter::Node;

/// A compiled rule object.
#[derive(Debug, Default)]
pub struct RuleObject {
    /// Code pattern.
    pub pattern: Option<PNode>,
    /// tree-sitter node kind.
    pub kind: Option<String>,
    /// Regex over the node's text.
    pub regex: Option<LazyRegex>,
    /// At least one must match.
    pub any: Vec<RuleObject>,
    /// All must match.
    pub all: Vec<RuleObject>,
    /// Must not match.
    pub not: Option<Box<RuleObject>>,
    /// Some ancestor must match.
    pub inside: Option<Box<RuleObject>>,
    /// No ancestor may match.
    pub not_inside: Option<Box<RuleObject>>,
    /// Some descendant must match.
    pub has: Option<Box<RuleObject>>,
    /// No descendant may match.
    pub not_has: Option<Box<RuleObject>>,
    /// Conditions on metavariables.
    pub conditions: Vec<Condition>,
    /// Kinds of the nodes this object can match (`None`: any), filled by
    /// [`RuleObject::index_kinds`]: `inside`/`has` walks skip other nodes with one bit test.
    pub kinds: Option<KindSet>,
}

/// A `where` condition on one metavariable.
#[derive(Debug, Default)]
pub struct Condition {
    /// `$X`.
    pub metavariable: String,
    /// The bound node's source text must match.
    pub regex: Option<LazyRegex>,
    /// The bound node's source text must not match.
    pub not_regex: Option<LazyRegex>,
    /// The bound node's constant string value must match.
    pub value_regex: Option<LazyRegex>,
    /// The bound node must (true) or must not (false) have a constant value.
    pub literal: Option<bool>,
    /// Its constant string value is at least this long.
    pub min_length: Option<usize>,
    /// Its constant string value is at most this long.
    pub max_length: Option<usize>,
    /// Its import-resolved name is one of these.
    pub names: Vec<String>,
    /// Its import-resolved name is none of these.
    pub not_names: Vec<String>,
    /// The bound node is a name made by calling one of these.
    pub made_by: Vec<String>,
    /// The bound node matches this rule object.
    pub matches: Option<Box<RuleObject>>,
    /// The bound node does not match this rule object.
    pub not_matches: Option<Box<RuleObject>>,
}

/// Kinds a pattern never reaches through parentheses, an expression statement or a name.
const NOT_WRAPPED: &[&str] = &[
    "module",
    "block",
    "except_clause",
    "decorated_definition",
    "decorator",
    "function_definition",
    "class_definition",
    "with_statement",
    "with_item",
    "try_statement",
    "if_statement",
    "for_statement",
    "while_statement",
    "return_statement",
    "raise_statement",
    "import_statement",
    "import_from_statement",
    "global_statement",
    "keyword_argument",
    "pair",
    "parameters",
    "typed_parameter",
    "typed_default_parameter",
    "default_parameter",
    "argument_list",
];

/// How far `has` and `inside` look (levels), so pathological nesting cannot make a match slow.
const MAX_RELATIVE_DEPTH: usize = 256;

impl RuleObject {
    /// Records, in this object and every object under it, the kinds it can match:
    /// `candidate_kinds` (its `kind`, or its patterns' kinds) plus, for patterns, the kinds a
    /// pattern sees through (parentheses, expression statements) or follows (names bound to
    /// a value).
    pub fn index_kinds(&mut self, candidate_kinds: &dyn Fn(&RuleObject) -> Option<Vec<String>>) {
        self.kinds = match &self.kind {
            Some(kind) => Some(KindSet::from_names([kind.as_str()])),
            None => candidate_kinds(self).map(|kinds| {
                // Statements and other non-expressions are never seen through parentheses
                // or expression statements, nor reached from a name.
                let seen_through: &[&str] = if kinds
                    .iter()
                    .all(|kind| NOT_WRAPPED.contains(&kind.as_str()))
                {
                    &[]
                } else {
                    &[
                        "identifier",
                        "attribute",
                        "parenthesized_expression",
                        "expression_statement",
                    ]
                };
                KindSet::from_names(
                    kinds
                        .iter()
                        .map(String::as_str)
                        .chain(seen_through.iter().copied()),
                )
            }),
        };
        for child in self.any.iter_mut().chain(self.all.iter_mut()) {
            child.index_kinds(candidate_kinds);
        }
        for child in [
            &mut self.not,
            &mut self.inside,
            &mut self.not_inside,
            &mut self.has,
            &mut self.not_has,
        ]
        .into_iter()
        .flatten()
        {
            child.index_kinds(candidate_kinds);
        }
        for condition in &mut self.conditions {
            for child in [&mut condition.matches, &mut condition.not_matches]
                .into_iter()
                .flatten()
            {
                child.index_kinds(candidate_kinds);
            }
        }
    }

    /// Whether a node of this kind could match (the cheap test of a relative walk).
    #[inline]
    fn admits(&self, node: Node<'_>) -> bool {
        self.kinds.as_ref().is_none_or(|kinds| kinds.contains(node))
    }

    /// Whether the object matches `node`, extending `env` on success (unchanged on failure).
    pub fn matches<'t>(
        &self,
        node: Node<'t>,
        cx: &FileContext<'t>,
        env: &mut Bindings<'t>,
    ) -> bool {
        self.matches_then(node, cx, env, &mut |_| true)
    }

    /// Calls `next` with the bindings of each way the object matches `node` until `next`
    /// accepts one: an `any` alternative or a `...` split that binds a metavariable one way
    /// is retried another way when a later field or condition fails.
    pub fn matches_then<'t>(
        &self,
        node: Node<'t>,
        cx: &FileContext<'t>,
        env: &mut Bindings<'t>,
        next: Next<'_, 't>,
    ) -> bool {
        let mark = env.len();
        let matched = self.step(Step::Kind, node, cx, env, next);
        if !matched {
            env.truncate(mark);
        }
        matched
    }

    /// Evaluates the fields from `step` on, in the fixed order, then `next`.
    fn step<'t>(
        &self,
        step: Step,
        node: Node<'t>,
        cx: &FileContext<'t>,
        env: &mut Bindings<'t>,
        next: Next<'_, 't>,
    ) -> bool {
        match step {
            Step::Kind => {
                self.kind
                    .as_ref()
                    .is_none_or(|kind| node.kind_name() == kind)
                    && self.step(Step::Pattern, node, cx, env, next)
            }
            Step::Pattern => match &self.pattern {
                Some(pattern) => match_then(pattern, node, cx, env, &mut |env| {
                    self.step(Step::Regex, node, cx, env, next)
                }),
                None => self.step(Step::Regex, node, cx, env, next),
            },
            Step::Regex => {
                self.regex
                    .as_ref()
                    .is_none_or(|regex| regex.is_match(cx.text(node)))
                    && self.step(Step::Any, node, cx, env, next)
            }
            Step::Any => {
                if self.any.is_empty() {
                    return self.step(Step::All(0), node, cx, env, next);
                }
                self.any.iter().any(|object| {
                    object.matches_then(node, cx, env, &mut |env| {
                        self.step(Step::All(0), node, cx, env, next)
                    })
                })
            }
            Step::All(index) => match self.all.get(index) {
                Some(object) => object.matches_then(node, cx, env, &mut |env| {
                    self.step(Step::All(index + 1), node, cx, env, next)
                }),
                None => self.step(Step::Has, node, cx, env, next),
            },
            Step::Has => match &self.has {
                Some(has) => descendants(node).into_iter().any(|descendant| {
                    has.admits(descendant)
                        && has.matches_then(descendant, cx, env, &mut |env| {
                            self.step(Step::Inside, node, cx, env, next)
                        })
                }),
                None => self.step(Step::Inside, node, cx, env, next),
            },
            Step::Inside => match &self.inside {
                Some(inside) => ancestors(node, cx).any(|ancestor| {
                    inside.admits(ancestor)
                        && inside.matches_then(ancestor, cx, env, &mut |env| {
                            self.step(Step::Negatives, node, cx, env, next)
                        })
                }),
                None => self.step(Step::Negatives, node, cx, env, next),
            },
            Step::Negatives => {
                // Negative fields never keep bindings.
                let rejected = self
                    .not
                    .as_ref()
                    .is_some_and(|not| not.matches(node, cx, &mut env.clone()))
                    || self.not_inside.as_ref().is_some_and(|object| {
                        ancestors(node, cx)
                            .into_iter()
                            .any(|ancestor| object.matches(ancestor, cx, &mut env.clone()))
                    })
                    || self.not_has.as_ref().is_some_and(|object| {
                        descendants(node).into_iter().any(|descendant| {
                            object.admits(descendant)
                                && object.matches(descendant, cx, &mut env.clone())
                        })
                    });
                !rejected && self.step(Step::Condition(0), node, cx, env, next)
            }
            Step::Condition(index) => match self.conditions.get(index) {
                Some(condition) => condition.holds_then(cx, env, &mut |env| {
                    self.step(Step::Condition(index + 1), node, cx, env, next)
                }),
                None => next(env),
            },
        }
    }
}

/// The fields of a rule object, in evaluation order.
#[derive(Debug, Clone, Copy)]
enum Step {
    Kind,
    Pattern,
    Regex,
    Any,
    All(usize),
    Has,
    Inside,
    Negatives,
    Condition(usize),
}

impl Condition {
    fn holds_then<'t>(
        &self,
        cx: &FileContext<'t>,
        env: &mut Bindings<'t>,
        next: Next<'_, 't>,
    ) -> bool {
        let Some(node) = bound(env, &self.metavariable) else {
            return false;
        };
        let text = cx.text(node);
        if self
            .regex
            .as_ref()
            .is_some_and(|regex| !regex.is_match(text))
        {
            return false;
        }
        if self
            .not_regex
            .as_ref()
            .is_some_and(|regex| regex.is_match(text))
        {
            return false;
        }
        let needs_value = self.value_regex.is_some()
            || self.literal.is_some()
            || self.min_length.is_some()
            || self.max_length.is_some();
        if needs_value {
            let value = cx.eval(node);
            if let Some(literal) = self.literal
                && literal != value.as_ref().is_some_and(|value| !contains_unknown(value))
            {
                return false;
            }
            let string = match &value {
                Some(Const::Str(string)) => Some(string.as_str()),
                _ => None,
            };
            if self.value_regex.is_some() || self.min_length.is_some() || self.max_length.is_some()
            {
                let Some(string) = string else { return false };
                if self
                    .value_regex
                    .as_ref()
                    .is_some_and(|regex| !regex.is_match(string))
                {
                    return false;
                }
                let length = string.chars().count();
                if self.min_length.is_some_and(|min| length < min)
                    || self.max_length.is_some_and(|max| length > max)
                {
                    return false;
                }
            }
        }
        if !self.names.is_empty() || !self.not_names.is_empty() {
            let name = cx.qualified_name(node);
            let listed = |names: &[String]| {
                name.as_ref()
                    .is_some_and(|name| names.iter().any(|candidate| candidate == name))
            };
            if !self.names.is_empty() && !listed(&self.names) {
                return false;
            }
            if listed(&self.not_names) {
                return false;
            }
        }
        if !self.made_by.is_empty() && !made_by(node, &self.made_by, cx) {
            return false;
        }
        if let Some(object) = &self.not_matches
            && object.matches(node, cx, &mut env.clone())
        {
            return false;
        }
        match &self.matches {
            Some(object) => object.matches_then(node, cx, env, next),
            None => next(env),
        }
    }
}

/// Whether `node` is a name whose single binding is a call to one of `makers`.
fn made_by(node: Node<'_>, makers: &[String], cx: &FileContext<'_>) -> bool {
    if node.kind_name() != "identifier" {
        return false;
    }
    let Some(origin) = cx.consts.origin(cx.text(node), node) else {
        return false;
    };
    let origin = if origin.kind_name() == "await" {
        origin.named_child(0).unwrap_or(origin)
    } else {
        origin
    };
    origin.kind_name() == "call"
        && origin
            .field("function")
            .and_then(|function| cx.qualified_name(function))
            .is_some_and(|name| makers.contains(&name))
}

fn contains_unknown(value: &Const) -> bool {
    match value {
        Const::Unknown => true,
        Const::Seq(items) | Const::Set(items) => items.iter().any(contains_unknown),
        Const::Dict(pairs) => pairs
            .iter()
            .any(|(key, item)| contains_unknown(key) || contains_unknown(item)),
        _ => false,
    }
}

/// Named descendants of `node` (not itself), nearest first, down to a depth limit.
fn descendants(node: Node<'_>) -> Vec<Node<'_>> {
    let mut found = Vec::new();
    let mut stack: Vec<(Node<'_>, usize)> = vec![(node, 0)];
    while let Some((current, depth)) = stack.pop() {
        if depth >= MAX_RELATIVE_DEPTH {
            continue;
        }
        let mut cursor = current.walk();
        let children: Vec<Node<'_>> = current.named_children(&mut cursor).collect();
        for child in children.into_iter().rev() {
            found.push(child);
            stack.push((child, depth + 1));
        }
    }
    found
}

/// Ancestors of `node` (not itself), nearest first, up to the depth limit.
fn ancestors<'c, 't>(
    node: Node<'t>,
    cx: &'c FileContext<'t>,
) -> impl Iterator<Item = Node<'t>> + 'c {
    std::iter::successors(cx.parent(node), move |ancestor| cx.parent(*ancestor))
        .take(MAX_RELATIVE_DEPTH)
}
