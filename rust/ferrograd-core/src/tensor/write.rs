//! Writing into a view of an output: the one place the shape ops touch storage, through the
//! strided copy kernel (memcpy runs, rayon above the threshold, reversed dims for `flip`).

use super::Tensor;
use crate::cpu::concat::copy_blocks;
use crate::cpu::gather_slabs::gather_slabs;
use crate::cpu::strided_copy::{self, StridedView};
use crate::error::Result;
use crate::wgpu::copy as gpu_copy;

/// Runs `$body` with `$T` bound to a plain integer type of `$size` bytes: copies move bits, so
/// one instantiation per element size serves every dtype.
macro_rules! with_bits {
    ($size:expr, $T:ident => $body:expr) => {
        match $size {
            1 => {
                type $T = u8;
                $body
            }
            2 => {
                type $T = i16;
                $body
            }
            4 => {
                type $T = i32;
                $body
            }
            _ => {
                type $T = i64;
                $body
            }
        }
    };
}
pub(crate) use with_bits;

impl Tensor {
    /// Copies `src` (same shape as this view) into this view, reading the dims in `flip`
    /// backwards, and casting when the dtypes differ. Meant for outputs the op just allocated:
    /// the version counter is left alone.
    pub(crate) fn write_from(&self, src: &Tensor, flip: &[usize]) -> Result<()> {
        if src.numel() == 0 {
            return Ok(());
        }
        if src.dtype() != self.dtype() {
            return self.write_from(&src.to_dtype(self.dtype())?, flip);
        }
        if self.storage().same(src.storage()) {
            // One buffer cannot be locked for reading and writing at once: copy the source out.
            return self.write_from(&src.deep_clone()?, flip);
        }
        if self.device().is_wgpu() && gpu_copy::copy(self, src, flip)? {
            return Ok(());
        }
        let src_view = StridedView::of(src.layout()).flipped(flip);
        let dst_view = StridedView::of(self.layout());
        let src_data = src.storage().read();
        let src_buf = src_data.cpu()?;
        let mut dst_data = self.storage().write();
        let dst_buf = dst_data.cpu_mut()?;
        with_bits!(self.element_size(), T => strided_copy::copy(
            src_buf.as_slice::<T>(), &src_view, dst_buf.as_mut_slice::<T>(), &dst_view
        ))
    }
}

impl Tensor {
    /// A new contiguous tensor holding, along `dim`, the slices of this tensor at `indices`
    /// (which the caller has checked are below the dim's size).
    pub(crate) fn gather_along(&self, dim: usize, indices: &[usize]) -> Result<Tensor> {
        let shape = self.shape();
        let mut out_shape = shape.to_vec();
        out_shape[dim] = indices.len();
        let out = Tensor::zeros(&out_shape, self.dtype())?;
        if out.numel() == 0 || self.numel() == 0 {
            return Ok(out);
        }
        let src = self.contiguous()?;
        let inner: usize = shape[dim + 1..].iter().product();
        let start = src.storage_offset();
        let src_data = src.storage().read();
        let src_buf = src_data.cpu()?;
        let mut dst_data = out.storage().write();
        let dst_buf = dst_data.cpu_mut()?;
        with_bits!(self.element_size(), T => gather_slabs(
            &src_buf.as_slice::<T>()[start..start + src.numel()],
            shape[dim],
            inner,
            indices,
            dst_buf.as_mut_slice::<T>(),
        ));
        drop(dst_data);
        Ok(out)
    }
}

impl Tensor {
    /// `cat`'s fast path: this contiguous output seen as rows of `row` elements takes the
    /// contiguous `src` (same dtype, another storage) block by block at column `at`.
    pub(crate) fn write_blocks(
        &self,
        src: &Tensor,
        block: usize,
        row: usize,
        at: usize,
    ) -> Result<()> {
        if src.numel() == 0 || self.numel() == 0 {
            return Ok(()); // an empty view's offset may lie past its storage's end
        }
        let (s0, d0) = (src.storage_offset(), self.storage_offset());
        let src_data = src.storage().read();
        let src_buf = src_data.cpu()?;
        let mut dst_data = self.storage().write();
        let dst_buf = dst_data.cpu_mut()?;
        with_bits!(self.element_size(), T => copy_blocks(
            &src_buf.as_slice::<T>()[s0..s0 + src.numel()],
            block,
            &mut dst_buf.as_mut_slice::<T>()[d0..d0 + self.numel()],
            row,
            at,
        ));
        Ok(())
    }
}
