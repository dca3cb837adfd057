//! Code patterns: Python code with placeholders, compiled into a [`PNode`] tree.
//!
//! `$X` matches one node (the same text wherever `$X` recurs), `$_` one node without
//! binding, `...` and `$$$` (or `$$$ARGS`) any sequence of arguments, items, parameters or
//! statements; in expression position `...` matches any expression. Placeholders become
//! reserved identifiers before the pattern is parsed with the same tree-sitter grammar as the
//! code it will match, so anything Python can write, a pattern can.

use super::consts::Const;
use super::literals::ROUTE_DECORATOR;
use crate::matchers::taint::routes::ROUTE_METHODS;
use crate::parse::node_ext::NodeExt;
use crate::parse::python::{PythonSource, named_children, node_text, string_value};
use std::cell::RefCell;
use std::collections::HashMap;
use tree_sitter::Node;

const ELLIPSIS: &str = "__hx_ell__";
const WILDCARD: &str = "__hx_wild__";
const META_PREFIX: &str = "__hx_mv_";
const MULTI_PREFIX: &str = "__hx_mm_";
const SUFFIX: &str = "__";

/// Anonymous tokens that carry no meaning for matching.
pub(crate) const PUNCTUATION: &[&str] = &[
    "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "=", "->", "@", "\"", "'",
];

/// A compiled pattern node.
#[derive(Debug, Clone, PartialEq)]
pub enum PNode {
    /// `$X`: any node, bound to `X`.
    Meta(String),
    /// `$_` or `...` in expression position: any node.
    Wildcard,
    /// `...`, `$$$` or `$$$X` in a sequence: any number of items.
    Ellipsis,
    /// A name or dotted name; matches the same text or the same import-resolved name.
    Name(String),
    /// An attribute or keyword name: matches the same text.
    Ident(String),
    /// A literal, or a container of literals and `...`: matches a constant value, written
    /// or propagated.
    Const(ConstPattern),
    /// An f-string: each interpolated pattern must match an interpolation of the target.
    FString(Vec<PNode>),
    /// A call. Keyword arguments match in any order.
    Call {
        /// The callee.
        func: Box<PNode>,
        /// Positional arguments (and `*`/`**` splats), in order.
        positional: Vec<PNode>,
        /// Keyword arguments by name.
        keywords: Vec<(String, PNode)>,
        /// The pattern had `...`: the target may have other arguments.
        open: bool,
    },
    /// A dict display with non-literal parts: pairs match in any order; `open` (the pattern
    /// had `...` or `**$_`) allows other pairs.
    Dict {
        /// Key and value patterns.
        pairs: Vec<(PNode, PNode)>,
        /// Other pairs allowed.
        open: bool,
    },
    /// A decorated definition: each decorator must match one of the target's.
    Decorated {
        /// Decorator patterns (the `@` expressions).
        decorators: Vec<PNode>,
        /// The function or class.
        definition: Box<PNode>,
    },
    /// Any other syntax node: same kind, same operators, fields and children matching.
    Node {
        /// tree-sitter node kind.
        kind: &'static str,
        /// Operator and keyword tokens (`+`, `not`, `in`...), in order.
        ops: Vec<String>,
        /// Children by field name.
        fields: Vec<(&'static str, Vec<PNode>)>,
        /// Named children without a field, in order.
        rest: Vec<PNode>,
    },
}

/// A literal pattern, matched against constant values.
#[derive(Debug, Clone, PartialEq)]
pub enum ConstPattern {
    /// One value.
    Value(Const),
    /// A list or tuple (`set`: a set), `None` items standing for `...`.
    Seq {
        /// Items; `None` is `...`.
        items: Vec<Option<ConstPattern>>,
        /// Whether it was a set literal (unordered).
        set: bool,
    },
    /// A dict; `None` entries stand for `...`.
    Dict(Vec<Option<(ConstPattern, ConstPattern)>>),
}

/// A pattern that does not compile, with the byte offset (in the pattern) at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the pattern text, when known.
    pub offset: Option<usize>,
}

thread_local! {
    /// Patterns already compiled on this thread: rule loading compiles each pattern twice
    /// (metavariable checks, then the rule) and rules share many patterns.
    static COMPILED: RefCell<HashMap<String, Result<PNode, PatternError>>> =
        RefCell::new(HashMap::new());
}

