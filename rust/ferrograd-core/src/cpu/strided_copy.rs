//! The fast copy between two strided views that joining and reordering ops end in: dims that
//! are contiguous in both views are merged, unit-stride runs become memcpys, and large copies
//! are split across rayon's threads. Strides may be negative, so `flip` is a copy too.
//!
//! The kernel moves bits, not values: callers convert dtypes beforehand and pick the element
//! type by size (`u8`, `i16`, `i32`, `i64`), so four instantiations serve every dtype.

use super::fork_guard::{rayon_threads, worth_parallel};
use rayon::prelude::*;

pub use super::strided_view::StridedView;
use crate::error::{Error, Result};

/// The side of the square blocks a transposing copy works in.
const TILE: usize = 32;

/// A raw pointer that may cross threads; the kernel guarantees disjoint writes.
#[derive(Clone, Copy)]
struct SendPtr<T>(*mut T);
// SAFETY: used only for writes to disjoint elements (checked by `is_non_overlapping`).
unsafe impl<T> Send for SendPtr<T> {}
unsafe impl<T> Sync for SendPtr<T> {}

impl<T> SendPtr<T> {
    fn get(self) -> *mut T {
        self.0
    }
}

/// The loop nest after merging dims: `rows` runs of `len` elements, with the outer dims'
/// sizes and strides to find each run's start.
struct Plan {
    outer: Vec<(usize, isize, isize)>,
    rows: usize,
    len: usize,
    src_step: isize,
    dst_step: isize,
    src_start: isize,
    dst_start: isize,
}

impl Plan {
    /// Drops size-1 dims and merges neighbours that are contiguous with each other in both views.
    fn new(src: &StridedView, dst: &StridedView) -> Plan {
        let mut dims: Vec<(usize, isize, isize)> = Vec::with_capacity(src.shape.len());
        for ((&n, &s), &d) in src.shape.iter().zip(&src.strides).zip(&dst.strides) {
            if n == 1 {
                continue;
            }
            match dims.last_mut() {
                Some(last) if last.1 == s * n as isize && last.2 == d * n as isize => {
                    *last = (last.0 * n, s, d);
                }
                _ => dims.push((n, s, d)),
            }
        }
        let (len, src_step, dst_step) = dims.pop().unwrap_or((1, 1, 1));
        Plan {
            rows: dims.iter().map(|d| d.0).product(),
            outer: dims,
            len,
            src_step,
            dst_step,
            src_start: src.offset,
            dst_start: dst.offset,
        }
    }

    /// The start offsets of run `row`.
    fn row_start(&self, mut row: usize) -> (isize, isize) {
        let (mut s, mut d) = (self.src_start, self.dst_start);
        for &(n, ss, ds) in self.outer.iter().rev() {
            let i = (row % n) as isize;
            row /= n;
            s += i * ss;
            d += i * ds;
        }
        (s, d)
    }

    /// Whether the source walks the innermost outer dim faster than the run itself (a
    /// transposed source): then copying in square tiles keeps both sides in cache.
    fn tiled(&self) -> bool {
        self.outer.last().is_some_and(|&(n, s1, _)| {
            n > 1 && self.len > TILE && s1 != 0 && s1.unsigned_abs() < self.src_step.unsigned_abs()
        })
    }

    /// `count` runs of `len` elements, starting at `s` and `d` and one step of the innermost
    /// outer dim apart; in `TILE x TILE` blocks when the source is transposed.
    ///
    /// # Safety
    /// As for [`Plan::copy_rows`].
    unsafe fn copy_plane<T: Copy>(
        &self,
        src: *const T,
        s: isize,
        dst: *mut T,
        d: isize,
        count: usize,
        len: usize,
    ) {
        let (_, s1, d1) = self.outer.last().copied().unwrap_or((1, 0, 0));
        let (ss, ds) = (self.src_step, self.dst_step);
        if len <= 4 {
            // Short runs (`repeat_interleave`, `stack` along the last dim): unrolled loops, as
            // per-run dispatch would cost more than the copy.
            let rows = ShortRows {
                s,
                s1,
                ss,
                d,
                d1,
                ds,
                count,
            };
            // SAFETY: forwarded from the caller.
            return unsafe { rows.copy_any(src, dst, len) };
        }
        let (rows_per_tile, cols_per_tile) = if self.tiled() {
            (TILE, TILE)
        } else {
            (count.max(1), len.max(1))
        };
        for j0 in (0..count).step_by(rows_per_tile) {
            for c0 in (0..len).step_by(cols_per_tile) {
                let n = cols_per_tile.min(len - c0);
                for j in j0..(j0 + rows_per_tile).min(count) {
                    let (j, c) = (j as isize, c0 as isize);
                    // SAFETY: forwarded from the caller; these are pieces of its runs.
                    unsafe {
                        copy_run(
                            src,
                            s + j * s1 + c * ss,
                            ss,
                            dst,
                            d + j * d1 + c * ds,
                            ds,
                            n,
                        )
                    };
                }
            }
        }
    }

