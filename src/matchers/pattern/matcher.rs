//! Structural matching of a compiled pattern ([`PNode`]) against a syntax node, with
//! metavariable bindings, import-resolved names and constant propagation.
//!
//! Every function here either succeeds (and may have added bindings) or fails and leaves
//! the bindings exactly as it found them, so alternatives can be tried in turn.

use super::consts::{Assignments, Const, compact};
use super::ptree::{ConstPattern, PNode, PUNCTUATION};
use crate::matchers::names::ImportTable;
use crate::parse::node_ext::NodeExt;
use crate::parse::python::{named_children, node_text, unparenthesize};
use std::cell::Cell;
use tree_sitter::Node;

/// Everything known about one parsed file that matching needs.
pub struct FileContext<'t> {
    /// Source text.
    pub source: &'t str,
    /// Root of the syntax tree.
    pub root: Node<'t>,
    /// Import aliases.
    pub imports: ImportTable,
    /// Simple bindings, for constant propagation.
    pub consts: Assignments<'t>,
}

impl<'t> FileContext<'t> {
    /// Builds the context of the tree rooted at `root`.
    pub fn new(source: &'t str, root: Node<'t>) -> FileContext<'t> {
        FileContext {
            source,
            root,
            imports: ImportTable::collect(source, root),
            consts: Assignments::collect(source, root),
        }
    }

    /// Text of a node.
    pub fn text(&self, node: Node<'_>) -> &'t str {
        node_text(self.source, node)
    }

    /// The constant value of a node, if it has one.
    pub fn eval(&self, node: Node<'t>) -> Option<Const> {
        self.consts.eval(self.source, node)
    }

    /// The parent of `node`.
    pub fn parent(&self, node: Node<'t>) -> Option<Node<'t>> {
        self.consts.parent(node)
    }

    /// The import-resolved dotted name of a node made of names and attributes.
    pub fn qualified_name(&self, node: Node<'_>) -> Option<String> {
        self.imports.qualified_name(self.source, node)
    }
}

/// How many names one match may follow to their assigned value.
const MAX_ORIGIN_DEPTH: usize = 4;

thread_local! {
    /// Names being followed right now (on this thread's match).
    static ORIGIN_DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Metavariable bindings (`$X` → node), in binding order.
pub type Bindings<'t> = Vec<(String, Node<'t>)>;

/// Looks up a binding.
pub fn bound<'t>(env: &Bindings<'t>, name: &str) -> Option<Node<'t>> {
    env.iter()
        .rev()
        .find(|(bound, _)| bound == name)
        .map(|(_, node)| *node)
}

/// What to do with a successful match: go on matching (returns whether everything after
/// succeeded). Matching is in continuation-passing style so that an alternative that binds
/// a metavariable one way can be retried another way when something later fails.
pub type Next<'k, 't> = &'k mut dyn FnMut(&mut Bindings<'t>) -> bool;

/// Whether `pattern` matches `target`, extending `env` on success (unchanged on failure).
pub fn match_node<'t>(
    pattern: &PNode,
    target: Node<'t>,
    cx: &FileContext<'t>,
    env: &mut Bindings<'t>,
) -> bool {
    match_then(pattern, target, cx, env, &mut |_| true)
}

/// Matches `pattern` against `target` and calls `next` with the bindings of each way it
/// matches until `next` accepts one. On failure `env` is left as it was.
pub fn match_then<'t>(
    pattern: &PNode,
    target: Node<'t>,
    cx: &FileContext<'t>,
    env: &mut Bindings<'t>,
    next: Next<'_, 't>,
) -> bool {
    let mark = env.len();
    let matched = match_inner(pattern, target, cx, env, next);
    if !matched {
        env.truncate(mark);
    }
    matched
}