/// Compiles a pattern written in Python.
pub fn compile_pattern(pattern: &str) -> Result<PNode, PatternError> {
    if let Some(known) = COMPILED.with(|cache| cache.borrow().get(pattern).cloned()) {
        return known;
    }
    let compiled = compile_uncached(pattern);
    COMPILED.with(|cache| {
        cache
            .borrow_mut()
            .insert(pattern.to_owned(), compiled.clone())
    });
    compiled
}

fn compile_uncached(pattern: &str) -> Result<PNode, PatternError> {
    let dedented = dedent(pattern);
    let is_except = dedented.trim_start().starts_with("except");
    let prefix = if is_except { "try:\n    pass\n" } else { "" };
    let plain = format!("{prefix}{}", substitute_placeholders(&dedented, false));
    // `...` inside braces is an item in a set but must be a `**` entry in a dict; try the
    // plain reading first, then the dict one.
    let clean = |code: &str| {
        PythonSource::parse(code)
            .map(|source| source.tree)
            .filter(|tree| !tree.root_node().has_error())
    };
    let (code, parsed) = match clean(&plain) {
        Some(tree) => (plain, Some(tree)),
        None => {
            let dict = format!("{prefix}{}", substitute_placeholders(&dedented, true));
            match clean(&dict) {
                Some(tree) => (dict, Some(tree)),
                None => {
                    let tree = PythonSource::parse(&plain).map(|source| source.tree);
                    (plain, tree)
                }
            }
        }
    };
    let prefix = prefix.len();
    let Some(tree) = parsed else {
        return Err(PatternError {
            message: "the pattern could not be parsed".to_owned(),
            offset: None,
        });
    };
    let source = PythonSource { text: &code, tree };
    let root = source.tree.root_node();
    if let Some(error) = first_error(root) {
        return Err(PatternError {
            message: "the pattern is not valid Python (placeholders aside)".to_owned(),
            offset: Some(error.start_byte().saturating_sub(prefix)),
        });
    }
    let statements = named_children(root);
    let node = match (is_except, statements.as_slice()) {
        (true, [try_statement]) => named_children(*try_statement)
            .into_iter()
            .find(|child| child.kind_name() == "except_clause")
            .ok_or_else(|| PatternError {
                message: "expected an `except` clause".to_owned(),
                offset: None,
            })?,
        (false, [statement]) => unwrap_statement(*statement),
        (_, []) => {
            return Err(PatternError {
                message: "the pattern is empty".to_owned(),
                offset: None,
            });
        }
        _ => {
            return Err(PatternError {
                message: "a pattern is one statement or expression; combine several with `all`, `any` or `inside`".to_owned(),
                offset: None,
            });
        }
    };
    Ok(convert(&code, node))
}

