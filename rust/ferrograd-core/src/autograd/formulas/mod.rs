//! Backward formulas, one arm per op, written with Tensor ops (so they run on any device and
//! are recorded themselves under `create_graph`, which gives higher derivatives).

pub mod binary;
pub mod conv;
pub mod copy;
pub mod cumulative;
pub mod index;
pub mod join;
pub mod linalg;
pub mod linalg_factor;
pub mod linalg_lstsq;
pub mod linalg_spectral;
pub mod masked;
pub mod math;
pub mod matmul;
pub mod nn_loss;
pub mod normalization;
pub mod operand;
pub mod params;
pub mod pool;
pub mod products;
pub mod reduce;
pub mod rnn_cell;
pub mod scatter;
pub mod select;
pub mod shape;
pub mod softmax;
pub mod stats;
pub mod ternary;
pub mod unary;
pub mod view;
