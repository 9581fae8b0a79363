//! Advanced indexing: gathering (`t[idx]`) and writing (`t[idx] = v`, `index_put_`) through
//! integer index tensors and boolean masks, with numpy's rules for where the indexed dims go.
//!
//! As in PyTorch's `make_info`: masks become the integer indices of their `True` elements, all
//! index tensors broadcast to one shape, and when the indexed dims are not adjacent they move to
//! the front. The result then has the dims before the indexed ones, the broadcast index shape,
//! and the dims after. Each position of the index shape becomes one storage offset (the sum of
//! index × stride over the indexed dims), computed once and shared by every outer position.

use super::index_util::{
    assert_no_overlap, gather_tensor, index_values, scatter_tensor, unaliased, wrap_index,
};
use super::Tensor;
use crate::autograd::formulas::index::{index_back, index_put_back};
use crate::autograd::{needs_grad, tracked, tracked_in_place};
use crate::cpu::gather::{Combine, OffsetWalk};
use crate::dtype::DType;
use crate::error::{shape_str, Error, Result};
use crate::shape::{broadcast_shapes, contiguous_strides, numel};

/// Index tensors resolved against the tensor they index.
pub(crate) struct AdvancedIndex {
    /// The indexed tensor; a permutation of the original when the indexed dims were apart.
    pub src: Tensor,
    /// How many dims of `src` come before the indexed ones.
    pub before: usize,
    /// How many dims of `src` are indexed.
    pub indexed: usize,
    /// The shape the index tensors broadcast to.
    pub index_shape: Vec<usize>,
    /// For each position of `index_shape` (row-major), the storage offset it selects.
    pub offsets: Vec<usize>,
}

fn check_index_types(indices: &[Option<Tensor>]) -> Result<()> {
    let ok = |d: DType| matches!(d, DType::I64 | DType::I32 | DType::U8 | DType::Bool);
    if indices.iter().flatten().any(|t| !ok(t.dtype())) {
        return Err(Error::index(
            "tensors used as indices must be long, int, byte or bool tensors",
        ));
    }
    Ok(())
}

/// Replaces each mask by the indices of its `True` elements, one index tensor per mask dim.
fn expand_masks(src: &Tensor, indices: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
    let mut out: Vec<Option<Tensor>> = Vec::with_capacity(indices.len());
    for index in indices {
        match index {
            Some(mask) if matches!(mask.dtype(), DType::Bool | DType::U8) => {
                for j in 0..mask.ndim() {
                    let at = out.len() + j;
                    if src.shape().get(at) != Some(&mask.shape()[j]) {
                        return Err(Error::index(format!(
                            "The shape of the mask {} at index {j} does not match the shape of the indexed tensor {} at index {at}",
                            shape_str(mask.shape()),
                            shape_str(src.shape())
                        )));
                    }
                }
                let columns = mask.nonzero_columns()?;
                let n = columns.first().map_or(0, Vec::len);
                for column in columns {
                    out.push(Some(Tensor::from_vec(column, &[n])?));
                }
            }
            other => out.push(other.clone()),
        }
    }
    Ok(out)
}

fn broadcast_all(indices: &[&Tensor]) -> Result<Vec<usize>> {
    let mut shape: Vec<usize> = Vec::new();
    for t in indices {
        shape = broadcast_shapes(&shape, t.shape()).map_err(|_| {
            let shapes: Vec<String> = indices.iter().map(|t| shape_str(t.shape())).collect();
            Error::index(format!(
                "shape mismatch: indexing tensors could not be broadcast together with shapes {}",
                shapes.join(", ")
            ))
        })?;
    }
    Ok(shape)
}

/// Whether the given index tensors stand at adjacent dims.
fn adjacent(indices: &[Option<Tensor>]) -> bool {
    let first = indices.iter().position(Option::is_some);
    let last = indices.iter().rposition(Option::is_some);
    match (first, last) {
        (Some(a), Some(b)) => indices[a..=b].iter().all(Option::is_some),
        _ => true,
    }
}