fn match_inner<'t>(
    pattern: &PNode,
    target: Node<'t>,
    cx: &FileContext<'t>,
    env: &mut Bindings<'t>,
    next: Next<'_, 't>,
) -> bool {
    let target = normalize(pattern, target);
    match pattern {
        PNode::Wildcard | PNode::Ellipsis => next(env),
        PNode::Meta(name) => match bound(env, name) {
            Some(previous) => compact(cx.text(previous)) == compact(cx.text(target)) && next(env),
            None => {
                env.push((name.clone(), target));
                next(env)
            }
        },
        PNode::Name(name) => {
            // Cheap test first: the last part must agree, unless the name is an import alias.
            let last = name.rsplit('.').next().unwrap_or(name);
            let target_last = match target.kind_name() {
                "identifier" => Some(cx.text(target)),
                "attribute" => target.field("attribute").map(|member| cx.text(member)),
                _ => None,
            };
            let plausible = target_last.is_some_and(|target_last| {
                target_last == last
                    || (target.kind_name() == "identifier" && cx.imports.is_imported(target_last))
            });
            plausible
                && (compact(cx.text(target)) == *name
                    || cx.qualified_name(target).as_deref() == Some(name.as_str()))
                && next(env)
        }
        PNode::Ident(name) => {
            target.kind_name() == "identifier" && cx.text(target) == name && next(env)
        }
        PNode::Const(constant) => match_const_node(constant, target, cx) && next(env),
        PNode::FString(parts) => {
            target.kind_name() == "string"
                && match_some_each(parts, &interpolations(target), cx, env, next)
        }
        PNode::Call {
            func,
            positional,
            keywords,
            open,
        } => {
            if target.kind_name() == "call" {
                return match_call(func, positional, keywords, *open, target, cx, env, next);
            }
            follow_origin(pattern, target, cx, env, next)
        }
        PNode::Decorated {
            decorators,
            definition,
        } => {
            if target.kind_name() != "decorated_definition" {
                return false;
            }
            let targets: Vec<Node<'t>> = named_children(target)
                .into_iter()
                .filter(|child| child.kind_name() == "decorator")
                .filter_map(|decorator| decorator.named_child(0))
                .collect();
            let Some(definition_node) = target.field("definition") else {
                return false;
            };
            // `...` among the decorators changes nothing: other decorators are always allowed.
            let decorators: Vec<&PNode> = decorators
                .iter()
                .filter(|decorator| **decorator != PNode::Ellipsis)
                .collect();
            let mut used = vec![false; targets.len()];
            let decorator =
                |pattern: &&PNode,
                 target: Node<'t>,
                 cx: &FileContext<'t>,
                 env: &mut Bindings<'t>,
                 next: Next<'_, 't>| { match_then(pattern, target, cx, env, next) };
            match_unordered(
                &decorators,
                &targets,
                &mut used,
                cx,
                env,
                &mut |env| match_then(definition, definition_node, cx, env, next),
                &decorator,
            )
        }
        PNode::Dict { pairs, open } => {
            if target.kind_name() != "dictionary" {
                return follow_origin(pattern, target, cx, env, next);
            }
            let target_pairs: Vec<Node<'t>> = named_children(target)
                .into_iter()
                .filter(|child| child.kind_name() == "pair")
                .collect();
            let splats = named_children(target)
                .into_iter()
                .any(|child| child.kind_name() == "dictionary_splat");
            if !*open && (splats || target_pairs.len() != pairs.len()) {
                return false;
            }
            let mut used = vec![false; target_pairs.len()];
            match_unordered(pairs, &target_pairs, &mut used, cx, env, next, &match_pair)
        }
        PNode::Node {
            kind,
            ops,
            fields,
            rest,
        } => {
            if target.kind_name() != *kind {
                return false;
            }
            if !same_ops(ops, &operator_tokens(target)) {
                return false;
            }
            let mut groups: Vec<(&[PNode], Vec<Node<'t>>)> = Vec::with_capacity(fields.len() + 1);
            for (field, items) in fields {
                let mut children = target.fields(field);
                children.retain(|child| child.kind_name() != "comment");
                groups.push((items.as_slice(), children));
            }
            groups.push((rest.as_slice(), unfielded_children(target)));
            match_groups(&groups, cx, env, next)
        }
    }
}

/// When a call or dict pattern meets a name, matches it against
/// the expression the name was bound to, if it was bound exactly once (`params = {...}` then
/// `get(url, params=params)`).
fn follow_origin<'t>(
    pattern: &PNode,
    target: Node<'t>,
    cx: &FileContext<'t>,
    env: &mut Bindings<'t>,
    next: Next<'_, 't>,
) -> bool {
    if target.kind_name() != "identifier" {
        return false;
    }
    // `a = b; b = a` must not recurse forever: follow a few names, no more.
    if ORIGIN_DEPTH.with(Cell::get) >= MAX_ORIGIN_DEPTH {
        return false;
    }
    match cx.consts.value_origin(cx.text(target), target) {
        Some(origin) if origin.id() != target.id() => {
            ORIGIN_DEPTH.with(|depth| depth.set(depth.get() + 1));
            let matched = match_then(pattern, origin, cx, env, next);
            ORIGIN_DEPTH.with(|depth| depth.set(depth.get() - 1));
            matched
        }
        _ => false,
    }
}

