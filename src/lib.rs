//! `harden`: a security-hardening audit and remediation CLI.
//!
//! Pipeline (one module per stage, data flows one way):
//! rules (TOML) → [`rules`] → [`discover`] files → [`matchers`] → [`findings`]
//! → [`suppress`] → [`report`]. [`scan`] wires the stages; [`cli`] parses arguments.

pub mod baseline;
pub mod cli;
mod commands;
pub mod config;
pub mod discover;
pub mod engine;
pub mod error;
pub mod findings;
pub mod fix;
pub mod language;
pub mod matchers;
pub mod parse;
pub mod pathglob;
pub mod redact;
pub mod report;
pub mod rules;
pub mod scan;
pub mod severity;
pub mod suppress;