/// `x` for an expression statement holding only `x`.
fn unwrap_statement(node: Node<'_>) -> Node<'_> {
    if node.kind_name() == "expression_statement"
        && let [only] = named_children(node).as_slice()
    {
        return *only;
    }
    node
}

fn first_error(root: Node<'_>) -> Option<Node<'_>> {
    if !root.has_error() {
        return None;
    }
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            return Some(node);
        }
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    Some(root)
}

fn convert(source: &str, node: Node<'_>) -> PNode {
    let text = node_text(source, node);
    match node.kind_name() {
        "identifier" => placeholder(text).unwrap_or_else(|| PNode::Name(text.to_owned())),
        "attribute" => match dotted_name(source, node) {
            Some(name) => PNode::Name(name),
            None => generic(source, node),
        },
        "expression_statement" => match named_children(node).as_slice() {
            [only] => convert(source, *only),
            _ => generic(source, node),
        },
        "string" | "concatenated_string" if string_value(source, node).is_none() => {
            let mut interpolations = Vec::new();
            let mut stack = vec![node];
            while let Some(current) = stack.pop() {
                if current.kind_name() == "interpolation"
                    && let Some(expression) = current
                        .field("expression")
                        .or_else(|| current.named_child(0))
                {
                    interpolations.push(convert(source, expression));
                } else {
                    stack.extend(named_children(current));
                }
            }
            PNode::FString(interpolations)
        }
        "call" => convert_call(source, node),
        "decorated_definition" => {
            let decorators = named_children(node)
                .into_iter()
                .filter(|child| child.kind_name() == "decorator")
                .filter_map(|decorator| decorator.named_child(0))
                .map(|expression| convert(source, expression))
                .collect();
            match node.field("definition") {
                Some(definition) => PNode::Decorated {
                    decorators,
                    definition: Box::new(convert(source, definition)),
                },
                None => generic(source, node),
            }
        }
        "dictionary" => match const_pattern(source, node) {
            Some(constant) => PNode::Const(constant),
            None => {
                let mut pairs = Vec::new();
                let mut open = false;
                for child in named_children(node) {
                    match (child.kind_name(), child.field("key"), child.field("value")) {
                        ("pair", Some(key), Some(value)) => {
                            pairs.push((convert(source, key), convert(source, value)))
                        }
                        ("dictionary_splat", ..) => open = true,
                        _ => open |= node_text(source, child) == ELLIPSIS,
                    }
                }
                PNode::Dict { pairs, open }
            }
        },
        _ => match const_pattern(source, node) {
            Some(constant) => PNode::Const(constant),
            None => generic(source, node),
        },
    }
}

fn placeholder(text: &str) -> Option<PNode> {
    if text == ELLIPSIS {
        return Some(PNode::Ellipsis);
    }
    if text == WILDCARD {
        return Some(PNode::Wildcard);
    }
    if text.starts_with(MULTI_PREFIX) {
        return Some(PNode::Ellipsis);
    }
    text.strip_prefix(META_PREFIX)
        .and_then(|rest| rest.strip_suffix(SUFFIX))
        .map(|name| PNode::Meta(format!("${name}")))
}

/// `a.b.c` when the attribute chain is made of plain identifiers only.
fn dotted_name(source: &str, node: Node<'_>) -> Option<String> {
    match node.kind_name() {
        "identifier" => {
            let text = node_text(source, node);
            placeholder(text).is_none().then(|| text.to_owned())
        }
        "attribute" => {
            let object = dotted_name(source, node.field("object")?)?;
            let attribute = node_text(source, node.field("attribute")?);
            if placeholder(attribute).is_some() {
                return None;
            }
            Some(format!("{object}.{attribute}"))
        }
        _ => None,
    }
}

fn convert_call(source: &str, node: Node<'_>) -> PNode {
    let Some(function) = node.field("function") else {
        return generic(source, node);
    };
    let mut positional = Vec::new();
    let mut keywords = Vec::new();
    let mut open = false;
    if let Some(arguments) = node.field("arguments") {
        let items = if arguments.kind_name() == "argument_list" {
            named_children(arguments)
        } else {
            vec![arguments]
        };
        for argument in items {
            if argument.kind_name() == "keyword_argument"
                && let (Some(name), Some(value)) = (argument.field("name"), argument.field("value"))
            {
                keywords.push((node_text(source, name).to_owned(), convert(source, value)));
                continue;
            }
            let converted = convert(source, argument);
            open |= converted == PNode::Ellipsis;
            positional.push(converted);
        }
    }
    PNode::Call {
        func: Box::new(convert(source, function)),
        positional,
        keywords,
        open,
    }
}

fn generic(source: &str, node: Node<'_>) -> PNode {
    let mut ops = Vec::new();
    let mut fields: Vec<(&'static str, Vec<PNode>)> = Vec::new();
    let mut rest = Vec::new();
    let mut cursor = node.walk();
    for (index, child) in node.children(&mut cursor).enumerate() {
        if child.kind_name() == "comment" {
            continue;
        }
        if !child.is_named() {
            if !PUNCTUATION.contains(&child.kind_name()) {
                ops.push(child.kind_name().to_owned());
            }
            continue;
        }
        // Member and keyword names are plain text, never import-resolved names.
        let field = node.field_name_for_child(index as u32);
        let is_member_name = matches!(
            (node.kind_name(), field),
            ("attribute", Some("attribute")) | ("keyword_argument", Some("name"))
        );
        let converted = if is_member_name {
            let text = node_text(source, child);
            placeholder(text).unwrap_or_else(|| PNode::Ident(text.to_owned()))
        } else {
            convert(source, child)
        };
        match node.field_name_for_child(index as u32) {
            Some(field) => match fields.iter_mut().find(|(name, _)| *name == field) {
                Some((_, items)) => items.push(converted),
                None => fields.push((field, vec![converted])),
            },
            None => rest.push(converted),
        }
    }
    PNode::Node {
        kind: node.kind_name(),
        ops,
        fields,
        rest,
    }
}

/// A literal (or container of literals and `...`) as a constant pattern.
fn const_pattern(source: &str, node: Node<'_>) -> Option<ConstPattern> {
    let value = |constant: Const| Some(ConstPattern::Value(constant));
    match node.kind_name() {
        "string" | "concatenated_string" => value(Const::Str(string_value(source, node)?)),
        "integer" => value(Const::Int(
            node_text(source, node).replace('_', "").parse().ok()?,
        )),
        "float" => value(Const::Float(
            node_text(source, node).replace('_', "").parse().ok()?,
        )),
        "true" => value(Const::Bool(true)),
        "false" => value(Const::Bool(false)),
        "none" => value(Const::None),
        "list" | "tuple" | "set" => {
            let mut items = Vec::new();
            for child in named_children(node) {
                if node_text(source, child) == ELLIPSIS {
                    items.push(None);
                } else {
                    items.push(Some(const_pattern(source, child)?));
                }
            }
            Some(ConstPattern::Seq {
                items,
                set: node.kind_name() == "set",
            })
        }
        "dictionary" => {
            let mut pairs = Vec::new();
            for child in named_children(node) {
                if child.kind_name() == "pair" {
                    let key = const_pattern(source, child.field("key")?)?;
                    let item = const_pattern(source, child.field("value")?)?;
                    pairs.push(Some((key, item)));
                } else if node_text(source, child) == ELLIPSIS
                    || child.kind_name() == "dictionary_splat"
                {
                    pairs.push(None);
                } else {
                    return None;
                }
            }
            Some(ConstPattern::Dict(pairs))
        }
        _ => None,
    }
}

/// Replaces `$X`, `$_`, `$$$X`, `$$$` and `...` with reserved identifiers, outside string
/// literals (inside f-string braces too).
fn substitute_placeholders(pattern: &str, dict_ellipsis: bool) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 32);
    let mut index = 0;
    // Open brackets outside strings, innermost last.
    let mut brackets: Vec<char> = Vec::new();
    // (quote, triple, f-string, brace depth inside an f-string)
    let mut string: Option<(char, bool, bool, usize)> = None;
    while index < chars.len() {
        let c = chars[index];
        if let Some((quote, triple, fstring, depth)) = string {
            if c == '\\' {
                out.push(c);
                if let Some(next) = chars.get(index + 1) {
                    out.push(*next);
                }
                index += 2;
                continue;
            }
            if fstring && c == '{' {
                string = Some((quote, triple, fstring, depth + 1));
            } else if fstring && c == '}' && depth > 0 {
                string = Some((quote, triple, fstring, depth - 1));
            } else if depth == 0
                && c == quote
                && (!triple || chars[index..].starts_with(&[quote, quote, quote]))
            {
                let width = if triple { 3 } else { 1 };
                out.extend(std::iter::repeat_n(quote, width));
                index += width;
                string = None;
                continue;
            }
            if depth == 0 {
                out.push(c);
                index += 1;
                continue;
            }
        } else if c == '"' || c == '\'' {
            let triple = chars[index..].starts_with(&[c, c, c]);
            let prefix: String = out
                .chars()
                .rev()
                .take_while(|p| p.is_ascii_alphabetic())
                .collect();
            let fstring = prefix.to_ascii_lowercase().contains('f');
            string = Some((c, triple, fstring, 0));
            let width = if triple { 3 } else { 1 };
            out.extend(std::iter::repeat_n(c, width));
            index += width;
            continue;
        }
        match c {
            '(' | '[' | '{' => brackets.push(c),
            ')' | ']' | '}' => {
                brackets.pop();
            }
            _ => {}
        }
        if chars[index..].starts_with(&['.', '.', '.']) {
            if dict_ellipsis && brackets.last() == Some(&'{') {
                out.push_str("**");
            }
            out.push_str(ELLIPSIS);
            index += 3;
            continue;
        }
        if c == '$' {
            let dollars = chars[index..].iter().take_while(|d| **d == '$').count();
            let name: String = chars[index + dollars..]
                .iter()
                .take_while(|n| n.is_ascii_alphanumeric() || **n == '_')
                .collect();
            index += dollars + name.len();
            match (dollars, name.as_str()) {
                (3, "") => {
                    if dict_ellipsis && brackets.last() == Some(&'{') {
                        out.push_str("**");
                    }
                    out.push_str(ELLIPSIS);
                }
                (3, name) => out.push_str(&format!("{MULTI_PREFIX}{name}{SUFFIX}")),
                (_, "_") => out.push_str(WILDCARD),
                (_, "") => out.push('$'),
                (_, name) => out.push_str(&format!("{META_PREFIX}{name}{SUFFIX}")),
            }
            continue;
        }
        out.push(c);
        index += 1;
    }
    out
}