/// Each group's patterns match its targets as a sequence, one group after the other.
fn match_groups<'t>(
    groups: &[(&[PNode], Vec<Node<'t>>)],
    cx: &FileContext<'t>,
    env: &mut Bindings<'t>,
    next: Next<'_, 't>,
) -> bool {
    match groups.split_first() {
        None => next(env),
        Some(((patterns, targets), rest)) => match_seq(patterns, targets, cx, env, &mut |env| {
            match_groups(rest, cx, env, next)
        }),
    }
}

/// Each pattern matches some target (f-string interpolations), in any order, reusing allowed.
fn match_some_each<'t>(
    patterns: &[PNode],
    targets: &[Node<'t>],
    cx: &FileContext<'t>,
    env: &mut Bindings<'t>,
    next: Next<'_, 't>,
) -> bool {
    match patterns.split_first() {
        None => next(env),
        Some((first, rest)) => targets.iter().any(|target| {
            match_then(first, *target, cx, env, &mut |env| {
                match_some_each(rest, targets, cx, env, next)
            })
        }),
    }
}

/// Looks through parentheses, and through an expression statement when the pattern is not
/// itself a statement.
fn normalize<'t>(pattern: &PNode, target: Node<'t>) -> Node<'t> {
    let statement_pattern = matches!(
        pattern,
        PNode::Node {
            kind: "expression_statement",
            ..
        }
    );
    let mut node = unparenthesize(target);
    if !statement_pattern
        && node.kind_name() == "expression_statement"
        && let [only] = named_children(node).as_slice()
    {
        node = unparenthesize(*only);
    }
    node
}

#[allow(clippy::too_many_arguments)]
fn match_call<'t>(
    func: &PNode,
    positional: &[PNode],
    keywords: &[(String, PNode)],
    open: bool,
    target: Node<'t>,
    cx: &FileContext<'t>,
    env: &mut Bindings<'t>,
    next: Next<'_, 't>,
) -> bool {
    let Some(function) = target.field("function") else {
        return false;
    };
    // `f(...)`: any arguments, none to read.
    if open && keywords.is_empty() && matches!(positional, [PNode::Ellipsis]) {
        return match_then(func, function, cx, env, next);
    }
    // The callee first: most candidate calls fail there, before their arguments are read.
    match_then(func, function, cx, env, &mut |env| {
        let (target_positional, target_keywords) = call_arguments(cx, target);
        if !open && target_keywords.len() != keywords.len() {
            return false;
        }
        match_keywords(keywords, &target_keywords, cx, env, &mut |env| {
            match_seq(positional, &target_positional, cx, env, next)
        })
    })
}

fn match_keywords<'t>(
    keywords: &[(String, PNode)],
    targets: &[(&'t str, Node<'t>)],
    cx: &FileContext<'t>,
    env: &mut Bindings<'t>,
    next: Next<'_, 't>,
) -> bool {
    let Some(((name, value), rest)) = keywords.split_first() else {
        return next(env);
    };
    match targets.iter().find(|(target_name, _)| target_name == name) {
        Some((_, target_value)) => match_then(value, *target_value, cx, env, &mut |env| {
            match_keywords(rest, targets, cx, env, next)
        }),
        None => false,
    }
}