impl AdvancedIndex {
    pub fn new(src: &Tensor, indices: &[Option<Tensor>]) -> Result<AdvancedIndex> {
        check_index_types(indices)?;
        let mut indices = expand_masks(src, indices)?;
        let defined: Vec<&Tensor> = indices.iter().flatten().collect();
        let index_shape = broadcast_all(&defined)?;
        indices.resize(src.ndim(), None);
        let mut src = src.clone();
        if !adjacent(&indices) {
            // Indexed dims first, in order, then the others.
            let order: Vec<usize> = (0..indices.len())
                .filter(|&d| indices[d].is_some())
                .chain((0..indices.len()).filter(|&d| indices[d].is_none()))
                .collect();
            let perm: Vec<i64> = order.iter().map(|&d| d as i64).collect();
            src = src.permute(&perm)?;
            indices = order.iter().map(|&d| indices[d].clone()).collect();
        }
        let before = indices.iter().position(Option::is_some).unwrap_or(0);
        let chosen: Vec<(usize, &Tensor)> = indices
            .iter()
            .enumerate()
            .filter_map(|(d, t)| t.as_ref().map(|t| (d, t)))
            .collect();
        let sizes: Vec<usize> = chosen.iter().map(|&(d, _)| src.shape()[d]).collect();
        if sizes.contains(&0) && !index_shape.contains(&0) {
            return Err(Error::index(
                "index is out of bounds for dimension with size 0",
            ));
        }
        let strides: Vec<usize> = chosen.iter().map(|&(d, _)| src.strides()[d]).collect();
        let target: Vec<i64> = index_shape.iter().map(|&d| d as i64).collect();
        let values = chosen
            .iter()
            .map(|(_, t)| index_values(&t.expand(&target)?))
            .collect::<Result<Vec<_>>>()?;
        let mut info = AdvancedIndex {
            src,
            before,
            indexed: chosen.len(),
            index_shape,
            offsets: Vec::new(),
        };
        // PyTorch checks indices as its kernel visits them, so not at all for an empty result.
        let n = numel(&info.index_shape);
        info.offsets = if numel(&info.result_shape()) == 0 {
            vec![0; n]
        } else {
            combined_offsets(&values, &sizes, &strides, n)?
        };
        Ok(info)
    }

    /// The dims before the indexed ones, the index shape, the dims after.
    pub fn result_shape(&self) -> Vec<usize> {
        let shape = self.src.shape();
        let mut out = shape[..self.before].to_vec();
        out.extend(&self.index_shape);
        out.extend(&shape[self.before + self.indexed..]);
        out
    }

    /// Strides that walk `src` over the result shape, standing still over the index dims.
    pub fn src_strides(&self) -> Vec<usize> {
        let strides = self.src.strides();
        let mut out = strides[..self.before].to_vec();
        out.extend(std::iter::repeat_n(0, self.index_shape.len()));
        out.extend(&strides[self.before + self.indexed..]);
        out
    }

    /// The walk over the result shape, given the strides from the two methods above.
    pub fn walk<'a>(
        &'a self,
        shape: &'a [usize],
        strides: &'a [usize],
        offset_strides: &'a [usize],
    ) -> OffsetWalk<'a> {
        OffsetWalk {
            shape,
            strides,
            base: self.src.storage_offset(),
            offset_strides,
            offsets: &self.offsets,
        }
    }

    /// Strides that walk `offsets` over the result shape, moving over the index dims only.
    pub fn offset_strides(&self) -> Vec<usize> {
        let after = self.src.ndim() - self.before - self.indexed;
        let mut out = vec![0; self.before];
        out.extend(contiguous_strides(&self.index_shape));
        out.extend(std::iter::repeat_n(0, after));
        out
    }
}

/// One storage offset per index position, checking every index (in position order, as
/// PyTorch's kernel does, so the first bad index is the one reported).
fn combined_offsets(
    values: &[Vec<i64>],
    sizes: &[usize],
    strides: &[usize],
    n: usize,
) -> Result<Vec<usize>> {
    let mut offsets = vec![0usize; n];
    for (p, offset) in offsets.iter_mut().enumerate() {
        for (k, v) in values.iter().enumerate() {
            let i = wrap_index(v[p], sizes[k]).ok_or(Error::IndexOutOfBounds {
                index: v[p],
                dim: k,
                size: sizes[k],
            })?;
            *offset += i * strides[k];
        }
    }
    Ok(offsets)
}

