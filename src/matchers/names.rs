//! Names resolved through imports: `import subprocess as sp` makes `sp.run` mean
//! `subprocess.run`; `from os import environ` makes `environ` mean `os.environ`.
//!
//! Takes a Python syntax tree, gives back an [`ImportTable`] (every import in the file,
//! module-wide: an import inside a function counts for the whole file, which errs towards
//! resolving). Qualified names are dotted strings; relative imports keep their dots.

use crate::parse::node_ext::NodeExt;
use crate::parse::python::{named_children, node_text};
use std::collections::HashMap;
use tree_sitter::Node;

/// Local name → fully qualified name, for one file.
#[derive(Debug, Default, Clone)]
pub struct ImportTable {
    aliases: HashMap<String, String>,
    /// Names bound by `import a.b` (`a`) and `import a as b` (`b`), module-wide.
    modules: std::collections::HashSet<String>,
}

impl ImportTable {
    /// Collects the imports of the file whose root is `root`.
    pub fn collect(source: &str, root: Node<'_>) -> ImportTable {
        let mut table = ImportTable::default();
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            match node.kind_name() {
                "import_statement" => table.add_import(source, node),
                "import_from_statement" => table.add_import_from(source, node),
                // Imports live in statements; expressions never hold one.
                "module"
                | "block"
                | "function_definition"
                | "class_definition"
                | "decorated_definition"
                | "if_statement"
                | "else_clause"
                | "elif_clause"
                | "try_statement"
                | "except_clause"
                | "finally_clause"
                | "with_statement"
                | "for_statement"
                | "while_statement" => stack.extend(named_children(node)),
                _ => {}
            }
        }
        table
    }

    fn add_import(&mut self, source: &str, node: Node<'_>) {
        let mut cursor = node.walk();
        for name in node.children_by_field_name("name", &mut cursor) {
            match name.kind_name() {
                // `import a.b.c` binds `a`, which already resolves to itself.
                "dotted_name" => {
                    let first = dotted(source, name)
                        .split('.')
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    self.modules.insert(first);
                }
                "aliased_import" => {
                    if let (Some(target), Some(alias)) = (name.field("name"), name.field("alias")) {
                        self.aliases
                            .insert(node_text(source, alias).to_owned(), dotted(source, target));
                    }
                }
                _ => {}
            }
        }
    }

    fn add_import_from(&mut self, source: &str, node: Node<'_>) {
        let Some(module) = node.field("module_name") else {
            return;
        };
        let module = dotted(source, module);
        let mut cursor = node.walk();
        for name in node.children_by_field_name("name", &mut cursor) {
            let (imported, local) = match name.kind_name() {
                "dotted_name" => (dotted(source, name), dotted(source, name)),
                "aliased_import" => match (name.field("name"), name.field("alias")) {
                    (Some(target), Some(alias)) => {
                        (dotted(source, target), node_text(source, alias).to_owned())
                    }
                    _ => continue,
                },
                _ => continue,
            };
            let separator = if module.ends_with('.') { "" } else { "." };
            self.aliases
                .insert(local, format!("{module}{separator}{imported}"));
        }
    }

    /// Whether the file already has the import statement `statement` (`import os`,
    /// `import a.b as c`, `from m import n`), so a fix need not add it.
    pub fn has_import(&self, statement: &str) -> bool {
        let words: Vec<&str> = statement.split_whitespace().collect();
        match words.as_slice() {
            ["import", module] => self
                .modules
                .contains(module.split('.').next().unwrap_or(module)),
            ["import", module, "as", alias] => self
                .aliases
                .get(*alias)
                .is_some_and(|target| target == module),
            ["from", module, "import", name] => self
                .aliases
                .get(*name)
                .is_some_and(|target| *target == format!("{module}.{name}")),
            _ => false,
        }
    }

    /// Whether a local name was bound by an import.
    pub fn is_imported(&self, name: &str) -> bool {
        self.aliases.contains_key(name)
    }

    /// The qualified name a local name stands for (itself when not imported).
    pub fn resolve_name<'n>(&'n self, name: &'n str) -> &'n str {
        self.aliases.get(name).map_or(name, String::as_str)
    }

    /// The qualified name of an expression made of names and attribute accesses
    /// (`sp.run` → `subprocess.run`), or `None` for anything else (calls, subscripts...).
    pub fn qualified_name(&self, source: &str, node: Node<'_>) -> Option<String> {
        match node.kind_name() {
            "identifier" => Some(self.resolve_name(node_text(source, node)).to_owned()),
            "attribute" => {
                let object = self.qualified_name(source, node.field("object")?)?;
                let attribute = node_text(source, node.field("attribute")?);
                Some(format!("{object}.{attribute}"))
            }
            "parenthesized_expression" => match named_children(node).as_slice() {
                [inner] => self.qualified_name(source, *inner),
                _ => None,
            },
            _ => None,
        }
    }
}

/// `a.b.c` (or a relative `..a.b`) without whitespace.
fn dotted(source: &str, node: Node<'_>) -> String {
    node_text(source, node)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::python::PythonSource;

    #[test]
    fn aliases_resolve_to_qualified_names() {
        let code = "import subprocess as sp, os.path\nfrom fastapi.middleware.cors import CORSMiddleware as C, X\nfrom os import environ\nfrom .a import b\ndef f():\n    import shlex as q\n";
        let source = PythonSource::parse(code).unwrap();
        let table = ImportTable::collect(code, source.tree.root_node());
        assert_eq!(table.resolve_name("sp"), "subprocess");
        assert_eq!(
            table.resolve_name("C"),
            "fastapi.middleware.cors.CORSMiddleware"
        );
        assert_eq!(table.resolve_name("X"), "fastapi.middleware.cors.X");
        assert_eq!(table.resolve_name("environ"), "os.environ");
        assert_eq!(table.resolve_name("b"), ".a.b");
        assert_eq!(table.resolve_name("q"), "shlex");
        assert_eq!(table.resolve_name("os"), "os");
    }
}