/// A call's positional arguments (splats included) and keyword arguments.
pub fn call_arguments<'t>(
    cx: &FileContext<'t>,
    call: Node<'t>,
) -> (Vec<Node<'t>>, Vec<(&'t str, Node<'t>)>) {
    let mut positional = Vec::new();
    let mut keywords = Vec::new();
    if let Some(arguments) = call.field("arguments") {
        let items = if arguments.kind_name() == "argument_list" {
            named_children(arguments)
        } else {
            vec![arguments]
        };
        for argument in items {
            match (
                argument.kind_name(),
                argument.field("name"),
                argument.field("value"),
            ) {
                ("keyword_argument", Some(name), Some(value)) => {
                    keywords.push((cx.text(name), value))
                }
                _ => positional.push(argument),
            }
        }
    }
    (positional, keywords)
}

/// Sequence matching with `...` standing for any run of items.
fn match_seq<'t>(
    patterns: &[PNode],
    targets: &[Node<'t>],
    cx: &FileContext<'t>,
    env: &mut Bindings<'t>,
    next: Next<'_, 't>,
) -> bool {
    match patterns.split_first() {
        None => targets.is_empty() && next(env),
        Some((PNode::Ellipsis, rest)) => (0..=targets.len()).any(|skip| {
            let mark = env.len();
            let matched = match_seq(rest, &targets[skip..], cx, env, next);
            if !matched {
                env.truncate(mark);
            }
            matched
        }),
        Some((first, rest)) => match targets.split_first() {
            None => false,
            Some((head, tail)) => match_then(first, *head, cx, env, &mut |env| {
                match_seq(rest, tail, cx, env, next)
            }),
        },
    }
}

/// How one item of an unordered pattern matches one target.
type MatchOne<'f, 't, P> =
    &'f dyn Fn(&P, Node<'t>, &FileContext<'t>, &mut Bindings<'t>, Next<'_, 't>) -> bool;

/// Each pattern matches a distinct target, in any order (decorators, dictionary pairs),
/// backtracking over the choice of target.
fn match_unordered<'t, P>(
    patterns: &[P],
    targets: &[Node<'t>],
    used: &mut [bool],
    cx: &FileContext<'t>,
    env: &mut Bindings<'t>,
    next: Next<'_, 't>,
    match_one: MatchOne<'_, 't, P>,
) -> bool {
    let Some((first, rest)) = patterns.split_first() else {
        return next(env);
    };
    for index in 0..targets.len() {
        if used[index] {
            continue;
        }
        used[index] = true;
        let matched = match_one(first, targets[index], cx, env, &mut |env| {
            let mut used_after = used.to_vec();
            match_unordered(rest, targets, &mut used_after, cx, env, next, match_one)
        });
        used[index] = false;
        if matched {
            return true;
        }
    }
    false
}

/// A `key: value` pattern against a dictionary pair.
fn match_pair<'t>(
    (key, value): &(PNode, PNode),
    target: Node<'t>,
    cx: &FileContext<'t>,
    env: &mut Bindings<'t>,
    next: Next<'_, 't>,
) -> bool {
    let (Some(target_key), Some(target_value)) = (target.field("key"), target.field("value"))
    else {
        return false;
    };
    match_then(key, target_key, cx, env, &mut |env| {
        match_then(value, target_value, cx, env, next)
    })
}

/// Whether the constant value of `node` matches `pattern`. Dictionary literals are matched
/// pair by pair and containers never equal scalars, so a pattern tried on every enclosing
/// dictionary does not evaluate each one whole (nested configuration dicts made that
/// quadratic).
fn match_const_node<'t>(pattern: &ConstPattern, node: Node<'t>, cx: &FileContext<'t>) -> bool {
    let node = unparenthesize(node);
    let container = matches!(node.kind_name(), "dictionary" | "list" | "tuple" | "set");
    match (pattern, node.kind_name()) {
        (ConstPattern::Dict(pairs), "dictionary") => {
            let targets: Vec<Node<'t>> = named_children(node)
                .into_iter()
                .filter(|child| child.kind_name() == "pair")
                .collect();
            let open = pairs.iter().any(Option::is_none);
            let wanted: Vec<&(ConstPattern, ConstPattern)> = pairs.iter().flatten().collect();
            (open || wanted.len() == targets.len())
                && wanted.iter().all(|(key, item)| {
                    targets.iter().any(|pair| {
                        pair.field("key")
                            .is_some_and(|target| match_const_node(key, target, cx))
                            && pair
                                .field("value")
                                .is_some_and(|target| match_const_node(item, target, cx))
                    })
                })
        }
        (ConstPattern::Value(_), _) if container => false,
        (ConstPattern::Dict(_), _) if container => false,
        (ConstPattern::Seq { .. }, "dictionary") => false,
        _ => cx
            .eval(node)
            .is_some_and(|value| match_const(pattern, &value)),
    }
}

