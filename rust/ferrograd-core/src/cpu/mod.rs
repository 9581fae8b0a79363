//! CPU kernels: generic loops over strided layouts. They know dtypes and layouts, nothing of
//! gradients or of the Tensor type.

pub mod copy;
pub mod fill;
pub mod linalg;
pub mod linalg_cross;
pub mod linalg_lu;
pub mod linalg_spectral;
pub mod matmul;
mod matmul_float;
mod matmul_int;
pub mod spin_pool;

/// Element count above which a kernel splits its work across rayon's threads; below it the
/// cost of waking threads is larger than the work.
pub const PARALLEL_THRESHOLD: usize = 1 << 15;
