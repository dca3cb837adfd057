//! Node kind and field lookups by table, for Python trees.
//!
//! tree-sitter's `Node::kind` measures and UTF-8-checks the kind's C string on every call,
//! and `child_by_field_name` compares the name with each field name of the grammar; the
//! matchers ask both millions of times per scan (a quarter of a scan's time went there).
//! The names are read from the grammar once, here.

use crate::parse::fast_hash::FastMap;
use std::num::NonZeroU16;
use std::sync::LazyLock;
use tree_sitter::{Language, Node};

/// Kind names by id and field ids by name, from the Python grammar.
struct Tables {
    kinds: Vec<&'static str>,
    fields: FastMap<&'static str, NonZeroU16>,
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let language: Language = tree_sitter_python::LANGUAGE.into();
    let kinds = (0..language.node_kind_count())
        .map(|id| {
            u16::try_from(id)
                .ok()
                .and_then(|id| language.node_kind_for_id(id))
                .unwrap_or("")
        })
        .collect();
    let fields = (1..=language.field_count())
        .filter_map(|id| {
            let id = NonZeroU16::new(u16::try_from(id).ok()?)?;
            Some((language.field_name_for_id(id.get())?, id))
        })
        .collect();
    Tables { kinds, fields }
});

/// Fast `kind` and field access on nodes of Python trees.
pub trait NodeExt<'t> {
    /// The node's kind (`Node::kind`, by table).
    fn kind_name(&self) -> &'static str;
    /// The child in field `name` (`Node::child_by_field_name`, by table).
    fn field(&self, name: &str) -> Option<Node<'t>>;
    /// The children in field `name` (`Node::children_by_field_name`, by table).
    fn fields(&self, name: &str) -> Vec<Node<'t>>;
}

impl<'t> NodeExt<'t> for Node<'t> {
    #[inline]
    fn kind_name(&self) -> &'static str {
        match TABLES.kinds.get(usize::from(self.kind_id())) {
            Some(kind) => kind,
            None => self.kind(),
        }
    }

    #[inline]
    fn field(&self, name: &str) -> Option<Node<'t>> {
        let id = TABLES.fields.get(name)?;
        self.child_by_field_id(id.get())
    }

    fn fields(&self, name: &str) -> Vec<Node<'t>> {
        let Some(id) = TABLES.fields.get(name).copied() else {
            return Vec::new();
        };
        let mut cursor = self.walk();
        self.children_by_field_id(id, &mut cursor).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::python::PythonSource;

    #[test]
    fn tables_agree_with_tree_sitter() {
        let code = "import os\ndef f(a, b=1):\n    return os.path.join(a, *b, key={'k': [1]})\n";
        let source = PythonSource::parse(code).unwrap();
        let mut stack = vec![source.tree.root_node()];
        while let Some(node) = stack.pop() {
            assert_eq!(node.kind_name(), node.kind());
            for name in [
                "name",
                "body",
                "function",
                "arguments",
                "key",
                "value",
                "left",
            ] {
                assert_eq!(node.field(name), node.child_by_field_name(name), "{name}");
            }
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
        }
        let root = source.tree.root_node();
        assert_eq!(root.field("no_such_field"), None);
        assert!(root.fields("no_such_field").is_empty());
    }
}
