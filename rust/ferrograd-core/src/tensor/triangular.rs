//! Triangles of matrices: `tril`, `triu` (batched over leading dims, in and out of place) and
//! the index lists `tril_indices`, `triu_indices`.

use super::repeat::try_vec;
use super::write::with_bits;
use super::Tensor;
use crate::autograd::formulas::shape;
use crate::autograd::{needs_grad, tracked, tracked_in_place};
use crate::cpu::triangle::zero_triangle;
use crate::dtype::DType;
use crate::error::{Error, ErrorKind, Result};
use crate::shape::contiguous_strides;
use crate::wgpu::copy as gpu_copy;

impl Tensor {
    fn check_matrix(&self, op: &str) -> Result<()> {
        if self.ndim() < 2 {
            return Err(Error::runtime(format!(
                "{op}: input tensor must have at least 2 dimensions"
            )));
        }
        Ok(())
    }

    /// Zeroes the elements outside the kept triangle of this tensor's own layout.
    fn zero_triangle_in_place(&self, k: i64, lower: bool) -> Result<()> {
        if self.device().is_wgpu() && gpu_copy::keep_triangle(self, self, k, lower)? {
            return Ok(());
        }
        let mut data = self.storage().write();
        let buf = data.cpu_mut()?;
        with_bits!(self.element_size(), T => zero_triangle(buf.as_mut_slice::<T>(), self.layout(), k, lower));
        Ok(())
    }

    fn triangle(&self, op: &str, k: i64, lower: bool) -> Result<Tensor> {
        self.check_matrix(op)?;
        tracked(
            &[self],
            || {
                if self.device().is_wgpu() {
                    // One kernel reads the input and writes the triangle, where the CPU copies
                    // then zeroes.
                    let _on = self.device_scope();
                    let out = Tensor::uninit_dense(
                        self.shape(),
                        &contiguous_strides(self.shape()),
                        self.dtype(),
                    )?;
                    if gpu_copy::keep_triangle(&out, self, k, lower)? {
                        return Ok(out);
                    }
                }
                let out = Tensor::new_contiguous_copy(self)?;
                out.zero_triangle_in_place(k, lower)?;
                Ok(out)
            },
            |_| Ok(shape::triangle_back(lower, k)),
        )
    }

    fn triangle_(&self, op: &str, k: i64, lower: bool) -> Result<()> {
        self.check_matrix(op)?;
        if needs_grad(&[self]) {
            // Recorded as the out-of-place op on the old value (`TrilBackward0`).
            tracked_in_place(self, |old| old.triangle(op, k, lower))?;
            return Ok(());
        }
        self.check_no_internal_overlap(op)?;
        self.zero_triangle_in_place(k, lower)?;
        self.bump_version();
        Ok(())
    }

    /// `tril(diagonal)`: the lower triangle (`col - row <= diagonal`) of each matrix; the rest 0.
    pub fn tril(&self, diagonal: i64) -> Result<Tensor> {
        self.triangle("tril", diagonal, true)
    }

    /// `triu(diagonal)`: the upper triangle (`col - row >= diagonal`) of each matrix; the rest 0.
    pub fn triu(&self, diagonal: i64) -> Result<Tensor> {
        self.triangle("triu", diagonal, false)
    }

    /// `tril_(diagonal)`: [`Tensor::tril`] in place.
    pub fn tril_(&self, diagonal: i64) -> Result<()> {
        self.triangle_("tril", diagonal, true)
    }

    /// `triu_(diagonal)`: [`Tensor::triu`] in place.
    pub fn triu_(&self, diagonal: i64) -> Result<()> {
        self.triangle_("triu", diagonal, false)
    }

    /// `tril_indices(row, col, offset)`: the coordinates of the lower triangle of a
    /// `row x col` matrix, row by row, as a `[2, N]` tensor.
    pub fn tril_indices(row: i64, col: i64, offset: i64, dtype: DType) -> Result<Tensor> {
        triangle_indices("tril_indices", row, col, offset, dtype, true)
    }

    /// `triu_indices(row, col, offset)`: the coordinates of the upper triangle.
    pub fn triu_indices(row: i64, col: i64, offset: i64, dtype: DType) -> Result<Tensor> {
        triangle_indices("triu_indices", row, col, offset, dtype, false)
    }
}

