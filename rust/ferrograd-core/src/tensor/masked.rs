//! Boolean masks: `nonzero`/`argwhere`/one-argument `where`, and `masked_fill`,
//! `masked_select`, `masked_scatter`, which broadcast the mask against the tensor.

use super::index_ops::zero_dim_value;
use super::index_util::unaliased;
use super::{materialize, Tensor};
use crate::autograd::formulas::masked::{
    masked_fill_back, masked_scatter_back, masked_select_back,
};
use crate::autograd::{needs_grad, no_grad, tracked, tracked_in_place};
use crate::cpu::walk::walk;
use crate::dtype::{DType, Element, Scalar};
use crate::error::{Error, Result};
use crate::shape::{broadcast_shapes, contiguous_strides};
use crate::wgpu::copy as gpu_copy;
use crate::with_dtype;

fn as_target(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&d| d as i64).collect()
}

impl Tensor {
    /// The coordinates of the non-zero elements, one vector per dim (row-major order).
    /// A 0-dim tensor is treated as one element with no coordinates.
    pub(crate) fn nonzero_columns(&self) -> Result<Vec<Vec<i64>>> {
        // The coordinates give the result its size, so they are found on the host on every
        // device (PyTorch's `nonzero` waits for the GPU too): a requested transfer.
        let flags = crate::wgpu::fallback::transfer(|| materialize::<bool>(self))?;
        let shape = self.shape();
        let mut columns: Vec<Vec<i64>> = vec![Vec::new(); shape.len()];
        let mut index = vec![0usize; shape.len()];
        for &flag in &flags {
            if flag {
                for (c, &i) in columns.iter_mut().zip(&index) {
                    c.push(i as i64);
                }
            }
            for d in (0..shape.len()).rev() {
                index[d] += 1;
                if index[d] < shape[d] {
                    break;
                }
                index[d] = 0;
            }
        }
        Ok(columns)
    }

    /// `nonzero()`: an `[n, ndim]` int64 tensor of the coordinates of non-zero elements.
    pub fn nonzero(&self) -> Result<Tensor> {
        let _on = self.device_scope();
        let columns = self.nonzero_columns()?;
        let n = if self.ndim() == 0 {
            materialize::<bool>(self)?.iter().filter(|&&b| b).count()
        } else {
            columns.first().map_or(0, Vec::len)
        };
        let ndim = self.ndim();
        let mut out = vec![0i64; n * ndim];
        for (d, column) in columns.iter().enumerate() {
            for (i, &v) in column.iter().enumerate() {
                out[i * ndim + d] = v;
            }
        }
        Tensor::from_vec(out, &[n, ndim])
    }

    /// `nonzero(as_tuple=True)` and one-argument `where(condition)`: one 1-D int64 tensor per
    /// dim (a 0-dim input counts as 1-D).
    pub fn nonzero_tuple(&self) -> Result<Vec<Tensor>> {
        let _on = self.device_scope();
        let t = if self.ndim() == 0 {
            self.reshape(&[1])?
        } else {
            self.clone()
        };
        t.nonzero_columns()?
            .into_iter()
            .map(|c| {
                let n = c.len();
                Tensor::from_vec(c, &[n])
            })
            .collect()
    }

    /// `argwhere()`: the same as `nonzero()`.
    pub fn argwhere(&self) -> Result<Tensor> {
        self.nonzero()
    }

    /// `masked_fill_(mask, value)`: writes `value` (cast) wherever the mask, broadcast to this
    /// tensor's shape, is true.
    pub fn masked_fill_(&self, mask: &Tensor, value: Scalar) -> Result<()> {
        if needs_grad(&[self]) {
            return self.masked_fill_tracked_(mask, |old| old.masked_fill(mask, value));
        }
        if mask.dtype() != DType::Bool {
            return Err(Error::runtime(format!(
                "masked_fill_ only supports boolean masks, but got mask with dtype {}",
                mask.dtype().cpp_type_name()
            )));
        }
        let mask = unaliased(mask, self)?.expand_inplace_operand(self.shape())?;
        if self.device().is_wgpu() && gpu_copy::masked_fill(self, &mask, value)? {
            self.bump_version();
            return Ok(());
        }
        let flags = materialize::<bool>(&mask)?;
        let mut data = self.storage().write();
        let buf = data.cpu_mut()?;
        let layout = self.layout();
        with_dtype!(self.dtype(), T => {
            let dst = buf.as_mut_slice::<T>();
            let v = value.cast::<T>();
            walk(layout.shape(), [layout.strides()], [layout.offset()], 0..flags.len(), |p, o| {
                if flags[p] {
                    dst[o[0]] = v;
                }
            });
        });
        drop(data);
        self.bump_version();
        Ok(())
    }

