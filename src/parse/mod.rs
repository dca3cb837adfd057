//! Turning text into structure the matchers use: line/column positions, Python syntax trees.

pub mod fast_hash;
pub mod line_index;
pub mod node_ext;
pub mod python;
