//! Backward formulas, one arm per op, written with Tensor ops (so they run on any device and
//! are recorded themselves under `create_graph`, which gives higher derivatives).

pub mod binary;
pub mod copy;
pub mod math;
pub mod matmul;
pub mod reduce;
pub mod ternary;
pub mod unary;
pub mod view;
