//! Prints the tree-sitter syntax tree of a Python file, with field names: what a rule
//! writer needs to know to write `kind = "..."` constraints or to debug a pattern.
//!
//! ```sh
//! cargo run --example python_tree -- path/to/file.py
//! ```

use harden::parse::python::PythonSource;
use tree_sitter::Node;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: python_tree FILE.py");
        std::process::exit(2);
    };
    let code = match std::fs::read_to_string(&path) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("{path}: {error}");
            std::process::exit(2);
        }
    };
    match PythonSource::parse(&code) {
        Some(source) => print(source.tree.root_node(), &code, 0, None),
        None => eprintln!("{path}: could not be parsed"),
    }
}

fn print(node: Node<'_>, code: &str, depth: usize, field: Option<&str>) {
    let leaf = if node.child_count() == 0 {
        format!(" {:?}", &code[node.byte_range()])
    } else {
        String::new()
    };
    let field = field.map(|field| format!("{field}: ")).unwrap_or_default();
    println!("{}{field}{}{leaf}", "  ".repeat(depth), node.kind());
    let mut cursor = node.walk();
    for (index, child) in node.children(&mut cursor).enumerate() {
        print(
            child,
            code,
            depth + 1,
            node.field_name_for_child(index as u32),
        );
    }
}
