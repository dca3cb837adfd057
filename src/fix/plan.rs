//! Fix planning (placeholder until written).
