//! Turning text into structure the matchers use. For now: line and column positions.

pub mod line_index;
