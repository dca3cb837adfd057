//! Safe writing.