    /// `masked_fill(mask, value)`: the result has the broadcast shape of `self` and `mask`.
    pub fn masked_fill(&self, mask: &Tensor, value: Scalar) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                let out = self.broadcast_copy(mask)?;
                out.masked_fill_(mask, value)?;
                Ok(out)
            },
            |_| Ok(masked_fill_back(self, mask, false)),
        )
    }

    /// `masked_fill(mask, value)` with a 0-dim tensor `value`, which then gets a gradient too
    /// (PyTorch's `masked_fill.Tensor`).
    pub fn masked_fill_tensor(&self, mask: &Tensor, value: &Tensor) -> Result<Tensor> {
        let number = zero_dim_value("masked_fill_", value)?;
        tracked(
            &[self, value],
            || self.masked_fill(mask, number),
            |_| Ok(masked_fill_back(self, mask, true)),
        )
    }

    /// `masked_fill_(mask, value)` with a 0-dim tensor `value`.
    pub fn masked_fill_tensor_(&self, mask: &Tensor, value: &Tensor) -> Result<()> {
        let number = zero_dim_value("masked_fill_", value)?;
        if needs_grad(&[self, value]) {
            return self.masked_fill_tracked_(mask, |old| old.masked_fill_tensor(mask, value));
        }
        self.masked_fill_(mask, number)
    }

    /// The recorded in-place fill: the out-of-place `fill` of the old value, once the mask is
    /// known to fit this tensor (the out-of-place form would broadcast to a larger shape).
    fn masked_fill_tracked_(
        &self,
        mask: &Tensor,
        fill: impl FnOnce(&Tensor) -> Result<Tensor>,
    ) -> Result<()> {
        if mask.dtype() == DType::Bool {
            mask.expand_inplace_operand(self.shape())?;
        }
        tracked_in_place(self, fill).map(drop)
    }

    /// `masked_select(mask)`: the elements where the mask is true, in row-major order of the
    /// broadcast shape, as a 1-D tensor.
    pub fn masked_select(&self, mask: &Tensor) -> Result<Tensor> {
        tracked(
            &[self],
            || self.masked_select_untracked(mask),
            |_| masked_select_back(self, mask),
        )
    }

    fn masked_select_untracked(&self, mask: &Tensor) -> Result<Tensor> {
        if mask.dtype() != DType::Bool {
            return Err(Error::runtime(
                "masked_select: expected BoolTensor for mask",
            ));
        }
        let shape = broadcast_shapes(mask.shape(), self.shape())?; // PyTorch names the mask "a"
        let target = as_target(&shape);
        let flags = materialize::<bool>(&mask.expand(&target)?)?;
        let this = self.expand(&target)?;
        with_dtype!(self.dtype(), T => {
            let values = materialize::<T>(&this)?;
            let picked: Vec<T> = values.into_iter().zip(&flags).filter(|(_, &f)| f).map(|(v, _)| v).collect();
            let n = picked.len();
            Tensor::from_vec(picked, &[n])
        })
    }

    /// `masked_scatter_(mask, source)`: fills the positions where the mask is true, in row-major
    /// order, with consecutive elements of `source` (in its row-major order).
    pub fn masked_scatter_(&self, mask: &Tensor, source: &Tensor) -> Result<()> {
        if needs_grad(&[self, source]) {
            if mask.dtype() == DType::Bool {
                mask.expand_inplace_operand(self.shape())?;
            }
            let scatter = |old: &Tensor| old.masked_scatter(mask, source);
            return tracked_in_place(self, scatter).map(drop);
        }
        if mask.dtype() != DType::Bool {
            return Err(Error::runtime(format!(
                "masked_scatter_ only supports boolean masks, but got mask with dtype {}",
                mask.dtype().scalar_type_name()
            )));
        }
        if source.dtype() != self.dtype() {
            return Err(Error::runtime(format!(
                "masked_scatter: expected self and source to have same dtypes but got{} and {}",
                self.dtype().scalar_type_name(),
                source.dtype().scalar_type_name()
            )));
        }
        let mask = unaliased(mask, self)?.expand_inplace_operand(self.shape())?;
        let flags = materialize::<bool>(&mask)?;
        let wanted = flags.iter().filter(|&&f| f).count();
        if wanted > source.numel() {
            return Err(Error::runtime(
                "Number of elements of source < number of ones in mask",
            ));
        }
        with_dtype!(self.dtype(), T => self.masked_scatter_values::<T>(&flags, &materialize::<T>(source)?))?;
        self.bump_version();
        Ok(())
    }

    fn masked_scatter_values<T: Element>(&self, flags: &[bool], values: &[T]) -> Result<()> {
        let mut data = self.storage().write();
        let dst = data.cpu_mut()?.as_mut_slice::<T>();
        let layout = self.layout();
        let mut next = values.iter();
        walk(
            layout.shape(),
            [layout.strides()],
            [layout.offset()],
            0..flags.len(),
            |p, o| {
                if flags[p] {
                    if let Some(&v) = next.next() {
                        dst[o[0]] = v;
                    }
                }
            },
        );
        Ok(())
    }

    /// `masked_scatter(mask, source)`: the out-of-place form (broadcast shape of self and mask).
    pub fn masked_scatter(&self, mask: &Tensor, source: &Tensor) -> Result<Tensor> {
        tracked(
            &[self, source],
            || {
                let out = self.broadcast_copy(mask)?;
                out.masked_scatter_(mask, source)?;
                Ok(out)
            },
            |_| Ok(masked_scatter_back(self, mask, source)),
        )
    }

    /// A fresh contiguous copy of `self` broadcast against `other`'s shape.
    fn broadcast_copy(&self, other: &Tensor) -> Result<Tensor> {
        let shape = broadcast_shapes(self.shape(), other.shape())?;
        let expanded = self.expand(&as_target(&shape))?;
        // A copy on this tensor's device (a GPU kernel there), never an alias of it.
        let out = Tensor::uninit_dense(&shape, &contiguous_strides(&shape), self.dtype())?;
        no_grad(|| out.copy_(&expanded))?;
        Ok(out)
    }

    /// This operand broadcast to the shape of an in-place op's output, which must not grow
    /// (PyTorch's message for when it would).
    pub(crate) fn expand_inplace_operand(&self, shape: &[usize]) -> Result<Tensor> {
        let broadcast = broadcast_shapes(shape, self.shape())?;
        if broadcast != shape {
            return Err(Error::runtime(format!(
                "output with shape {} doesn't match the broadcast shape {}",
                crate::error::shape_str(shape),
                crate::error::shape_str(&broadcast)
            )));
        }
        self.expand(&as_target(shape))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: Vec<f32>, shape: &[usize]) -> Result<Tensor> {
        Tensor::from_vec(v, shape)
    }

    #[test]
    fn nonzero_and_tuple() -> Result<()> {
        let x = t(vec![0.0, 1.5, 0.0, f32::NAN, 0.0, -2.0], &[2, 3])?;
        assert_eq!(x.nonzero()?.to_vec::<i64>()?, vec![0, 1, 1, 0, 1, 2]);
        let cols = x.nonzero_tuple()?;
        assert_eq!(cols[0].to_vec::<i64>()?, vec![0, 1, 1]);
        assert_eq!(cols[1].to_vec::<i64>()?, vec![1, 0, 2]);
        let s = Tensor::scalar(Scalar::Float(3.0), DType::F32);
        assert_eq!(s.nonzero()?.shape(), &[1, 0]);
        assert_eq!(s.nonzero_tuple()?[0].to_vec::<i64>()?, vec![0]);
        Ok(())
    }

    #[test]
    fn a_tensor_fill_value_gets_the_filled_gradient() -> Result<()> {
        use crate::autograd::{backward, BackwardOptions};
        // y = x.masked_fill(m, v) with m = [T, F, T] broadcast over 2 rows: v fills 4
        // places, so dL/dv = 4 for L = y.sum(); x keeps its gradient off the mask only.
        let x = Tensor::from_vec(vec![0.0f64; 6], &[2, 3])?;
        x.set_requires_grad(true)?;
        let v = Tensor::scalar(Scalar::Float(5.0), DType::F64);
        v.set_requires_grad(true)?;
        let m = Tensor::from_vec(vec![true, false, true], &[3])?;
        let y = x.masked_fill_tensor(&m, &v)?;
        assert_eq!(y.to_vec::<f64>()?, vec![5.0, 0.0, 5.0, 5.0, 0.0, 5.0]);
        let name = y.grad_fn().map(|n| n.name().to_string());
        assert_eq!(name.as_deref(), Some("MaskedFillBackward1"));
        backward(
            &[y.sum(None, false, None)?],
            &[None],
            &[],
            BackwardOptions::default(),
        )?;
        let gv = v.grad().map(|g| g.to_vec::<f64>()).transpose()?;
        assert_eq!(gv, Some(vec![4.0]));
        let gx = x.grad().map(|g| g.to_vec::<f64>()).transpose()?;
        assert_eq!(gx, Some(vec![0.0, 1.0, 0.0, 0.0, 1.0, 0.0]));
        let wide = Tensor::from_vec(vec![1.0f64, 2.0], &[2])?;
        let e = x.masked_fill_tensor(&m, &wide).err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension(s).")
        );
        Ok(())
    }

    #[test]
    fn masked_ops_broadcast() -> Result<()> {
        let x = t(vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0], &[2, 3])?;
        let m = Tensor::from_vec(vec![true, false, true], &[3])?;
        let f = x.masked_fill(&m, Scalar::Float(-1.0))?;
        assert_eq!(f.to_vec::<f32>()?, vec![-1.0, 1.0, -1.0, -1.0, 4.0, -1.0]);
        assert_eq!(
            x.masked_select(&m)?.to_vec::<f32>()?,
            vec![0.0, 2.0, 3.0, 5.0]
        );
        let src = t(vec![10.0, 11.0, 12.0, 13.0, 14.0], &[5])?;
        let s = x.masked_scatter(&m, &src)?;
        assert_eq!(s.to_vec::<f32>()?, vec![10.0, 1.0, 11.0, 12.0, 4.0, 13.0]);
        let short = t(vec![1.0], &[1])?;
        let e = x.masked_scatter(&m, &short).err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("Number of elements of source < number of ones in mask")
        );
        Ok(())
    }
}
