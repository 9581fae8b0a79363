//! CPU kernels: generic loops over strided layouts. They know dtypes and layouts, nothing of
//! gradients or of the Tensor type.

pub mod copy;
pub mod fill;
pub mod reduce;
pub mod reduce_fold;
pub mod reduce_minmax;
pub mod reduce_order;
pub mod reduce_scan;
pub mod reduce_stats;
pub mod reduce_walk;

/// Element count above which a kernel splits its work across rayon's threads; below it the
/// cost of waking threads is larger than the work.
pub const PARALLEL_THRESHOLD: usize = 1 << 15;