fn triangle_indices(
    op: &str,
    row: i64,
    col: i64,
    offset: i64,
    dtype: DType,
    lower: bool,
) -> Result<Tensor> {
    if row < 0 {
        return Err(Error::runtime(format!(
            "row must be non-negative, got{row}"
        )));
    }
    if col < 0 {
        return Err(Error::runtime(format!(
            "col must be non-negative, got{col}"
        )));
    }
    if !matches!(dtype, DType::I32 | DType::I64) {
        return Err(Error::Other {
            kind: ErrorKind::NotImplemented,
            msg: format!(
                "\"{op}\" not implemented for '{}'",
                dtype.scalar_type_name()
            ),
        });
    }
    // Column range kept in row `r`: [0, r + offset] for the lower triangle, [r + offset, col)
    // for the upper one, clamped to the matrix.
    let range = |r: i64| {
        let edge = |c: i64| c.clamp(0, col);
        if lower {
            (0, edge(r.saturating_add(offset).saturating_add(1)))
        } else {
            (edge(r.saturating_add(offset)), col)
        }
    };
    // Only these rows keep anything, so huge matrices with tiny triangles stay cheap.
    let rows = if lower {
        offset.saturating_neg().clamp(0, row)..row
    } else {
        0..col.saturating_sub(offset).clamp(0, row)
    };
    let count = usize::try_from(triangle_size(row, col, offset, lower))
        .ok()
        .and_then(|n| n.checked_mul(2))
        .ok_or(Error::OutOfMemory { nbytes: usize::MAX })?;
    let mut coords = try_vec::<i64>(count)?;
    for r in rows.clone() {
        let (a, b) = range(r);
        coords.extend((a..b).map(|_| r));
    }
    for r in rows {
        let (a, b) = range(r);
        coords.extend(a..b);
    }
    let count = count / 2;
    Tensor::from_vec(coords, &[2, count])?.to_dtype(dtype)
}

/// `a + (a + 1) + ... + (b - 1)`, or 0 when the range is empty.
fn arithmetic_sum(a: i128, b: i128) -> i128 {
    if b <= a {
        0
    } else {
        (a + b - 1) * (b - a) / 2
    }
}

/// How many elements the triangle of a `row x col` matrix holds, in closed form.
fn triangle_size(row: i64, col: i64, offset: i64, lower: bool) -> i128 {
    let (row, col, offset) = (row as i128, col as i128, offset as i128);
    if lower {
        // Row r keeps min(r + offset + 1, col) elements, for the rows where that is positive.
        let first = (-offset).clamp(0, row);
        let (x0, x1) = (first + offset + 1, row + offset + 1);
        let split = col.clamp(x0, x1.max(x0));
        arithmetic_sum(x0, split) + (x1 - split).max(0) * col
    } else {
        // Row r keeps col - max(r + offset, 0) elements, for the rows where that is positive.
        let rows = (col - offset).clamp(0, row);
        rows * col - arithmetic_sum(offset.max(0), (offset + rows).max(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scalar;

    #[test]
    fn triangles() -> Result<()> {
        let m = Tensor::arange(Scalar::Int(0), Scalar::Int(12), Scalar::Int(1), DType::I64)?
            .view(&[3, 4])?;
        assert_eq!(
            m.tril(0)?.to_vec::<i64>()?,
            vec![0, 0, 0, 0, 4, 5, 0, 0, 8, 9, 10, 0]
        );
        assert_eq!(
            m.t()?.tril(0)?.to_vec::<i64>()?,
            vec![0, 0, 0, 1, 5, 0, 2, 6, 10, 3, 7, 11]
        );
        let c = m.deep_clone()?;
        c.t()?.triu_(1)?;
        assert_eq!(c.to_vec::<i64>()?, vec![0, 0, 0, 0, 4, 0, 0, 0, 8, 9, 0, 0]);
        assert_eq!(c.version(), 1);
        Ok(())
    }

    #[test]
    fn sizes_in_closed_form() {
        for (row, col) in [(0, 3), (3, 0), (3, 3), (4, 7), (7, 4), (1, 1)] {
            for offset in -9..9 {
                for lower in [true, false] {
                    let brute: i128 = (0..row)
                        .flat_map(|r| (0..col).map(move |c| (r, c)))
                        .filter(|&(r, c)| {
                            if lower {
                                c - r <= offset
                            } else {
                                c - r >= offset
                            }
                        })
                        .count() as i128;
                    assert_eq!(
                        triangle_size(row, col, offset, lower),
                        brute,
                        "{row} {col} {offset} {lower}"
                    );
                }
            }
        }
        assert!(Tensor::tril_indices(1 << 40, 1 << 40, 0, DType::I64).is_err());
        assert_eq!(
            Tensor::triu_indices(1 << 40, 2, 0, DType::I64).map(|t| t.numel()),
            Ok(6)
        );
    }

    #[test]
    fn indices() -> Result<()> {
        let t = Tensor::tril_indices(3, 4, 1, DType::I64)?;
        assert_eq!(t.shape(), &[2, 9]);
        assert_eq!(t.to_vec::<i64>()?[9..], [0, 1, 0, 1, 2, 0, 1, 2, 3]);
        let u = Tensor::triu_indices(4, 3, -1, DType::I32)?;
        assert_eq!(u.to_vec::<i64>()?[..9], [0, 0, 0, 1, 1, 1, 2, 2, 3]);
        Ok(())
    }
}
