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
    /// The first id of each kind name (aliases share names), by id and by name.
    canonical: Vec<u16>,
    canonical_by_name: FastMap<&'static str, u16>,
    fields: FastMap<&'static str, NonZeroU16>,
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let language: Language = tree_sitter_python::LANGUAGE.into();
    let kinds: Vec<&'static str> = (0..language.node_kind_count())
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
    let mut canonical_by_name: FastMap<&'static str, u16> = FastMap::default();
    let canonical = kinds
        .iter()
        .enumerate()
        .map(|(id, name)| {
            *canonical_by_name
                .entry(name)
                .or_insert(u16::try_from(id).unwrap_or(u16::MAX))
        })
        .collect();
    Tables {
        kinds,
        canonical,
        canonical_by_name,
        fields,
    }
});

/// A dense index for a node's kind name (equal for equal names), below [`kind_index_count`].
#[inline]
pub fn kind_index(node: Node<'_>) -> usize {
    let id = usize::from(node.kind_id());
    TABLES
        .canonical
        .get(id)
        .map_or(usize::from(u16::MAX), |canonical| usize::from(*canonical))
}

/// The index [`kind_index`] gives nodes of kind `name`, if the grammar has it.
pub fn kind_index_of(name: &str) -> Option<usize> {
    TABLES
        .canonical_by_name
        .get(name)
        .map(|id| usize::from(*id))
}

/// One more than the largest [`kind_index`] of the grammar's kinds.
pub fn kind_index_count() -> usize {
    TABLES.kinds.len()
}

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

/// A set of node kinds, by id: a one-bit test per node where comparing kind names (or
/// trying a pattern) would cost more.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KindSet {
    bits: Vec<u64>,
}

impl KindSet {
    /// The kinds named `names` (every id a name has: aliases share names).
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> KindSet {
        let mut set = KindSet {
            bits: vec![0; TABLES.kinds.len().div_ceil(64)],
        };
        for name in names {
            for (id, kind) in TABLES.kinds.iter().enumerate() {
                if *kind == name {
                    set.bits[id / 64] |= 1 << (id % 64);
                }
            }
        }
        set
    }

    /// Whether `node`'s kind is in the set.
    #[inline]
    pub fn contains(&self, node: Node<'_>) -> bool {
        let id = usize::from(node.kind_id());
        self.bits
            .get(id / 64)
            .is_none_or(|word| word & (1 << (id % 64)) != 0)
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
        let set = KindSet::from_names(["call", "identifier"]);
        let os = root.named_descendant_for_byte_range(7, 8).unwrap();
        assert_eq!((os.kind(), os.byte_range()), ("identifier", 7..9));
        assert!(set.contains(os));
        assert!(!set.contains(root));
        assert_eq!(root.field("no_such_field"), None);
        assert!(root.fields("no_such_field").is_empty());
    }
}
