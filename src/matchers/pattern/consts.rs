//! Constant propagation within a module and a function: what value an expression has when
//! it can be known without running anything (`origins = ["*"]` then `allow_origins=origins`;
//! `settings.DEBUG = True`; `"a" + "b"`).
//!
//! Takes a Python tree, gives back [`Assignments`] (every simple binding per scope) and
//! evaluates expressions to [`Const`]s on demand. A name bound more than once to different
//! values, or bound by a parameter, loop or `with`, has no constant value. Containers keep
//! their known items and mark the rest [`Const::Unknown`].

use crate::parse::fast_hash::FastMap;
use crate::parse::node_ext::NodeExt;
use crate::parse::python::{
    Parents, named_children, node_text, string_value, unparenthesize, walk_named,
};
use std::cell::Cell;
use tree_sitter::Node;

/// How deep evaluation follows names and operators before giving up (cycles, huge chains).
const MAX_DEPTH: usize = 24;
/// How many expressions one evaluation may visit (a name rebound many times to names
/// rebound many times must not explode).
const MAX_STEPS: usize = 4096;

/// A compile-time value.
#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    /// A `str` (or `bytes`, as text).
    Str(String),
    /// An `int`.
    Int(i128),
    /// A `float`.
    Float(f64),
    /// `True` or `False`.
    Bool(bool),
    /// `None`.
    None,
    /// A list or tuple (Python code treats them alike where rules care).
    Seq(Vec<Const>),
    /// A set.
    Set(Vec<Const>),
    /// A dict, in source order.
    Dict(Vec<(Const, Const)>),
    /// An item of a container whose value is not known.
    Unknown,
}

/// Where a name was bound: a value expression, a context manager (`with EXPR as name`: the
/// name is what `EXPR.__enter__` returns, not `EXPR`), or a binding with no knowable value.
#[derive(Debug, Clone, Copy)]
enum Binding<'t> {
    Value(Node<'t>),
    Entered(Node<'t>),
    Opaque,
}

/// Simple bindings of one file, by scope (0: module; else a function node's id).
#[derive(Debug, Default)]
pub struct Assignments<'t> {
    /// Scope (0: module; else a function node's id) → name → bindings.
    scopes: FastMap<usize, FastMap<String, Vec<Binding<'t>>>>,
    parents: Parents<'t>,
}