impl Tensor {
    /// Gathers `self` at index tensors given per dim (PyTorch's `at::index`): always a copy.
    pub fn index_with(&self, indices: &[Option<Tensor>]) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                let info = AdvancedIndex::new(self, indices)?;
                let shape = info.result_shape();
                let (strides, offset_strides) = (info.src_strides(), info.offset_strides());
                gather_tensor(&info.src, &info.walk(&shape, &strides, &offset_strides))
            },
            |_| Ok(index_back(self, indices)),
        )
    }

    /// `index_put_(indices, values, accumulate)`: writes (or adds) `values`, broadcast to the
    /// indexing result's shape, at the indexed positions.
    pub fn index_put_(
        &self,
        indices: &[Option<Tensor>],
        values: &Tensor,
        accumulate: bool,
    ) -> Result<()> {
        if needs_grad(&[self, values]) {
            let put = |old: &Tensor| old.index_put(indices, values, accumulate);
            return tracked_in_place(self, put).map(drop);
        }
        if indices.len() > self.ndim() {
            return Err(Error::index(format!(
                "too many indices for tensor of dimension {} (got {})",
                self.ndim(),
                indices.len()
            )));
        }
        if !accumulate {
            if let Some(mask) = self.masked_fill_dispatch(indices, values)? {
                return self.masked_fill_(&mask, values.item()?);
            }
        }
        assert_no_overlap(self, values)?;
        for index in indices.iter().flatten() {
            assert_no_overlap(self, index)?;
        }
        let info = AdvancedIndex::new(self, indices)?;
        let shape = info.result_shape();
        if broadcast_shapes(values.shape(), &shape).ok().as_deref() != Some(&shape[..]) {
            return Err(Error::runtime(format!(
                "shape mismatch: value tensor of shape {} cannot be broadcast to indexing result of shape {}",
                shape_str(values.shape()),
                shape_str(&shape)
            )));
        }
        if values.dtype() != self.dtype() {
            return Err(Error::runtime(format!(
                "Index put requires the source and destination dtypes match, got {} for the destination and {} for the source.",
                self.dtype().scalar_type_name(),
                values.dtype().scalar_type_name()
            )));
        }
        let target: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
        let values = unaliased(values, self)?.expand(&target)?;
        write_indexed(&info, &shape, &values, accumulate)?;
        self.bump_version();
        Ok(())
    }

    /// `index_put(indices, values, accumulate)`: the out-of-place form.
    pub fn index_put(
        &self,
        indices: &[Option<Tensor>],
        values: &Tensor,
        accumulate: bool,
    ) -> Result<Tensor> {
        tracked(
            &[self, values],
            || {
                let out = self.deep_clone()?;
                out.index_put_(indices, values, accumulate)?;
                Ok(out)
            },
            |_| Ok(index_put_back(self, indices, values, accumulate)),
        )
    }

    /// PyTorch sends `t[mask] = scalar` to `masked_fill_`: one mask, a one-element value.
    /// Returns the mask, shaped to broadcast against `self`, when that applies.
    fn masked_fill_dispatch(
        &self,
        indices: &[Option<Tensor>],
        values: &Tensor,
    ) -> Result<Option<Tensor>> {
        if values.numel() != 1 {
            return Ok(None);
        }
        let mut mask: Option<Tensor> = None;
        let mut dims = 0usize;
        for index in indices {
            match index {
                None => dims += 1,
                Some(t) if matches!(t.dtype(), DType::Bool | DType::U8) && mask.is_none() => {
                    for j in 0..t.ndim() {
                        let at = dims + j;
                        if self.shape().get(at) != Some(&t.shape()[j]) {
                            return Err(Error::index(format!(
                                "The shape of the mask {} at index {j} does not match the shape of the indexed tensor {} at index {at}",
                                shape_str(t.shape()),
                                shape_str(self.shape())
                            )));
                        }
                    }
                    dims += t.ndim();
                    mask = Some(t.clone());
                }
                Some(_) => return Ok(None),
            }
        }
        let Some(mut mask) = mask else {
            return Ok(None);
        };
        for _ in dims..self.ndim() {
            mask = mask.unsqueeze(-1)?;
        }
        Ok(Some(mask))
    }
}

/// The kernel of `index_put_`: `values` already has the result's shape.
fn write_indexed(
    info: &AdvancedIndex,
    shape: &[usize],
    values: &Tensor,
    accumulate: bool,
) -> Result<()> {
    let (strides, offset_strides) = (info.src_strides(), info.offset_strides());
    let combine = if accumulate {
        Combine::Add
    } else {
        Combine::Assign
    };
    let w = info.walk(shape, &strides, &offset_strides);
    scatter_tensor(&info.src, &w, values, values.strides(), combine)
}
