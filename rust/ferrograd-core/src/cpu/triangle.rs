//! Zeroing one side of a diagonal in every matrix of a strided layout (`tril`, `triu`). Zero is
//! the all-zero bit pattern in every dtype, so the kernel works on plain integers by size.

use crate::layout::Layout;
use crate::strided::offsets;

/// Zeroes, in each matrix formed by the last two dims, the elements with `col - row > k`
/// (when `lower`, keeping the lower triangle) or `col - row < k` (keeping the upper one).
pub fn zero_triangle<T: Copy + Default>(dst: &mut [T], layout: &Layout, k: i64, lower: bool) {
    let n = layout.ndim();
    if n < 2 || layout.numel() == 0 {
        return;
    }
    let (rows, cols) = (layout.shape()[n - 2], layout.shape()[n - 1]);
    let (row_stride, col_stride) = (layout.strides()[n - 2], layout.strides()[n - 1]);
    let batch = Layout::new(
        layout.shape()[..n - 2].to_vec(),
        layout.strides()[..n - 2].to_vec(),
        layout.offset(),
    );
    for base in offsets(&batch) {
        for r in 0..rows {
            let edge = |shift: i64| (r as i64 + shift).clamp(0, cols as i64) as usize;
            let (from, to) = if lower {
                (edge(k + 1), cols)
            } else {
                (0, edge(k))
            };
            let start = base + r * row_stride;
            if col_stride == 1 {
                dst[start + from..start + to.max(from)].fill(T::default());
            } else {
                for c in from..to {
                    dst[start + c * col_stride] = T::default();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_and_upper() {
        let mut m: Vec<i32> = (1..=12).collect();
        zero_triangle(&mut m, &Layout::contiguous(&[3, 4]), 0, true);
        assert_eq!(m, vec![1, 0, 0, 0, 5, 6, 0, 0, 9, 10, 11, 0]);
        let mut m: Vec<i32> = (1..=12).collect();
        // The transpose of a [4, 3] buffer: rows step by 1, columns by 3.
        zero_triangle(
            &mut m,
            &Layout::contiguous(&[4, 3]).transpose(0, 1),
            1,
            false,
        );
        assert_eq!(m, vec![0, 0, 0, 4, 0, 0, 7, 8, 0, 10, 11, 12]);
    }
}