impl<'t> Assignments<'t> {
    /// Collects the bindings of the file rooted at `root` (and every node's parent), in one
    /// walk of the tree.
    pub fn collect(source: &str, root: Node<'t>) -> Assignments<'t> {
        let mut assignments = Assignments {
            scopes: FastMap::default(),
            parents: Parents::default(),
        };
        // The scope of the children of each node on the path to the current one.
        let mut scopes: Vec<(usize, usize)> = Vec::new();
        walk_named(root, |node, parent| {
            let scope = match parent {
                Some(parent) => {
                    assignments.parents.record(node, parent);
                    while scopes.last().is_some_and(|(id, _)| *id != parent.id()) {
                        scopes.pop();
                    }
                    scopes.last().map_or(0, |(_, scope)| *scope)
                }
                None => 0,
            };
            let inner = match node.kind_name() {
                "function_definition" | "lambda" => {
                    if let Some(parameters) = node.field("parameters") {
                        for name in parameter_names(source, parameters) {
                            assignments.bind(node.id(), name, Binding::Opaque);
                        }
                    }
                    node.id()
                }
                "assignment" => {
                    assignments.add_assignment(source, node, scope);
                    scope
                }
                "with_item" => {
                    if let Some(item) = node.field("value")
                        && item.kind_name() == "as_pattern"
                        && let (Some(manager), Some(alias)) =
                            (item.named_child(0), item.field("alias"))
                    {
                        for name in target_names(source, alias) {
                            assignments.bind(scope, name, Binding::Entered(manager));
                        }
                    }
                    scope
                }
                "augmented_assignment" | "for_statement" | "for_in_clause" | "named_expression" => {
                    let target = node.field("left").or_else(|| node.field("name"));
                    if let Some(target) = target {
                        for name in target_names(source, target) {
                            assignments.bind(scope, name, Binding::Opaque);
                        }
                    }
                    scope
                }
                _ => scope,
            };
            scopes.push((node.id(), inner));
        });
        assignments
    }

    fn add_assignment(&mut self, source: &str, node: Node<'t>, scope: usize) {
        let (Some(left), right) = (node.field("left"), node.field("right")) else {
            return;
        };
        // `x: int` without a value binds nothing.
        let Some(right) = right else { return };
        // `a = b = 1`: the right side is itself an assignment.
        let value = if right.kind_name() == "assignment" {
            right.field("right").unwrap_or(right)
        } else {
            right
        };
        match left.kind_name() {
            "identifier" => self.bind(
                scope,
                node_text(source, left).to_owned(),
                Binding::Value(value),
            ),
            // Attribute targets (`settings.DEBUG = True`) are module-wide facts.
            "attribute" => self.bind(0, compact(node_text(source, left)), Binding::Value(value)),
            _ => {
                for name in target_names(source, left) {
                    self.bind(scope, name, Binding::Opaque);
                }
            }
        }
    }

    fn bind(&mut self, scope: usize, name: String, binding: Binding<'t>) {
        self.scopes
            .entry(scope)
            .or_default()
            .entry(name)
            .or_default()
            .push(binding);
    }

    /// The bindings `name` has when read at `at`: the enclosing function's if it binds the
    /// name at all (Python's scoping rule), else the module's.
    fn bindings_at(&self, name: &str, at: Node<'t>) -> Option<&[Binding<'t>]> {
        let mut current = self.parents.get(at);
        while let Some(node) = current {
            if matches!(node.kind_name(), "function_definition" | "lambda")
                && let Some(bindings) = self
                    .scopes
                    .get(&node.id())
                    .and_then(|scope| scope.get(name))
            {
                return Some(bindings);
            }
            current = self.parents.get(node);
        }
        self.scopes
            .get(&0)
            .and_then(|scope| scope.get(name))
            .map(Vec::as_slice)
    }

    /// The expression a name was assigned when it has exactly one binding, `x = EXPR`.
    pub fn value_origin(&self, name: &str, at: Node<'t>) -> Option<Node<'t>> {
        match self.bindings_at(name, at)? {
            [Binding::Value(expression)] => Some(*expression),
            _ => None,
        }
    }

    /// The expression a name was made from when it has exactly one binding: `x = EXPR` or
    /// `with EXPR as x` (e.g. to know that `client` came from `httpx.AsyncClient()`).
    pub fn origin(&self, name: &str, at: Node<'t>) -> Option<Node<'t>> {
        match self.bindings_at(name, at)? {
            [Binding::Value(expression)] | [Binding::Entered(expression)] => Some(*expression),
            _ => None,
        }
    }

    /// The parent of `node` (fast: recorded when the file was indexed).
    pub fn parent(&self, node: Node<'t>) -> Option<Node<'t>> {
        self.parents.get(node)
    }

    /// The constant value of `node`, if it has one.
    pub fn eval(&self, source: &str, node: Node<'t>) -> Option<Const> {
        let steps = Cell::new(0);
        Evaluation {
            assignments: self,
            source,
            steps: &steps,
        }
        .eval_at(node, 0)
    }
}

/// One evaluation, with its step budget.
struct Evaluation<'a, 't> {
    assignments: &'a Assignments<'t>,
    source: &'a str,
    steps: &'a Cell<usize>,
}

impl<'t> Evaluation<'_, 't> {
    fn eval_at(&self, node: Node<'t>, depth: usize) -> Option<Const> {
        self.steps.set(self.steps.get() + 1);
        if depth > MAX_DEPTH || self.steps.get() > MAX_STEPS {
            return None;
        }
        let source = self.source;
        let node = unparenthesize(node);
        let item = |child: Node<'t>| self.eval_at(child, depth + 1).unwrap_or(Const::Unknown);
        match node.kind_name() {
            "string" | "concatenated_string" => string_value(source, node).map(Const::Str),
            "integer" => parse_int(node_text(source, node)).map(Const::Int),
            "float" => node_text(source, node)
                .replace('_', "")
                .parse()
                .ok()
                .map(Const::Float),
            "true" => Some(Const::Bool(true)),
            "false" => Some(Const::Bool(false)),
            "none" => Some(Const::None),
            "list" | "tuple" => Some(Const::Seq(
                named_children(node).into_iter().map(item).collect(),
            )),
            "set" => Some(Const::Set(
                named_children(node).into_iter().map(item).collect(),
            )),
            "dictionary" => Some(Const::Dict(
                named_children(node)
                    .into_iter()
                    .filter(|pair| pair.kind_name() == "pair")
                    .filter_map(|pair| Some((item(pair.field("key")?), item(pair.field("value")?))))
                    .collect(),
            )),
            "binary_operator" => {
                let left = self.eval_at(node.field("left")?, depth + 1)?;
                let right = self.eval_at(node.field("right")?, depth + 1)?;
                let operator = node.field("operator").map(|op| node_text(source, op))?;
                match (operator, left, right) {
                    ("+", Const::Str(a), Const::Str(b)) => Some(Const::Str(a + &b)),
                    ("+", Const::Seq(mut a), Const::Seq(b)) => {
                        a.extend(b);
                        Some(Const::Seq(a))
                    }
                    ("+", Const::Int(a), Const::Int(b)) => a.checked_add(b).map(Const::Int),
                    ("*", Const::Int(a), Const::Int(b)) => a.checked_mul(b).map(Const::Int),
                    _ => None,
                }
            }
            "identifier" => self.eval_name(node_text(source, node), node, depth),
            "attribute" => self.eval_name(&compact(node_text(source, node)), node, depth),
            _ => None,
        }
    }

    /// A name's value: defined when every binding it has gives the same constant.
    fn eval_name(&self, name: &str, at: Node<'t>, depth: usize) -> Option<Const> {
        let bindings = self.assignments.bindings_at(name, at)?;
        let mut value: Option<Const> = None;
        for binding in bindings {
            let Binding::Value(expression) = binding else {
                return None;
            };
            // `x = x + 1` style self-references are caught by the depth limit.
            let this = self.eval_at(*expression, depth + 1)?;
            match &value {
                Some(previous) if *previous != this => return None,
                _ => value = Some(this),
            }
        }
        value
    }
}

/// Names bound by a parameter list.
fn parameter_names(source: &str, parameters: Node<'_>) -> Vec<String> {
    let mut names = Vec::new();
    for parameter in named_children(parameters) {
        let name = match parameter.kind_name() {
            "identifier" => Some(parameter),
            "typed_parameter" | "list_splat_pattern" | "dictionary_splat_pattern" => {
                named_children(parameter)
                    .into_iter()
                    .find(|child| child.kind_name() == "identifier")
            }
            "default_parameter" | "typed_default_parameter" => parameter.field("name"),
            _ => None,
        };
        if let Some(name) = name {
            names.push(node_text(source, name).to_owned());
        }
    }
    names
}

/// Identifiers bound by an assignment target (`a`, `a, b`, `[a, *b]`).
fn target_names(source: &str, target: Node<'_>) -> Vec<String> {
    let mut names = Vec::new();
    let mut stack = vec![target];
    while let Some(node) = stack.pop() {
        match node.kind_name() {
            "identifier" => names.push(node_text(source, node).to_owned()),
            "pattern_list"
            | "tuple_pattern"
            | "list_pattern"
            | "tuple"
            | "list"
            | "list_splat_pattern"
            | "parenthesized_expression"
            | "as_pattern_target" => stack.extend(named_children(node)),
            _ => {}
        }
    }
    names
}

fn parse_int(text: &str) -> Option<i128> {
    let digits = text.replace('_', "");
    let lower = digits.to_ascii_lowercase();
    if let Some(hex) = lower.strip_prefix("0x") {
        i128::from_str_radix(hex, 16).ok()
    } else if let Some(octal) = lower.strip_prefix("0o") {
        i128::from_str_radix(octal, 8).ok()
    } else if let Some(binary) = lower.strip_prefix("0b") {
        i128::from_str_radix(binary, 2).ok()
    } else {
        lower.parse().ok()
    }
}

/// Text without whitespace (`settings . DEBUG` → `settings.DEBUG`).
pub fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::python::PythonSource;

    /// Evaluates the right-hand side of the last statement `probe = <expr>` in `code`.
    fn probe(code: &str) -> Option<Const> {
        let source = PythonSource::parse(code).unwrap();
        let root = source.tree.root_node();
        let assignments = Assignments::collect(code, root);
        let mut stack = vec![root];
        let mut found = None;
        while let Some(node) = stack.pop() {
            if node.kind_name() == "call"
                && node_text(code, node.field("function").unwrap()) == "probe"
            {
                found = node.field("arguments").and_then(|args| args.named_child(0));
            }
            stack.extend(named_children(node));
        }
        assignments.eval(code, found.unwrap())
    }

    #[test]
    fn module_and_function_constants() {
        assert_eq!(
            probe("origins = ['*']\nprobe(origins)\n"),
            Some(Const::Seq(vec![Const::Str("*".into())]))
        );
        assert_eq!(
            probe("A = 'x' + \"y\"\nB = A\nprobe(B)\n"),
            Some(Const::Str("xy".into()))
        );
        assert_eq!(
            probe("settings.DEBUG = True\nprobe(settings.DEBUG)\n"),
            Some(Const::Bool(true))
        );
        assert_eq!(
            probe("def f():\n    o = ['a', x]\n    probe(o)\n"),
            Some(Const::Seq(vec![Const::Str("a".into()), Const::Unknown]))
        );
    }

    #[test]
    fn unknowable_values() {
        assert_eq!(
            probe("x = 1\nx = 2\nprobe(x)\n"),
            None,
            "rebound to different values"
        );
        assert_eq!(
            probe("x = 1\nx = 1\nprobe(x)\n"),
            Some(Const::Int(1)),
            "rebound to the same value"
        );
        assert_eq!(
            probe("def f(x='*'):\n    probe(x)\n"),
            None,
            "parameters are not constants"
        );
        assert_eq!(probe("for x in y:\n    probe(x)\n"), None);
        assert_eq!(probe("a = b\nb = a\nprobe(a)\n"), None, "cycles end");
        assert_eq!(
            probe("x = 'a'\ndef f():\n    x = 'b'\n    probe(x)\n"),
            Some(Const::Str("b".into())),
            "function scope first"
        );
    }
}
