//! Reverse-mode automatic differentiation, as PyTorch does it: ops on tensors that require
//! grad record nodes into a graph (`record`), and `backward` walks that graph from the outputs
//! to the leaves (`engine`), calling each node's backward formula (`formulas`, written with
//! Tensor ops so that they can be recorded too, for higher derivatives).

pub mod anomaly;
mod copy_slices;
pub mod engine;
pub mod formulas;
pub mod grad_mode;
pub mod node;
pub mod record;
pub mod saved;
pub mod sum_to_shape;
pub(crate) mod view_history;

pub use engine::{backward, grad, BackwardOptions};
pub use grad_mode::{is_grad_enabled, no_grad, set_grad_enabled, with_grad_mode, GradModeGuard};
pub use node::{Edge, Node, NodeSpec};
pub use record::{
    attach, needs_grad, no_formula_yet, tracked, tracked_in_place, tracked_many, tracked_pair,
};
pub use saved::SavedTensor;
pub use sum_to_shape::sum_to_shape;

#[cfg(test)]
mod tests;