/// Removes the indentation common to every non-blank line (patterns and fix templates in
/// TOML triple quotes).
pub fn dedent(text: &str) -> String {
    let text = text.trim_matches('\n');
    let indent = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|line| line.get(indent..).unwrap_or(line.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}

impl PNode {
    /// tree-sitter kinds of the nodes this pattern can match; `None`: any kind.
    pub fn candidate_kinds(&self) -> Option<Vec<&'static str>> {
        match self {
            PNode::Meta(_) | PNode::Wildcard | PNode::Ellipsis => None,
            PNode::Name(_) => Some(vec!["identifier", "attribute"]),
            PNode::Ident(_) => Some(vec!["identifier"]),
            // At the top of a rule a literal pattern matches literal nodes; propagation from
            // names applies where the pattern is nested (an argument, a list item...).
            PNode::Const(constant) => Some(match constant {
                ConstPattern::Value(Const::Str(_)) => vec!["string", "concatenated_string"],
                ConstPattern::Value(Const::Int(_) | Const::Float(_)) => {
                    vec!["integer", "float", "unary_operator"]
                }
                ConstPattern::Value(Const::Bool(_)) => vec!["true", "false"],
                ConstPattern::Value(Const::None) => vec!["none"],
                ConstPattern::Value(_) => Vec::new(),
                ConstPattern::Seq { set: false, .. } => vec!["list", "tuple"],
                ConstPattern::Seq { set: true, .. } => vec!["set"],
                ConstPattern::Dict(_) => vec!["dictionary"],
            }),
            PNode::FString(_) => Some(vec!["string"]),
            PNode::Call { .. } => Some(vec!["call"]),
            PNode::Dict { .. } => Some(vec!["dictionary"]),
            PNode::Decorated { .. } => Some(vec!["decorated_definition"]),
            PNode::Node { kind, .. } => Some(vec![*kind]),
        }
    }

    /// The pattern's direct sub-patterns, in order.
    pub fn children(&self) -> Vec<&PNode> {
        match self {
            PNode::Call {
                func,
                positional,
                keywords,
                ..
            } => std::iter::once(func.as_ref())
                .chain(positional)
                .chain(keywords.iter().map(|(_, value)| value))
                .collect(),
            PNode::Decorated {
                decorators,
                definition,
            } => decorators
                .iter()
                .chain(std::iter::once(definition.as_ref()))
                .collect(),
            PNode::Node { fields, rest, .. } => fields
                .iter()
                .flat_map(|(_, items)| items)
                .chain(rest)
                .collect(),
            PNode::Dict { pairs, .. } => {
                pairs.iter().flat_map(|(key, value)| [key, value]).collect()
            }
            PNode::FString(parts) => parts.iter().collect(),
            PNode::Meta(_)
            | PNode::Wildcard
            | PNode::Ellipsis
            | PNode::Name(_)
            | PNode::Ident(_)
            | PNode::Const(_) => Vec::new(),
        }
    }

    /// Identifiers the target must contain for this pattern to match (the last part of
    /// every name, keyword argument names, keywords of the syntax such as `except`), and
    /// word-like string constants (`"role"`, `"system"`): the per-file prefilter. A
    /// constant reached by propagation is still written in the file; one built by
    /// concatenation (`"sys" + "tem"`) or with escapes is not seen, a known limit.
    pub fn required_words(&self, words: &mut Vec<String>) {
        match self {
            PNode::Const(constant) => constant.required_words(words),
            PNode::Name(name) => words.extend(name_words(name)),
            // `@$R.get(...)` on a definition: a request handler's decorator.
            PNode::Decorated { decorators, .. }
                if decorators.iter().any(|decorator| {
                    matches!(decorator, PNode::Call { func, .. }
                        if matches!(func.as_ref(), PNode::Node { kind: "attribute", .. })
                            && ROUTE_METHODS.iter().any(|method| func.mentions_ident(method)))
                }) =>
            {
                words.push(ROUTE_DECORATOR.to_owned())
            }
            PNode::Ident(name) => words.push(name.clone()),
            PNode::Call { keywords, .. } => {
                words.extend(keywords.iter().map(|(name, _)| name.clone()))
            }
            PNode::Node { ops, .. } => words.extend(
                ops.iter()
                    .filter(|op| op.chars().all(|c| c.is_ascii_alphabetic()))
                    .cloned(),
            ),
            _ => {}
        }
        for child in self.children() {
            child.required_words(words);
        }
    }
}

