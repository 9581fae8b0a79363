//! The GPU backend, on wgpu (Vulkan, Metal, DX12): the process's one device, a buffer pool,
//! lazily submitted commands, host/GPU residency of storages, and the kernels, whose WGSL
//! sources live in `shaders/` beside their Rust dispatchers.

pub mod bindings;
pub mod context;
pub mod copy;
pub mod elementwise;
pub mod fallback;
pub mod gather;
pub mod kernel;
pub mod map;
mod map_quads;
pub mod matmul;
pub mod nll;
pub mod offset_walk;
pub mod pool;
pub mod pooling;
pub mod quantile;
pub mod random;
pub mod reduce;
pub mod resample;
pub mod resident;
pub mod rnn_cell;
pub mod scan;
pub mod scatter;
pub mod softmax;
pub mod sort;
pub mod sort_runs;
pub mod stream;
pub mod transfer;
pub mod unfold;

pub use context::{context, is_available, Context};
pub use pool::{
    empty_cache, max_memory_allocated, memory_allocated, memory_reserved, reset_peak_memory_stats,
};
pub use stream::{flush, synchronize};

/// Whether the GPU tests can run: without an adapter there is nothing to test, unless CI says
/// there must be one.
#[cfg(test)]
pub(crate) fn gpu_present() -> bool {
    let present = is_available();
    assert!(
        present || std::env::var("FERROGRAD_REQUIRE_WGPU").as_deref() != Ok("1"),
        "FERROGRAD_REQUIRE_WGPU=1, but no wgpu adapter was found (a software adapter \
         needs FERROGRAD_WGPU_SOFTWARE=1)"
    );
    present
}
