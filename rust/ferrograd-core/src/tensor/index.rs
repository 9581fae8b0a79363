//! Indexing keys (`t[1, ::2, None, ..., mask, [0, 2]]`): the basic items become a view, and the
//! index tensors they leave behind are applied by advanced indexing (`index_advanced.rs`).
//!
//! This follows PyTorch's `applySlicing`: items are applied left to right; an integer selects
//! (removes a dim), a slice narrows, `None` inserts a dim, `...` skips the unnamed dims, and an
//! index tensor is recorded against the dim it stands at, to be gathered afterwards.

use super::Tensor;
use crate::dtype::DType;
use crate::error::{Error, Result};

/// One element of an indexing key, already converted from Python.
#[derive(Clone, Debug)]
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
    /// A Python bool: a new size-1 dim that is kept (`True`) or emptied (`False`).
    Bool(bool),
    /// An index tensor: integer indices, or a boolean (or uint8) mask.
    Tensor(Tensor),
}

/// A key after slicing: the view, and the index tensors in the form `index_put_` takes them:
/// one entry per dim of the view, except that a mask's one entry covers all of its dims.
pub(crate) struct Sliced {
    pub view: Tensor,
    pub indices: Vec<Option<Tensor>>,
    /// How many more view dims than entries the masks recorded so far cover.
    mask_extra: usize,
}

impl Sliced {
    fn record(&mut self, dim: usize, index: Tensor) {
        let at = dim - self.mask_extra;
        if self.indices.len() <= at {
            self.indices.resize(at + 1, None);
        }
        if is_mask_dtype(index.dtype()) {
            self.mask_extra += index.ndim().saturating_sub(1);
        }
        self.indices[at] = Some(index);
    }
}

fn is_mask_dtype(d: DType) -> bool {
    matches!(d, DType::Bool | DType::U8)
}

/// How many dims of the tensor an item uses up (a mask uses one per dim of its own).
fn specified_dims(item: &IndexItem) -> usize {
    match item {
        IndexItem::Int(_) | IndexItem::Slice { .. } => 1,
        IndexItem::Tensor(t) if is_mask_dtype(t.dtype()) => t.ndim(),
        IndexItem::Tensor(_) => 1,
        IndexItem::NewAxis | IndexItem::Ellipsis | IndexItem::Bool(_) => 0,
    }
}

/// The index tensor a Python bool stands for: `[0]` for `True`, empty for `False`.
fn bool_index(keep: bool) -> Result<Tensor> {
    Tensor::from_vec(if keep { vec![0i64] } else { vec![] }, &[keep as usize])
}

impl Tensor {
    /// Indexes with a tuple key (`t[a, b, ...]`): a view when every item is basic, else a copy
    /// gathered by advanced indexing.
    pub fn index(&self, key: &[IndexItem]) -> Result<Tensor> {
        let sliced = self.apply_slicing(key)?;
        if sliced.indices.is_empty() {
            return Ok(sliced.view);
        }
        sliced.view.index_with(&sliced.indices)
    }

    /// Indexes with a single key that is not a tuple (`t[i]`, `t[1:]`, `t[None]`, `t[True]`):
    /// PyTorch treats these directly, which shows in the messages for 0-dim tensors.
    pub fn index_single(&self, item: &IndexItem) -> Result<Tensor> {
        match item {
            IndexItem::Int(i) => self.select_checked(0, *i, 0),
            IndexItem::Slice { start, end, step } if self.ndim() == 0 => {
                let _ = (start, end, step);
                Err(Error::index("slice() cannot be applied to a 0-dim tensor."))
            }
            IndexItem::Bool(keep) => self.unsqueeze(0)?.index_with(&[Some(bool_index(*keep)?)]),
            _ => self.index(std::slice::from_ref(item)),
        }
    }

    /// Applies the basic items of a key, returning the view and the recorded index tensors.
    pub(crate) fn apply_slicing(&self, key: &[IndexItem]) -> Result<Sliced> {
        // Like PyTorch (unlike numpy), several `...` are allowed: each skips the unnamed dims.
        let specified: usize = key.iter().map(specified_dims).sum();
        if specified > self.ndim() {
            return Err(Error::index(format!(
                "too many indices for tensor of dimension {}",
                self.ndim()
            )));
        }
        let mut out = Sliced {
            view: self.clone(),
            indices: Vec::new(),
            mask_extra: 0,
        };
        let mut dim = 0usize; // the dim of the view the next item applies to
        for (position, item) in key.iter().enumerate() {
            match item {
                IndexItem::Int(i) => out.view = out.view.select_checked(dim, *i, position)?,
                IndexItem::Slice { start, end, step } => {
                    out.view = out.view.slice(dim as i64, *start, *end, *step)?;
                    dim += 1;
                }
                IndexItem::NewAxis => {
                    out.view = out.view.unsqueeze(dim as i64)?;
                    dim += 1;
                }
                IndexItem::Ellipsis => dim += self.ndim() - specified,
                IndexItem::Bool(keep) => {
                    out.view = out.view.unsqueeze(dim as i64)?;
                    out.record(dim, bool_index(*keep)?);
                    dim += 1;
                }
                IndexItem::Tensor(t) => dim = out.apply_tensor(t, dim, position)?,
            }
        }
        Ok(out)
    }