impl PNode {
    /// Whether this pattern or one under it is the name or identifier `word`.
    fn mentions_ident(&self, word: &str) -> bool {
        match self {
            PNode::Name(name) | PNode::Ident(name) => name == word,
            _ => self
                .children()
                .iter()
                .any(|child| child.mentions_ident(word)),
        }
    }
}

/// What a file must contain to refer to the import-resolved name `name`: its last part
/// (`run`) and, for a dotted name, its first (`subprocess`), written in the import or in
/// the reference itself.
pub fn name_words(name: &str) -> Vec<String> {
    let last = name.rsplit('.').next().unwrap_or(name);
    let first = name.split('.').next().unwrap_or(name);
    let mut words = vec![last.to_owned()];
    if first != last {
        words.push(first.to_owned());
    }
    words
}

impl ConstPattern {
    fn required_words(&self, words: &mut Vec<String>) {
        match self {
            ConstPattern::Value(Const::Str(string))
                if string.len() >= 3
                    && string
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
            {
                words.push(string.clone())
            }
            ConstPattern::Value(_) => {}
            ConstPattern::Seq { items, .. } => {
                for item in items.iter().flatten() {
                    item.required_words(words);
                }
            }
            ConstPattern::Dict(pairs) => {
                for (key, value) in pairs.iter().flatten() {
                    key.required_words(words);
                    value.required_words(words);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_substituted_outside_strings() {
        assert_eq!(
            substitute_placeholders("f($X, ..., '$Y...')", false),
            "f(__hx_mv_X__, __hx_ell__, '$Y...')"
        );
        assert_eq!(
            substitute_placeholders("f\"{$E}...\"", false),
            "f\"{__hx_mv_E__}...\""
        );
        assert_eq!(
            substitute_placeholders("g($$$ARGS, $_)", false),
            "g(__hx_mm_ARGS__, __hx_wild__)"
        );
        assert_eq!(
            substitute_placeholders("f({'a': $X, ...}, ...)", true),
            "f({'a': __hx_mv_X__, **__hx_ell__}, __hx_ell__)"
        );
    }

    #[test]
    fn calls_and_names_compile() {
        let node = compile_pattern("subprocess.run($CMD, ..., shell=True)").unwrap();
        let PNode::Call {
            func,
            positional,
            keywords,
            open,
        } = node
        else {
            panic!("{node:?}")
        };
        assert_eq!(*func, PNode::Name("subprocess.run".into()));
        assert_eq!(
            positional,
            vec![PNode::Meta("$CMD".into()), PNode::Ellipsis]
        );
        assert_eq!(
            keywords,
            vec![(
                "shell".into(),
                PNode::Const(ConstPattern::Value(Const::Bool(true)))
            )]
        );
        assert!(open);
    }

    #[test]
    fn literal_containers_become_constant_patterns() {
        let node = compile_pattern("[..., '*', ...]").unwrap();
        assert_eq!(
            node,
            PNode::Const(ConstPattern::Seq {
                items: vec![
                    None,
                    Some(ConstPattern::Value(Const::Str("*".into()))),
                    None
                ],
                set: false
            })
        );
    }

    #[test]
    fn statements_functions_and_except_clauses_compile() {
        assert!(matches!(
            compile_pattern("os.environ[$K] = $V").unwrap(),
            PNode::Node {
                kind: "assignment",
                ..
            }
        ));
        assert!(matches!(
            compile_pattern("@$R.get(...)\ndef $F(...):\n    ...").unwrap(),
            PNode::Decorated { .. }
        ));
        assert!(matches!(
            compile_pattern("except $T as $E:\n    ...").unwrap(),
            PNode::Node {
                kind: "except_clause",
                ..
            }
        ));
    }

    #[test]
    fn invalid_patterns_are_errors() {
        assert!(compile_pattern("f(").is_err());
        assert!(compile_pattern("a = 1\nb = 2").is_err());
        assert!(compile_pattern("").is_err());
    }
}
