//! Rule objects: patterns combined with `all`, `any`, `not`, `inside`, `not_inside`, `has`,
//! `not_has`, node `kind`, text `regex` and `where` conditions on metavariables.
//!
//! Every field present in a rule object must hold for a node to match (as in ast-grep);
//! bindings made by one field are visible to the next, in a fixed order: positive fields
//! (`pattern`, `kind`, `regex`, `any`, `all`, `has`, `inside`), then negative ones, then
//! `where`.

use super::consts::Const;
use super::matcher::{Bindings, FileContext, bound, match_node};
use super::ptree::PNode;
use regex::Regex;
use tree_sitter::Node;

/// A compiled rule object.
#[derive(Debug, Default)]
pub struct RuleObject {
    /// Code pattern.
    pub pattern: Option<PNode>,
    /// tree-sitter node kind.
    pub kind: Option<String>,
    /// Regex over the node's text.
    pub regex: Option<Regex>,
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
}

/// A `where` condition on one metavariable.
#[derive(Debug, Default)]
pub struct Condition {
    /// `$X`.
    pub metavariable: String,
    /// The bound node's source text must match.
    pub regex: Option<Regex>,
    /// The bound node's source text must not match.
    pub not_regex: Option<Regex>,
    /// The bound node's constant string value must match.
    pub value_regex: Option<Regex>,
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

/// How far `has` and `inside` look (levels), so pathological nesting cannot make a match slow.
const MAX_RELATIVE_DEPTH: usize = 256;

impl RuleObject {
    /// Whether the object matches `node`, extending `env` on success (unchanged on failure).
    pub fn matches<'t>(
        &self,
        node: Node<'t>,
        cx: &FileContext<'t>,
        env: &mut Bindings<'t>,
    ) -> bool {
        let mark = env.len();
        let matched = self.matches_inner(node, cx, env);
        if !matched {
            env.truncate(mark);
        }
        matched
    }

    fn matches_inner<'t>(
        &self,
        node: Node<'t>,
        cx: &FileContext<'t>,
        env: &mut Bindings<'t>,
    ) -> bool {
        if let Some(kind) = &self.kind
            && node.kind() != kind
        {
            return false;
        }
        if let Some(pattern) = &self.pattern
            && !match_node(pattern, node, cx, env)
        {
            return false;
        }
        if let Some(regex) = &self.regex
            && !regex.is_match(cx.text(node))
        {
            return false;
        }
        if !self.any.is_empty() && !self.any.iter().any(|object| object.matches(node, cx, env)) {
            return false;
        }
        if !self.all.iter().all(|object| object.matches(node, cx, env)) {
            return false;
        }
        if let Some(has) = &self.has
            && !descendants(node)
                .into_iter()
                .any(|descendant| has.matches(descendant, cx, env))
        {
            return false;
        }
        if let Some(inside) = &self.inside
            && !ancestors(node)
                .into_iter()
                .any(|ancestor| inside.matches(ancestor, cx, env))
        {
            return false;
        }
        // Negative fields never keep bindings.
        let mut scratch = env.clone();
        if let Some(not) = &self.not
            && not.matches(node, cx, &mut scratch)
        {
            return false;
        }
        if let Some(not_inside) = &self.not_inside
            && ancestors(node)
                .into_iter()
                .any(|ancestor| not_inside.matches(ancestor, cx, &mut env.clone()))
        {
            return false;
        }
        if let Some(not_has) = &self.not_has
            && descendants(node)
                .into_iter()
                .any(|descendant| not_has.matches(descendant, cx, &mut env.clone()))
        {
            return false;
        }
        self.conditions
            .iter()
            .all(|condition| condition.holds(cx, env))
    }
}

impl Condition {
    fn holds<'t>(&self, cx: &FileContext<'t>, env: &mut Bindings<'t>) -> bool {
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
        if let Some(object) = &self.matches
            && !object.matches(node, cx, env)
        {
            return false;
        }
        if let Some(object) = &self.not_matches
            && object.matches(node, cx, &mut env.clone())
        {
            return false;
        }
        true
    }
}

/// Whether `node` is a name whose single binding is a call to one of `makers`.
fn made_by(node: Node<'_>, makers: &[String], cx: &FileContext<'_>) -> bool {
    if node.kind() != "identifier" {
        return false;
    }
    let Some(origin) = cx.consts.origin(cx.text(node), node) else {
        return false;
    };
    let origin = if origin.kind() == "await" {
        origin.named_child(0).unwrap_or(origin)
    } else {
        origin
    };
    origin.kind() == "call"
        && origin
            .child_by_field_name("function")
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

/// Ancestors of `node` (not itself), nearest first.
fn ancestors(node: Node<'_>) -> Vec<Node<'_>> {
    let mut found = Vec::new();
    let mut current = node.parent();
    while let Some(ancestor) = current {
        if found.len() >= MAX_RELATIVE_DEPTH {
            break;
        }
        found.push(ancestor);
        current = ancestor.parent();
    }
    found
}
