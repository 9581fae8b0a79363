//! The f32/f64 product kernel: the `gemm` crate, split across threads by
//! [`super::spin_pool`]. The output is cut into blocks (whole products of a batch, or
//! row/column panels of one large product), one task each, so threads never share an element.

use super::iter::SendPtr;
use super::matmul::{choose_split, MatmulElement, Product, Split};
use super::spin_pool;
use gemm::Parallelism;

/// A block of one product: rows `rows` and columns `cols` of batch entry `bi`.
struct Block {
    bi: usize,
    rows: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
}

/// `out[block] = [beta * out[block] +] alpha * A[rows, :] @ B[:, cols]`, where `out` points
/// at the start of batch entry `bi`'s `m x n` output.
///
/// # Safety
/// `out` must be valid for the `m x n` row-major output of entry `bi`, with no other
/// thread writing the block; `batched_product` checked that the operand views are in bounds.
unsafe fn block<T: MatmulElement>(p: &Product<'_, T>, b: &Block, out: *mut T) {
    let (av, bv) = (&p.a_view, &p.b_view);
    let a = av.starts[b.bi] + b.rows.start * av.rs;
    let bs = bv.starts[b.bi] + b.cols.start * bv.cs;
    // SAFETY: in bounds by the caller's contract and `MatView::check`; T is f32 or f64.
    unsafe {
        gemm::gemm(
            b.rows.len(),
            b.cols.len(),
            p.k,
            out.add(b.rows.start * p.n + b.cols.start),
            1,
            p.n as isize,
            p.beta.is_some(),
            p.a.as_ptr().add(a),
            av.cs as isize,
            av.rs as isize,
            p.b.as_ptr().add(bs),
            bv.cs as isize,
            bv.rs as isize,
            p.beta.unwrap_or_default(),
            p.alpha,
            false,
            false,
            false,
            Parallelism::None,
        )
    }
}

/// Splits `0..len` into about `parts` ranges whose lengths are multiples of 16 (the
/// kernels' register-block height), except the last.
fn split(len: usize, parts: usize) -> Vec<std::ops::Range<usize>> {
    let step = len.div_ceil(parts.max(1)).next_multiple_of(16).max(16);
    (0..len)
        .step_by(step)
        .map(|s| s..(s + step).min(len))
        .collect()
}

pub fn batched<T: MatmulElement>(p: &Product<'_, T>, out: &mut [T]) {
    let size = p.m * p.n;
    let batch = p.a_view.starts.len();
    let whole = |bi| Block {
        bi,
        rows: 0..p.m,
        cols: 0..p.n,
    };
    let blocks: Vec<Block> = match choose_split(batch, p.m, p.n, p.k) {
        Split::None => {
            for bi in 0..batch {
                // SAFETY: entry bi's output is out[bi * size..], written by this thread only.
                unsafe { block(p, &whole(bi), out.as_mut_ptr().add(bi * size)) };
            }
            return;
        }
        Split::Batch => (0..batch).map(whole).collect(),
        Split::Inner => {
            // Few large products: cut each along its longer side, a few blocks per thread
            // so that a descheduled thread delays little of the work.
            let parts = spin_pool::threads();
            (0..batch)
                .flat_map(|bi| {
                    let (rows, cols) = if p.m >= p.n {
                        (
                            split(p.m, parts.min(p.m / 32)),
                            std::iter::once(0..p.n).collect(),
                        )
                    } else {
                        (
                            std::iter::once(0..p.m).collect(),
                            split(p.n, parts.min(p.n / 32)),
                        )
                    };
                    rows.into_iter().flat_map(move |r| {
                        cols.clone().into_iter().map(move |c| Block {
                            bi,
                            rows: r.clone(),
                            cols: c,
                        })
                    })
                })
                .collect()
        }
    };
    let base = SendPtr(out.as_mut_ptr());
    spin_pool::run(blocks.len(), &|i| {
        let b = &blocks[i];
        // SAFETY: blocks are disjoint parts of distinct outputs, and `spin_pool::run` returns
        // only after every task is done.
        unsafe { block(p, b, base.get().wrapping_add(b.bi * size)) }
    });
}
