//! Matchers: one per rule kind. Each takes text (or file facts) and the compiled rules of its
//! kind, and gives back [`Match`](crate::findings::Match)es; none of them prints or reads files.

pub mod entropy;
pub mod file;
pub mod names;
pub mod pattern;
pub mod placeholder;
pub mod python;
pub mod route;
pub mod secret;
pub mod taint;