fn match_const(pattern: &ConstPattern, value: &Const) -> bool {
    match (pattern, value) {
        (ConstPattern::Value(expected), actual) => match (expected, actual) {
            (Const::Int(a), Const::Float(b)) | (Const::Float(b), Const::Int(a)) => {
                (*a as f64) == *b
            }
            _ => expected == actual,
        },
        (ConstPattern::Seq { items, set: false }, Const::Seq(values)) => {
            match_const_seq(items, values)
        }
        (ConstPattern::Seq { items, set: true }, Const::Set(values)) => {
            let open = items.iter().any(Option::is_none);
            let wanted: Vec<&ConstPattern> = items.iter().flatten().collect();
            (open || wanted.len() == values.len())
                && wanted
                    .iter()
                    .all(|item| values.iter().any(|value| match_const(item, value)))
        }
        (ConstPattern::Dict(pairs), Const::Dict(values)) => {
            let open = pairs.iter().any(Option::is_none);
            let wanted: Vec<&(ConstPattern, ConstPattern)> = pairs.iter().flatten().collect();
            (open || wanted.len() == values.len())
                && wanted.iter().all(|(key, item)| {
                    values
                        .iter()
                        .any(|(k, v)| match_const(key, k) && match_const(item, v))
                })
        }
        _ => false,
    }
}

fn match_const_seq(items: &[Option<ConstPattern>], values: &[Const]) -> bool {
    match items.split_first() {
        None => values.is_empty(),
        Some((None, rest)) => (0..=values.len()).any(|skip| match_const_seq(rest, &values[skip..])),
        Some((Some(first), rest)) => values
            .split_first()
            .is_some_and(|(head, tail)| match_const(first, head) && match_const_seq(rest, tail)),
    }
}

/// The expressions interpolated in an f-string.
fn interpolations(string: Node<'_>) -> Vec<Node<'_>> {
    let mut found = Vec::new();
    let mut stack = vec![string];
    while let Some(node) = stack.pop() {
        if node.kind_name() == "interpolation" {
            if let Some(expression) = node.field("expression").or_else(|| node.named_child(0)) {
                found.push(expression);
            }
        } else {
            stack.extend(named_children(node));
        }
    }
    found
}

/// Operator and keyword tokens of a node (`+`, `not`, `in`, `async`...).
fn operator_tokens(node: Node<'_>) -> Vec<&'static str> {
    let mut cursor = node.walk();
    node.children(&mut cursor)
        .filter(|child| !child.is_named() && !PUNCTUATION.contains(&child.kind_name()))
        .map(|child| child.kind_name())
        .collect()
}

/// Operators must agree, except that a pattern without `async` matches async code too.
fn same_ops(pattern: &[String], target: &[&str]) -> bool {
    let wants_async = pattern.iter().any(|op| op == "async");
    let target: Vec<&str> = target
        .iter()
        .copied()
        .filter(|op| wants_async || *op != "async")
        .collect();
    pattern.len() == target.len() && pattern.iter().zip(&target).all(|(a, b)| a == b)
}

fn unfielded_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    let mut children = Vec::new();
    for (index, child) in node.children(&mut cursor).enumerate() {
        if child.is_named()
            && child.kind_name() != "comment"
            && node.field_name_for_child(index as u32).is_none()
        {
            children.push(child);
        }
    }
    children
}