    /// Copies runs `rows` (a range) of `len` elements each, from element `skip` of every run.
    /// The innermost outer dim is walked in a tight loop, so short runs stay cheap.
    ///
    /// # Safety
    /// Every offset the plan reaches must be inside both buffers.
    unsafe fn copy_rows<T: Copy>(
        &self,
        src: *const T,
        dst: *mut T,
        rows: std::ops::Range<usize>,
        skip: usize,
        len: usize,
    ) {
        let (mut s, mut d) = self.row_start(rows.start);
        s += skip as isize * self.src_step;
        d += skip as isize * self.dst_step;
        let mut index: Vec<usize> = vec![0; self.outer.len()];
        let mut rest = rows.start;
        for (k, &(n, _, _)) in self.outer.iter().enumerate().rev() {
            index[k] = rest % n;
            rest /= n;
        }
        let (n1, s1, d1) = self.outer.last().copied().unwrap_or((1, 0, 0));
        let mut row = rows.start;
        while row < rows.end {
            let first = index.last().copied().unwrap_or(0);
            let count = (n1 - first).min(rows.end - row);
            // SAFETY: forwarded from the caller.
            unsafe { self.copy_plane(src, s, dst, d, count, len) };
            row += count;
            if row == rows.end {
                break;
            }
            // The innermost outer dim is done: back to its start, then carry like an odometer.
            s -= first as isize * s1;
            d -= first as isize * d1;
            let last = index.len() - 1;
            index[last] = 0;
            for k in (0..last).rev() {
                let (n, ss, ds) = self.outer[k];
                index[k] += 1;
                s += ss;
                d += ds;
                if index[k] < n {
                    break;
                }
                index[k] = 0;
                s -= ss * n as isize;
                d -= ds * n as isize;
            }
        }
    }
}

/// `count` runs of a few elements each, one step of the innermost outer dim apart.
struct ShortRows {
    s: isize,
    s1: isize,
    ss: isize,
    d: isize,
    d1: isize,
    ds: isize,
    count: usize,
}

impl ShortRows {
    /// # Safety
    /// As for [`Plan::copy_rows`]; `len` is 1 to 4.
    unsafe fn copy_any<T: Copy>(&self, src: *const T, dst: *mut T, len: usize) {
        // SAFETY: forwarded from the caller.
        unsafe {
            match len {
                1 => self.copy::<T, 1>(src, dst),
                2 => self.copy::<T, 2>(src, dst),
                3 => self.copy::<T, 3>(src, dst),
                _ => self.copy::<T, 4>(src, dst),
            }
        }
    }

    /// # Safety
    /// As for [`Plan::copy_rows`].
    #[inline(always)]
    unsafe fn copy<T: Copy, const L: usize>(&self, src: *const T, dst: *mut T) {
        let (mut s, mut d) = (self.s, self.d);
        for _ in 0..self.count {
            for c in 0..L as isize {
                // SAFETY: forwarded from the caller.
                unsafe { *dst.offset(d + c * self.ds) = *src.offset(s + c * self.ss) };
            }
            s += self.s1;
            d += self.d1;
        }
    }
}

/// One run: a memcpy when both sides step by one element (a plain loop for short runs, where
/// the call costs more than the copy), a fill for a broadcast source, and loops LLVM can
/// vectorise for reversed (`flip`) and other strides.
///
/// # Safety
/// All `n` offsets on both sides must be inside their buffers, and the buffers distinct.
#[inline(always)]
unsafe fn copy_run<T: Copy>(
    src: *const T,
    s: isize,
    ss: isize,
    dst: *mut T,
    d: isize,
    ds: isize,
    n: usize,
) {
    // SAFETY: the caller guarantees the offsets are in bounds and the buffers do not overlap,
    // so the slices below are valid and the `&mut` one is the only reference to its elements.
    unsafe {
        if ds == 1 && ss == 1 && n >= 16 {
            std::ptr::copy_nonoverlapping(src.offset(s), dst.offset(d), n);
        } else if ds == 1 && ss == -1 {
            let from = std::slice::from_raw_parts(src.offset(s + 1 - n as isize), n);
            let to = std::slice::from_raw_parts_mut(dst.offset(d), n);
            for (o, &v) in to.iter_mut().zip(from.iter().rev()) {
                *o = v;
            }
        } else if ds == 1 && ss == 0 {
            std::slice::from_raw_parts_mut(dst.offset(d), n).fill(*src.offset(s));
        } else {
            let (mut s, mut d) = (s, d);
            for _ in 0..n {
                *dst.offset(d) = *src.offset(s);
                s += ss;
                d += ds;
            }
        }
    }
}

fn out_of_bounds() -> Error {
    Error::runtime("strided copy: view reaches outside its buffer")
}

