//! `harden init`: the files a repository needs to use harden — a commented `harden.toml`,
//! a `.pre-commit-config.yaml` with the hook, and a GitHub workflow — each written only if it
//! does not exist yet.

use crate::cli::{EXIT_CLEAN, InitArgs};
use crate::error::HardenError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The commented configuration file.
pub const HARDEN_TOML: &str = r#"# harden configuration (https://github.com/harden-dev/harden#configuration).
# Command-line options add to or override these.

# Path globs left out of every scan: generated code, vendored libraries, test data.
exclude = [
    # "tests/fixtures/**",
    # "*.min.js",
]

# Rule ids that do not run (`harden rules` lists them).
disable = []

# Lowest severity that makes `harden scan` exit 1: critical, high, medium or low.
fail-on = "low"

# Extra rule directories, relative to this file (see rules/README.md in harden's repository).
# rules = ["security/rules"]

# Content of larger files is not scanned (their names still are).
max-file-size = "2MiB"

# Findings accepted for now: `harden baseline` writes the file, scans then report only new ones.
# baseline = ".harden-baseline.json"
"#;

/// The pre-commit configuration (`{VERSION}`: this harden's version).
pub const PRE_COMMIT_CONFIG: &str = r#"# pre-commit hooks (https://pre-commit.com): run `pre-commit install` once.
repos:
  - repo: https://github.com/harden-dev/harden
    rev: v{VERSION}
    hooks:
      - id: harden
"#;

/// The GitHub workflow (`{VERSION}`: this harden's version).
pub const WORKFLOW: &str = r#"# Security scan with harden: findings go to the Security tab (code scanning).
name: harden

on:
  push:
    branches: [main]
  pull_request:

permissions:
  contents: read
  security-events: write

jobs:
  harden:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0 # the whole history, for history: true
      - uses: actions/cache@v4
        with:
          path: |
            ~/.cargo/bin/harden
            ~/.cargo/registry
          key: harden-${{ runner.os }}-v{VERSION}
      - uses: harden-dev/harden@v{VERSION}
        with:
          path: .
          fail-on: high
          history: false
          # baseline: .harden-baseline.json
"#;

/// Runs `harden init`.
pub fn run(args: &InitArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, HardenError> {
    let files: [(&str, &str); 3] = [
        ("harden.toml", HARDEN_TOML),
        (".pre-commit-config.yaml", PRE_COMMIT_CONFIG),
        (".github/workflows/harden.yml", WORKFLOW),
    ];
    for (relative, content) in files {
        let path = args.path.join(relative);
        if path.exists() {
            let _ = writeln!(err, "harden: {} exists: left as it is", path.display());
            continue;
        }
        write_new(
            &path,
            &content.replace("{VERSION}", env!("CARGO_PKG_VERSION")),
        )?;
        writeln!(out, "wrote {}", path.display()).map_err(|source| HardenError::Unwritable {
            path: PathBuf::from("<stdout>"),
            source,
        })?;
    }
    Ok(EXIT_CLEAN)
}

/// Creates `path` (and its directory); never replaces an existing file.
fn write_new(path: &Path, content: &str) -> Result<(), HardenError> {
    let unwritable = |source| HardenError::Unwritable {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(unwritable)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(unwritable)?;
    file.write_all(content.as_bytes()).map_err(unwritable)
}
