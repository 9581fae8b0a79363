//! Streaming (non-temporal) stores for large elementwise results.
//!
//! An ordinary store first reads the cache line it writes into (the "read for ownership"), so
//! `c = a + b` on large tensors moves four bytes of memory traffic for every three it needs.
//! When the result is too large to stay in the cache anyway, the kernels compute a small block
//! into a buffer that lives in L1 and copy it out with streaming stores, which write whole
//! lines without reading them first. memcpy does the same above a similar size. Smaller results
//! keep ordinary stores: they are likely still cached when the next op reads them.

/// Results of at least this many bytes are written with streaming stores. At this size the
/// result and one input of the same size already exceed a typical 16-32 MiB last-level cache,
/// so the result would be evicted before the next op could reuse it.
pub const STREAM_MIN_BYTES: usize = 12 << 20;

/// Whether a result of `numel` elements of `O` should be written with streaming stores.
pub fn worth_streaming<O>(numel: usize) -> bool {
    cfg!(target_arch = "x86_64")
        && numel.saturating_mul(std::mem::size_of::<O>()) >= STREAM_MIN_BYTES
}

/// Bytes computed into the L1 buffer between two streaming copies: small enough to stay in
/// L1 next to the inputs' lines, large enough that the copy loop's overhead is negligible.
const BLOCK_BYTES: usize = 2048;

/// A cache-line-aligned scratch block.
#[repr(C, align(64))]
struct Block([std::mem::MaybeUninit<u8>; BLOCK_BYTES]);

/// Writes `len` elements to `o` through `compute(start, n, dst)`, which must write elements
/// `start..start + n` of the result to `dst[0..n]`. Whole cache lines of `o` are filled from
/// an L1 block with streaming stores; the unaligned head and the tail are computed in place.
///
/// # Safety
/// `o` must be valid for `len` writes and aligned for `O`; `compute` must write exactly the
/// `n` elements it is asked for. Inputs `compute` reads may alias `o` element for element
/// (each block is read completely before it is written).
#[inline(always)]
pub unsafe fn streamed<O: Copy>(
    len: usize,
    o: *mut O,
    mut compute: impl FnMut(usize, usize, *mut O),
) {
    let size = std::mem::size_of::<O>();
    if size == 0 || 64 % size != 0 {
        // Element sizes that do not tile a cache line never occur; keep them correct anyway.
        compute(0, len, o);
        return;
    }
    let misalign = (o as usize) % 64;
    let head = (((64 - misalign) % 64) / size).min(len);
    compute(0, head, o);
    let per_block = BLOCK_BYTES / size;
    let mut block = Block([std::mem::MaybeUninit::uninit(); BLOCK_BYTES]);
    let buf = block.0.as_mut_ptr() as *mut O;
    let mut i = head;
    while i + per_block <= len {
        compute(i, per_block, buf);
        // SAFETY: `o + i` is 64-byte aligned (after the head) and valid for a block.
        unsafe { stream_copy(buf as *const u8, o.add(i) as *mut u8) };
        i += per_block;
    }
    // SAFETY: the rest of the result is in bounds.
    compute(i, len - i, unsafe { o.add(i) });
    fence();
}

/// Writes `len` elements to `o` through `compute(start, n, dst)` (as [`streamed`]): with
/// streaming stores when `stream`, else in one call straight into `o`.
///
/// # Safety
/// As for [`streamed`].
#[inline(always)]
pub unsafe fn write_run<O: Copy>(
    len: usize,
    o: *mut O,
    stream: bool,
    mut compute: impl FnMut(usize, usize, *mut O),
) {
    if stream {
        // SAFETY: the caller's contract.
        unsafe { streamed(len, o, compute) }
    } else {
        compute(0, len, o)
    }
}

/// Copies one block from `src` to the 64-byte-aligned `dst` with 16-byte streaming stores
/// (SSE2, which every x86-64 CPU has).
#[inline(always)]
unsafe fn stream_copy(src: *const u8, dst: *mut u8) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{__m128i, _mm_load_si128, _mm_stream_si128};
        let mut k = 0;
        while k < BLOCK_BYTES {
            // SAFETY: both are 16-byte aligned and valid for the block.
            unsafe {
                let v = _mm_load_si128(src.add(k) as *const __m128i);
                _mm_stream_si128(dst.add(k) as *mut __m128i, v);
            }
            k += 16;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    // SAFETY: as above.
    unsafe {
        std::ptr::copy_nonoverlapping(src, dst, BLOCK_BYTES)
    };
}

/// Orders the streaming stores before whatever this thread does next, so the thread that
/// waits for the kernel to finish sees the whole result (streaming stores are weakly ordered;
/// the pool's release/acquire handshake alone does not cover them).
#[inline(always)]
fn fence() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: no preconditions.
    unsafe {
        std::arch::x86_64::_mm_sfence()
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every length and starting alignment around the block and line edges writes exactly the
    /// requested elements, in place and without touching neighbours.
    #[test]
    fn writes_every_element_once_at_any_alignment() {
        let per_block = BLOCK_BYTES / 4;
        for offset in 0..17 {
            for len in [
                0,
                1,
                15,
                16,
                17,
                per_block - 1,
                per_block,
                per_block + 3,
                3 * per_block + 5,
            ] {
                let mut out = vec![-1.0f32; len + 40];
                let x: Vec<f32> = (0..len).map(|i| i as f32).collect();
                let o = unsafe { out.as_mut_ptr().add(offset) };
                unsafe {
                    streamed(len, o, |start, n, dst| {
                        for k in 0..n {
                            *dst.add(k) = x[start + k] * 2.0;
                        }
                    })
                };
                for (i, v) in out.iter().enumerate() {
                    let want = if i >= offset && i < offset + len {
                        ((i - offset) * 2) as f32
                    } else {
                        -1.0
                    };
                    assert_eq!(*v, want, "offset {offset} len {len} at {i}");
                }
            }
        }
    }

    #[test]
    fn in_place_blocks_read_before_they_are_written() {
        let len = 5 * BLOCK_BYTES / 8 + 7;
        let mut data: Vec<f64> = (0..len).map(|i| i as f64).collect();
        let p = data.as_mut_ptr();
        unsafe {
            streamed(len, p, |start, n, dst| {
                for k in 0..n {
                    *dst.add(k) = *p.add(start + k) + 1.0;
                }
            })
        };
        assert!(data.iter().enumerate().all(|(i, v)| *v == i as f64 + 1.0));
    }

    #[test]
    fn only_large_results_stream() {
        assert!(!worth_streaming::<f32>(1 << 20));
        assert_eq!(
            worth_streaming::<f32>(4 << 20),
            cfg!(target_arch = "x86_64")
        );
    }
}
