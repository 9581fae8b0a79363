//! Basic indexing (`t[1, ::2, None, ...]`): integers, slices, `None` and `...`, all as views.

use super::Tensor;
use crate::error::{Error, Result};

/// One element of an indexing key, already converted from Python.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexItem {
    /// An integer: selects and removes the dim.
    Int(i64),
    /// `start:end:step`.
    Slice {
        start: Option<i64>,
        end: Option<i64>,
        step: i64,
    },
    /// `None`: inserts a size-1 dim.
    NewAxis,
    /// `...`: as many full slices as needed.
    Ellipsis,
}

impl Tensor {
    /// Applies a key of basic indices, returning a view.
    pub fn index_basic(&self, key: &[IndexItem]) -> Result<Tensor> {
        let consumes = |it: &IndexItem| matches!(it, IndexItem::Int(_) | IndexItem::Slice { .. });
        let used = key.iter().filter(|it| consumes(it)).count();
        if key.iter().filter(|it| **it == IndexItem::Ellipsis).count() > 1 {
            return Err(Error::index(
                "an index can only have a single ellipsis ('...')",
            ));
        }
        if used > self.ndim() {
            if self.ndim() == 0 {
                return Err(Error::index(
                    "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number",
                ));
            }
            return Err(Error::index(format!(
                "too many indices for tensor of dimension {}",
                self.ndim()
            )));
        }
        let mut out = self.clone();
        let mut dim = 0i64; // the dim of `out` the next item applies to
        for item in key {
            match *item {
                IndexItem::Int(i) => {
                    let size = out.shape()[dim as usize] as i64;
                    if i < -size || i >= size {
                        return Err(Error::IndexOutOfBounds {
                            index: i,
                            dim: self.source_dim(key, item),
                            size: size as usize,
                        });
                    }
                    out = out.select(dim, i)?;
                }
                IndexItem::Slice { start, end, step } => {
                    out = out.slice(dim, start, end, step)?;
                    dim += 1;
                }
                IndexItem::NewAxis => {
                    out = out.unsqueeze(dim)?;
                    dim += 1;
                }
                IndexItem::Ellipsis => dim += (self.ndim() - used) as i64,
            }
        }
        Ok(out)
    }

    /// The dim of the original tensor an integer index refers to (for the error message).
    fn source_dim(&self, key: &[IndexItem], target: &IndexItem) -> usize {
        let used = key
            .iter()
            .filter(|it| matches!(it, IndexItem::Int(_) | IndexItem::Slice { .. }))
            .count();
        let mut dim = 0;
        for item in key {
            if std::ptr::eq(item, target) {
                break;
            }
            match item {
                IndexItem::Int(_) | IndexItem::Slice { .. } => dim += 1,
                IndexItem::Ellipsis => dim += self.ndim() - used,
                IndexItem::NewAxis => {}
            }
        }
        dim
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DType, Scalar};

    fn grid() -> Result<Tensor> {
        Tensor::arange(Scalar::Int(0), Scalar::Int(24), Scalar::Int(1), DType::I64)?
            .view(&[2, 3, 4])
    }

    #[test]
    fn ints_slices_none_ellipsis() -> Result<()> {
        let t = grid()?;
        let v = t.index_basic(&[
            IndexItem::Int(1),
            IndexItem::Slice {
                start: None,
                end: None,
                step: 2,
            },
        ])?;
        assert_eq!(v.shape(), &[2, 4]);
        assert_eq!(v.to_vec::<i64>()?, vec![12, 13, 14, 15, 20, 21, 22, 23]);
        let v = t.index_basic(&[IndexItem::Ellipsis, IndexItem::Int(-1), IndexItem::NewAxis])?;
        assert_eq!(v.shape(), &[2, 3, 1]);
        assert_eq!(v.to_vec::<i64>()?, vec![3, 7, 11, 15, 19, 23]);
        Ok(())
    }

    #[test]
    fn errors_match_pytorch() -> Result<()> {
        let t = grid()?;
        let e = t
            .index_basic(&[IndexItem::Int(0), IndexItem::Int(3)])
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("index 3 is out of bounds for dimension 1 with size 3")
        );
        let e = t
            .index_basic(&[IndexItem::Int(0); 4])
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("too many indices for tensor of dimension 3")
        );
        Ok(())
    }
}
