//! CPU kernels: generic loops over strided layouts. They know dtypes and layouts, nothing of
//! gradients or of the Tensor type.

pub mod accumulate;
mod avx2_twin;
pub mod binary;
pub mod concat;
pub mod copy;
pub mod fill;
pub mod fork_guard;
pub mod gather;
pub mod gather_slabs;
pub mod iter;
pub mod linalg;
pub mod linalg_cross;
pub mod linalg_lu;
pub mod linalg_spectral;
pub mod lines;
pub mod map;
pub mod matmul;
mod matmul_float;
mod matmul_int;
pub mod reduce;
pub mod reduce_fold;
pub mod reduce_minmax;
pub mod reduce_order;
pub mod reduce_scan;
pub mod reduce_stats;
pub mod reduce_walk;
pub mod scalar;
mod scalar_int;
pub mod sort;
pub mod special;
pub mod spin_pool;
pub mod stream;
pub mod strided_copy;
pub mod strided_view;
pub mod ternary;
pub mod triangle;
pub mod unary;
pub mod walk;

/// Element count above which a kernel splits its work across rayon's threads; below it the
/// cost of waking threads is larger than the work.
pub const PARALLEL_THRESHOLD: usize = 1 << 15;
pub mod conv;
pub mod conv_gemm;
pub mod nll_loss;
pub mod norm;
pub mod norm_backward;
pub mod pool;
pub mod rnn_cell;
pub mod softmax;
pub mod upsample;