/// Copies every element of `src_view` (in `src`) to the same position of `dst_view` (in `dst`).
/// The views must have the same shape; the buffers are distinct (a `&` and a `&mut`).
pub fn copy<T: Copy + Send + Sync>(
    src: &[T],
    src_view: &StridedView,
    dst: &mut [T],
    dst_view: &StridedView,
) -> Result<()> {
    if src_view.shape != dst_view.shape {
        return Err(Error::runtime("strided copy: shapes differ"));
    }
    if src_view.numel() == 0 {
        return Ok(());
    }
    for (view, len) in [(src_view, src.len()), (dst_view, dst.len())] {
        let (lo, hi) = view.extent();
        if lo < 0 || hi as usize >= len {
            return Err(out_of_bounds());
        }
    }
    let plan = Plan::new(src_view, dst_view);
    let total = plan.rows * plan.len;
    let (sp, dp) = (src.as_ptr(), SendPtr(dst.as_mut_ptr()));
    if !worth_parallel(total) || !dst_view.is_non_overlapping() {
        // SAFETY: the extents were checked against both buffers above.
        unsafe { plan.copy_rows(sp, dp.get(), 0..plan.rows, 0, plan.len) };
        return Ok(());
    }
    let sp = SendPtr(sp as *mut T);
    let tasks = rayon_threads() * 4;
    if plan.rows >= tasks {
        let per = plan.rows.div_ceil(tasks);
        (0..plan.rows.div_ceil(per)).into_par_iter().for_each(|t| {
            let rows = t * per..((t + 1) * per).min(plan.rows);
            // SAFETY: in bounds (checked above); tasks write disjoint rows of a
            // non-overlapping view.
            unsafe { plan.copy_rows(sp.get(), dp.get(), rows, 0, plan.len) };
        });
    } else {
        // Few long runs: cut each run into pieces so every thread gets work.
        let pieces = tasks.div_ceil(plan.rows);
        let piece = plan.len.div_ceil(pieces);
        (0..plan.rows * pieces).into_par_iter().for_each(|t| {
            let (row, p) = (t / pieces, t % pieces);
            let skip = (p * piece).min(plan.len);
            let len = piece.min(plan.len - skip);
            // SAFETY: as above; pieces of a run are disjoint.
            unsafe { plan.copy_rows(sp.get(), dp.get(), row..row + 1, skip, len) };
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::PARALLEL_THRESHOLD;
    use crate::layout::Layout;

    fn run(src: &[i32], sv: &StridedView, shape: &[usize]) -> Result<Vec<i32>> {
        let mut out = vec![0; shape.iter().product()];
        copy(
            src,
            sv,
            &mut out,
            &StridedView::of(&Layout::contiguous(shape)),
        )?;
        Ok(out)
    }

    #[test]
    fn transposed_and_flipped() -> Result<()> {
        let src: Vec<i32> = (0..6).collect();
        let t = StridedView::of(&Layout::contiguous(&[2, 3]).transpose(0, 1));
        assert_eq!(run(&src, &t, &[3, 2])?, vec![0, 3, 1, 4, 2, 5]);
        let f = StridedView::of(&Layout::contiguous(&[2, 3])).flipped(&[1]);
        assert_eq!(run(&src, &f, &[2, 3])?, vec![2, 1, 0, 5, 4, 3]);
        let both = StridedView::of(&Layout::contiguous(&[2, 3])).flipped(&[0, 1]);
        assert_eq!(run(&src, &both, &[2, 3])?, vec![5, 4, 3, 2, 1, 0]);
        Ok(())
    }

    #[test]
    fn large_copies_match_the_sequential_result() -> Result<()> {
        let n = PARALLEL_THRESHOLD * 3 + 7;
        let src: Vec<i32> = (0..n as i32).collect();
        // One long run (split into pieces) and many short rows (split by rows).
        assert_eq!(
            run(&src, &StridedView::of(&Layout::contiguous(&[n])), &[n])?,
            src
        );
        let rows = n / 7;
        let t = StridedView::of(&Layout::contiguous(&[7, rows]).transpose(0, 1));
        let got = run(&src, &t, &[rows, 7])?;
        let want: Vec<i32> = (0..rows)
            .flat_map(|r| (0..7).map(move |c| (c * rows + r) as i32))
            .collect();
        assert_eq!(got, want);
        let f = StridedView::of(&Layout::contiguous(&[n])).flipped(&[0]);
        let rev: Vec<i32> = src.iter().rev().copied().collect();
        assert_eq!(run(&src, &f, &[n])?, rev);
        Ok(())
    }

    #[test]
    fn transposes_are_copied_in_tiles() -> Result<()> {
        for (rows, cols) in [(70, 45), (700, 300)] {
            let src: Vec<i32> = (0..(rows * cols) as i32).collect();
            let t = StridedView::of(&Layout::contiguous(&[cols, rows]).transpose(0, 1));
            let got = run(&src, &t, &[rows, cols])?;
            let want: Vec<i32> = (0..rows)
                .flat_map(|r| (0..cols).map(move |c| (c * rows + r) as i32))
                .collect();
            assert_eq!(got, want);
        }
        Ok(())
    }

    #[test]
    fn out_of_bounds_views_are_refused() {
        let too_far = StridedView::of(&Layout::new(vec![3], vec![2], 0));
        assert!(run(&[1, 2, 3], &too_far, &[3]).is_err());
    }
}
