//! Assignment through an indexing key (`t[key] = value`): a copy into the view for basic keys,
//! `index_put_` for advanced ones, following PyTorch's `set_item`.

use super::index::IndexItem;
use super::Tensor;
use crate::error::{Error, Result};

impl Tensor {
    /// `t[a, b, ...] = value` (a tuple key). `value` is a tensor; Python numbers arrive as
    /// 0-dim tensors of this tensor's dtype.
    pub fn index_set_(&self, key: &[IndexItem], value: &Tensor) -> Result<()> {
        let sliced = self.apply_slicing(key)?;
        if sliced.indices.is_empty() {
            return sliced.view.copy_to(value);
        }
        let value = value.without_leading_ones()?;
        sliced.view.index_put_(&sliced.indices, &value, false)
    }

    /// `t[item] = value` for a key that is not a tuple.
    pub fn index_set_single_(&self, item: &IndexItem, value: &Tensor) -> Result<()> {
        match item {
            // PyTorch skips `t[False] = v` entirely (no write, no version bump).
            IndexItem::Bool(false) => Ok(()),
            IndexItem::Ellipsis => self.copy_to(value),
            IndexItem::NewAxis | IndexItem::Bool(true) => self.unsqueeze(0)?.copy_to(value),
            IndexItem::Int(_) => self.index_single(item)?.copy_to(value),
            IndexItem::Slice { .. } if self.ndim() == 0 => {
                Err(Error::index("slice() cannot be applied to a 0-dim tensor."))
            }
            _ => self.index_set_(std::slice::from_ref(item), value),
        }
    }

    /// Writes `src` into this view: a copy when the shapes match, a fill for a 0-dim source,
    /// else `src` (less its leading size-1 dims) broadcast to this shape. The write is
    /// recorded when either side is part of a graph (`t[0] = x` gives `t` a `CopySlices`).
    fn copy_to(&self, src: &Tensor) -> Result<()> {
        if src.shape() == self.shape() {
            return self.copy_(src);
        }
        if src.ndim() == 0 {
            return self.fill_tensor_(src);
        }
        let target: Vec<i64> = self.shape().iter().map(|&d| d as i64).collect();
        self.copy_(&src.without_leading_ones()?.expand(&target)?)
    }

    /// A view without the leading size-1 dims (PyTorch's `slicePrefix1sSize`), so that a value
    /// of shape `[1, 1, 3]` can be assigned where `[3]` is expected.
    fn without_leading_ones(&self) -> Result<Tensor> {
        let lead = self.shape().iter().take_while(|&&d| d == 1).count();
        if lead == 0 {
            return Ok(self.clone());
        }
        let dims: Vec<i64> = (0..lead as i64).collect();
        self.squeeze(Some(&dims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DType, Scalar};

    fn zeros() -> Result<Tensor> {
        Tensor::zeros(&[3, 4], DType::F32)
    }

    #[test]
    fn basic_keys_copy_into_the_view() -> Result<()> {
        let x = zeros()?;
        let row = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[1, 1, 4])?;
        x.index_set_single_(&IndexItem::Int(1), &row)?;
        assert_eq!(&x.to_vec::<f32>()?[4..8], &[1.0, 2.0, 3.0, 4.0]);
        x.index_set_single_(&IndexItem::Bool(false), &row)?;
        assert_eq!(x.version(), 1);
        Ok(())
    }

    #[test]
    fn advanced_keys_put() -> Result<()> {
        let x = zeros()?;
        let idx = Tensor::from_vec(vec![0i64, 2], &[2])?;
        let v = Tensor::scalar(Scalar::Float(7.0), DType::F32);
        x.index_set_(&[IndexItem::Ellipsis, IndexItem::Tensor(idx)], &v)?;
        assert_eq!(
            x.to_vec::<f32>()?,
            vec![7.0, 0.0, 7.0, 0.0, 7.0, 0.0, 7.0, 0.0, 7.0, 0.0, 7.0, 0.0]
        );
        let mask = Tensor::from_vec(vec![true, false, true], &[3])?;
        let rows = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], &[2, 4])?;
        x.index_set_(&[IndexItem::Tensor(mask)], &rows)?;
        assert_eq!(&x.to_vec::<f32>()?[8..], &[5.0, 6.0, 7.0, 8.0]);
        let long = Tensor::from_vec(vec![1i64, 2, 3, 4], &[4])?;
        let idx = Tensor::from_vec(vec![0i64], &[1])?;
        let e = x
            .index_set_(&[IndexItem::Tensor(idx)], &long)
            .err()
            .map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("Index put requires the source and destination dtypes match, got Float for the destination and Long for the source."));
        Ok(())
    }
}
