//! Embeds every `rules/<group>/<id>.toml` file into the binary.
//!
//! Writes `$OUT_DIR/builtin_rules.rs`, a sorted table of `(relative path, contents)` pairs
//! made of `include_str!` calls, so adding a rule is adding a file: no Rust change.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

fn main() -> io::Result<()> {
    let manifest_dir = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let rules_dir = manifest_dir.join("rules");
    println!("cargo:rerun-if-changed=rules");

    let mut files = Vec::new();
    collect_toml(&rules_dir, &mut files)?;
    files.sort();

    let mut out = String::from(
        "/// Built-in rule files: (path relative to the crate root, TOML text).\npub static BUILTIN_RULES: &[(&str, &str)] = &[\n",
    );
    for file in &files {
        let relative = file.strip_prefix(&manifest_dir).unwrap_or(file);
        let relative = relative.to_string_lossy().replace('\\', "/");
        out.push_str(&format!(
            "    ({relative:?}, include_str!({:?})),\n",
            file.display().to_string()
        ));
    }
    out.push_str("];\n");

    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out_dir.join("builtin_rules.rs"), out)
}

fn collect_toml(dir: &Path, files: &mut Vec<PathBuf>) -> io::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_toml(&path, files)?;
        } else if path.extension().is_some_and(|ext| ext == "toml") {
            files.push(path);
        }
    }
    Ok(())
}
