//! Python parsing with tree-sitter-python, plus the small helpers every Python matcher
//! needs: node text, string literal values, comment skipping.
//!
//! Takes source text, gives back a [`PythonSource`] (the tree and the text). Parsing never
//! fails: invalid code yields `ERROR` nodes, which matchers treat as opaque. A parser is
//! kept per thread, since tree-sitter parsers are not shareable.

use crate::parse::fast_hash::FastMap;
use crate::parse::node_ext::NodeExt;
use std::cell::RefCell;
use tree_sitter::{Node, Parser, Tree};

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// A parsed Python file.
pub struct PythonSource<'a> {
    /// The source text.
    pub text: &'a str,
    /// The syntax tree.
    pub tree: Tree,
}

impl<'a> PythonSource<'a> {
    /// Parses `text`. `None` only if tree-sitter gives up (it does not on valid input sizes).
    pub fn parse(text: &'a str) -> Option<PythonSource<'a>> {
        let tree = PARSER.with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot.is_none() {
                let mut parser = Parser::new();
                parser
                    .set_language(&tree_sitter_python::LANGUAGE.into())
                    .ok()?;
                *slot = Some(parser);
            }
            slot.as_mut()?.parse(text, None)
        })?;
        Some(PythonSource { text, tree })
    }

    /// The text of `node`.
    pub fn text_of(&self, node: Node<'_>) -> &'a str {
        node_text(self.text, node)
    }
}

/// Every node's parent, recorded in one walk: tree-sitter's own `Node::parent` searches down
/// from the root each time, which made ancestor tests quadratic on large files.
#[derive(Debug, Default)]
pub struct Parents<'t> {
    parents: FastMap<usize, Node<'t>>,
}

impl<'t> Parents<'t> {
    /// Records the parent of every named node under `root`.
    pub fn build(root: Node<'t>) -> Parents<'t> {
        let mut parents = Parents::default();
        walk_named(root, |node, parent| {
            if let Some(parent) = parent {
                parents.record(node, parent);
            }
        });
        parents
    }

    /// Records that `parent` is the parent of `node`.
    pub fn record(&mut self, node: Node<'t>, parent: Node<'t>) {
        self.parents.insert(node.id(), parent);
    }

    /// The parent of `node` (`None` for the root, or a node from another tree).
    pub fn get(&self, node: Node<'t>) -> Option<Node<'t>> {
        self.parents.get(&node.id()).copied()
    }
}

/// Visits every named node under `root` (itself included, anonymous tokens and what they
/// hold left out) in document order with its parent, moving one tree cursor: no allocation
/// per node, no recursion (deep nesting cannot overflow the stack).
pub fn walk_named<'t>(root: Node<'t>, mut visit: impl FnMut(Node<'t>, Option<Node<'t>>)) {
    let mut cursor = root.walk();
    let mut path: Vec<Node<'t>> = Vec::new();
    loop {
        let node = cursor.node();
        let named = node.is_named();
        if named {
            visit(node, path.last().copied());
            if cursor.goto_first_child() {
                path.push(node);
                continue;
            }
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            path.pop();
        }
    }
}

/// The text of `node` in `source` (empty if the range is not valid UTF-8 boundaries).
pub fn node_text<'a>(source: &'a str, node: Node<'_>) -> &'a str {
    source.get(node.byte_range()).unwrap_or_default()
}

/// Named children of `node`, without comments.
pub fn named_children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|child| child.kind_name() != "comment")
        .collect()
}

/// Strips redundant parentheses: `((x))` is `x`.
pub fn unparenthesize(mut node: Node<'_>) -> Node<'_> {
    while node.kind_name() == "parenthesized_expression" {
        match named_children(node).as_slice() {
            [inner] => node = *inner,
            _ => break,
        }
    }
    node
}

/// The value of a string literal without interpolation (`"a"`, `'b'`, `r"c"`, `"a" "b"`),
/// or `None` for f-strings with `{...}` parts, byte strings aside (their text is returned).
pub fn string_value(source: &str, node: Node<'_>) -> Option<String> {
    match node.kind_name() {
        "string" => {
            let mut value = String::new();
            let mut cursor = node.walk();
            for part in node.children(&mut cursor) {
                match part.kind_name() {
                    "string_content" => push_content(source, part, &mut value),
                    "interpolation" => return None,
                    _ => {}
                }
            }
            Some(value)
        }
        "concatenated_string" => {
            let mut value = String::new();
            for part in named_children(node) {
                value.push_str(&string_value(source, part)?);
            }
            Some(value)
        }
        _ => None,
    }
}

/// Appends a `string_content` node's text, decoding its `escape_sequence` children (raw
/// strings have none).
fn push_content(source: &str, content: Node<'_>, value: &mut String) {
    let mut position = content.start_byte();
    let mut cursor = content.walk();
    for escape in content.children(&mut cursor) {
        value.push_str(
            source
                .get(position..escape.start_byte())
                .unwrap_or_default(),
        );
        value.push_str(&unescape(node_text(source, escape)));
        position = escape.end_byte();
    }
    value.push_str(source.get(position..content.end_byte()).unwrap_or_default());
}

/// Decodes one Python escape sequence (the common ones; others are kept as written).
fn unescape(escape: &str) -> String {
    match escape {
        "\\n" => "\n".to_owned(),
        "\\t" => "\t".to_owned(),
        "\\r" => "\r".to_owned(),
        "\\\\" => "\\".to_owned(),
        "\\'" => "'".to_owned(),
        "\\\"" => "\"".to_owned(),
        "\\0" => "\0".to_owned(),
        _ => {
            if let Some(hex) = escape
                .strip_prefix("\\x")
                .or_else(|| escape.strip_prefix("\\u"))
                .or_else(|| escape.strip_prefix("\\U"))
                && let Ok(code) = u32::from_str_radix(hex, 16)
                && let Some(c) = char::from_u32(code)
            {
                return c.to_string();
            }
            escape.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_expression<'a>(source: &'a PythonSource<'_>) -> Node<'a> {
        let statement = source.tree.root_node().named_child(0).unwrap();
        statement.named_child(0).unwrap()
    }

    #[test]
    fn string_values() {
        for (code, expected) in [
            ("'abc'", Some("abc")),
            ("\"a\\tb\"", Some("a\tb")),
            ("r'a\\tb'", Some("a\\tb")),
            ("'a' \"b\"", Some("ab")),
            ("f'x{y}'", None),
            ("f'plain'", Some("plain")),
        ] {
            let source = PythonSource::parse(code).unwrap();
            let node = first_expression(&source);
            assert_eq!(string_value(code, node).as_deref(), expected, "{code}");
        }
    }

    #[test]
    fn invalid_code_still_parses() {
        let source = PythonSource::parse("def f(:\n  return )\n").unwrap();
        assert!(source.tree.root_node().has_error());
    }
}
