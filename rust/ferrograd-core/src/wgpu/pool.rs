//! GPU buffers by size class, reused instead of freed, and the memory figures
//! (`memory_allocated`, `max_memory_allocated`, `memory_reserved`) read from them.
//!
//! Creating a GPU buffer costs far more than an elementwise kernel on it, and a training step
//! allocates the same sizes every iteration, so a freed buffer goes back to a free list of its
//! size class and the next request of that class takes it. Classes are four per power of two,
//! so a buffer wastes at most a quarter of its size.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use super::context::context;
use crate::error::{Error, Result};

/// Every buffer can be bound to a shader and copied both ways.
const USAGE: ::wgpu::BufferUsages = ::wgpu::BufferUsages::STORAGE
    .union(::wgpu::BufferUsages::COPY_SRC)
    .union(::wgpu::BufferUsages::COPY_DST);

/// The smallest buffer handed out (shaders read whole 32-bit words, and tiny tensors are many).
const MIN_CLASS: u64 = 16;

#[derive(Default)]
struct Pool {
    free: HashMap<u64, Vec<::wgpu::Buffer>>,
    /// Bytes in buffers held by tensors.
    allocated: u64,
    /// The most `allocated` has been since the last reset.
    peak: u64,
    /// Bytes in free buffers kept for reuse.
    cached: u64,
}

static POOL: Mutex<Option<Pool>> = Mutex::new(None);

fn pool() -> MutexGuard<'static, Option<Pool>> {
    POOL.lock().unwrap_or_else(|p| p.into_inner())
}

/// The size class of a request: rounded up to an eighth of the power of two above it, so four
/// classes per doubling.
pub fn size_class(nbytes: u64) -> u64 {
    let n = nbytes.max(MIN_CLASS);
    let step = (n.next_power_of_two() / 8).max(4);
    n.div_ceil(step) * step
}

/// A GPU buffer owned by one storage; it returns to the pool when dropped.
pub struct GpuBuffer {
    buffer: Option<::wgpu::Buffer>,
    class: u64,
}

impl GpuBuffer {
    /// A buffer of at least `nbytes` bytes, with unspecified contents.
    pub fn new(nbytes: u64) -> Result<GpuBuffer> {
        let ctx = context()?;
        let class = size_class(nbytes);
        if class > ctx.limits.max_buffer_size {
            return Err(Error::runtime(format!(
                "wgpu: a tensor of {nbytes} bytes is larger than the adapter's largest buffer \
                 ({} bytes)",
                ctx.limits.max_buffer_size
            )));
        }
        let reused = {
            let mut guard = pool();
            let p = guard.get_or_insert_with(Pool::default);
            let hit = p.free.get_mut(&class).and_then(Vec::pop);
            if hit.is_some() {
                p.cached -= class;
            }
            p.allocated += class;
            p.peak = p.peak.max(p.allocated);
            hit
        };
        let buffer = match reused {
            Some(b) => b,
            None => ctx.device.create_buffer(&::wgpu::BufferDescriptor {
                label: None,
                size: class,
                usage: USAGE,
                mapped_at_creation: false,
            }),
        };
        Ok(GpuBuffer {
            buffer: Some(buffer),
            class,
        })
    }

    pub fn buffer(&self) -> &::wgpu::Buffer {
        // The option is only emptied by `drop`.
        self.buffer.as_ref().expect("GpuBuffer used after drop")
    }

    /// The bytes the buffer really has (its size class).
    pub fn capacity(&self) -> u64 {
        self.class
    }
}

impl Drop for GpuBuffer {
    fn drop(&mut self) {
        let Some(buffer) = self.buffer.take() else {
            return;
        };
        // Commands already recorded that use this buffer run before any later command that
        // reuses it (one queue executes in order), so it can be handed out again right away.
        let mut guard = pool();
        let p = guard.get_or_insert_with(Pool::default);
        p.allocated -= self.class;
        p.cached += self.class;
        p.free.entry(self.class).or_default().push(buffer);
    }
}

/// Bytes held by GPU tensors now.
pub fn memory_allocated() -> u64 {
    pool().as_ref().map_or(0, |p| p.allocated)
}

/// The most bytes GPU tensors have held since the start or the last reset.
pub fn max_memory_allocated() -> u64 {
    pool().as_ref().map_or(0, |p| p.peak)
}

/// Bytes held by tensors plus those kept in the pool for reuse.
pub fn memory_reserved() -> u64 {
    pool().as_ref().map_or(0, |p| p.allocated + p.cached)
}

pub fn reset_peak_memory_stats() {
    if let Some(p) = pool().as_mut() {
        p.peak = p.allocated;
    }
}

/// Frees the buffers kept for reuse (`empty_cache()`).
pub fn empty_cache() {
    if let Some(p) = pool().as_mut() {
        p.free.clear();
        p.cached = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::size_class;

    #[test]
    fn size_classes_round_up_by_at_most_a_quarter() {
        assert_eq!(size_class(0), 16);
        assert_eq!(size_class(17), 20);
        assert_eq!(size_class(1000), 1024);
        assert_eq!(size_class(1025), 1280);
        for n in [5u64, 100, 4097, 1 << 20, (1 << 20) + 1, 3_000_000] {
            let c = size_class(n);
            assert!(
                c >= n && c % 4 == 0 && (c - n) * 4 <= c.max(64),
                "{n} -> {c}"
            );
        }
    }
}
