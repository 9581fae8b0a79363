//! CPU kernels: generic loops over strided layouts. They know dtypes and layouts, nothing of
//! gradients or of the Tensor type.

pub mod accumulate;
pub mod copy;
pub mod fill;
pub mod gather;
pub mod lines;
pub mod sort;
pub mod walk;

/// Element count above which a kernel splits its work across rayon's threads; below it the
/// cost of waking threads is larger than the work.
pub const PARALLEL_THRESHOLD: usize = 1 << 15;