    /// `select` with the message of PyTorch's indexing (which names the key position).
    fn select_checked(&self, dim: usize, index: i64, position: usize) -> Result<Tensor> {
        if dim >= self.ndim() && self.ndim() > 0 {
            // Only reachable after several `...`; PyTorch reads past its sizes here.
            return Err(Error::IndexOutOfBounds {
                index,
                dim: position,
                size: 0,
            });
        }
        if self.ndim() == 0 {
            if index == 0 {
                return Err(Error::index(
                    "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number",
                ));
            }
            return Err(Error::IndexOutOfBounds {
                index,
                dim: position,
                size: 0,
            });
        }
        let size = self.shape()[dim] as i64;
        if index < -size || index >= size {
            return Err(Error::IndexOutOfBounds {
                index,
                dim: position,
                size: size as usize,
            });
        }
        self.select(dim as i64, index)
    }
}

impl Sliced {
    /// Applies an index tensor at `dim`; returns the dim the next item applies to.
    fn apply_tensor(&mut self, t: &Tensor, dim: usize, position: usize) -> Result<usize> {
        let dtype = t.dtype();
        if t.ndim() == 0 && (dtype.is_integer() || dtype == DType::Bool) {
            // A 0-dim integer tensor is an integer; a 0-dim mask is a Python bool.
            let value = t.item()?;
            if is_mask_dtype(dtype) {
                self.view = self.view.unsqueeze(dim as i64)?;
                self.record(dim, bool_index(value.to_f64() != 0.0)?);
                return Ok(dim + 1);
            }
            self.view = self
                .view
                .select_checked(dim, value.cast::<i64>(), position)?;
            return Ok(dim);
        }
        self.record(dim, t.clone());
        Ok(dim + if is_mask_dtype(dtype) { t.ndim() } else { 1 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scalar;

    fn grid() -> Result<Tensor> {
        Tensor::arange(Scalar::Int(0), Scalar::Int(24), Scalar::Int(1), DType::I64)?
            .view(&[2, 3, 4])
    }

    fn all(step: i64) -> IndexItem {
        IndexItem::Slice {
            start: None,
            end: None,
            step,
        }
    }

    #[test]
    fn ints_slices_none_ellipsis() -> Result<()> {
        let t = grid()?;
        let v = t.index(&[IndexItem::Int(1), all(2)])?;
        assert_eq!(v.shape(), &[2, 4]);
        assert!(v.storage().same(t.storage()));
        assert_eq!(v.to_vec::<i64>()?, vec![12, 13, 14, 15, 20, 21, 22, 23]);
        let v = t.index(&[IndexItem::Ellipsis, IndexItem::Int(-1), IndexItem::NewAxis])?;
        assert_eq!(v.shape(), &[2, 3, 1]);
        assert_eq!(v.to_vec::<i64>()?, vec![3, 7, 11, 15, 19, 23]);
        Ok(())
    }

    #[test]
    fn errors_match_pytorch() -> Result<()> {
        let t = grid()?;
        let msg = |r: Result<Tensor>| r.err().map(|e| e.to_string());
        assert_eq!(
            msg(t.index(&[IndexItem::Int(0), IndexItem::Int(3)])).as_deref(),
            Some("index 3 is out of bounds for dimension 1 with size 3")
        );
        // The dim in the message is the item's position in the key.
        assert_eq!(
            msg(t.index(&[IndexItem::NewAxis, all(1), IndexItem::Int(5)])).as_deref(),
            Some("index 5 is out of bounds for dimension 2 with size 3")
        );
        assert_eq!(
            msg(t.index(&[
                IndexItem::Int(0),
                IndexItem::Int(0),
                IndexItem::Int(0),
                IndexItem::Int(0)
            ]))
            .as_deref(),
            Some("too many indices for tensor of dimension 3")
        );
        let s = Tensor::scalar(Scalar::Int(5), DType::I64);
        assert!(msg(s.index_single(&IndexItem::Int(0)))
            .is_some_and(|m| m.starts_with("invalid index of a 0-dim tensor")));
        assert_eq!(
            msg(s.index_single(&IndexItem::Int(1))).as_deref(),
            Some("index 1 is out of bounds for dimension 0 with size 0")
        );
        Ok(())
    }

    #[test]
    fn zero_dim_integer_tensors_select() -> Result<()> {
        let t = grid()?;
        let i = Tensor::scalar(Scalar::Int(1), DType::I32);
        let v = t.index(&[IndexItem::Tensor(i)])?;
        assert_eq!(v.shape(), &[3, 4]);
        assert!(v.storage().same(t.storage()));
        Ok(())
    }
}
