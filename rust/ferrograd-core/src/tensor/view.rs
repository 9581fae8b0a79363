//! View ops: each computes a new layout over the same storage; none copies (except `reshape`
//! when a view is impossible, as in PyTorch).

use std::sync::Arc;

use super::Tensor;
use crate::autograd::formulas::{shape, view};
use crate::autograd::tracked;
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::shape::{infer_size, normalize_dim, normalize_insert_dim};

impl Tensor {
    fn dim_index(&self, dim: i64) -> Result<usize> {
        normalize_dim(dim, self.ndim())
    }

    pub fn view(&self, shape: &[i64]) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                let shape = infer_size(shape, self.numel())?;
                Ok(self.with_layout(self.layout().view(&shape)?))
            },
            |_| Ok(view::reshape_back("ViewBackward0", self)),
        )
    }

    /// A view when the strides allow one, else a contiguous copy.
    pub fn reshape(&self, shape: &[i64]) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                let shape = infer_size(shape, self.numel())?;
                match self.layout().view(&shape) {
                    Ok(layout) => Ok(self.with_layout(layout)),
                    Err(_) => Ok(self.contiguous()?.with_layout(Layout::contiguous(&shape))),
                }
            },
            |y| {
                Ok(view::reshape_back(
                    if y.storage().same(self.storage()) {
                        "ViewBackward0"
                    } else {
                        "UnsafeViewBackward0"
                    },
                    self,
                ))
            },
        )
    }

    pub fn transpose(&self, d0: i64, d1: i64) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                if self.ndim() == 0 {
                    // A 0-dim tensor accepts dims 0 and -1 and is its own transpose.
                    self.dim_index(d0)?;
                    self.dim_index(d1)?;
                    return Ok(self.with_layout(self.layout().clone()));
                }
                let (a, b) = (self.dim_index(d0)?, self.dim_index(d1)?);
                Ok(self.with_layout(self.layout().transpose(a, b)))
            },
            |_| {
                Ok(if self.ndim() == 0 {
                    view::reshape_back("TransposeBackward0", self)
                } else {
                    let mut perm: Vec<usize> = (0..self.ndim()).collect();
                    perm.swap(self.dim_index(d0)?, self.dim_index(d1)?);
                    view::permute_back("TransposeBackward0", &perm)
                })
            },
        )
    }

    pub fn t(&self) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                if self.ndim() > 2 {
                    return Err(Error::runtime(format!(
                        "t() expects a tensor with <= 2 dimensions, but self is {}D",
                        self.ndim()
                    )));
                }
                if self.ndim() < 2 {
                    return Ok(self.with_layout(self.layout().clone()));
                }
                self.transpose(0, 1)
            },
            |_| {
                Ok(if self.ndim() < 2 {
                    view::reshape_back("TBackward0", self)
                } else {
                    view::permute_back("TBackward0", &[1, 0])
                })
            },
        )
    }

    /// `mT`: swaps the last two dims.
    pub fn matrix_transpose(&self) -> Result<Tensor> {
        if self.ndim() < 2 {
            return Err(Error::runtime(format!(
                "tensor.mT is only supported on matrices or batches of matrices. Got {}-D tensor.",
                self.ndim()
            )));
        }
        self.transpose(-2, -1)
    }

    /// `T`: reverses all dims.
    pub fn reverse_dims(&self) -> Result<Tensor> {
        let dims: Vec<i64> = (0..self.ndim() as i64).rev().collect();
        self.permute(&dims)
    }

    pub fn permute(&self, dims: &[i64]) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                if dims.len() != self.ndim() {
                    return Err(Error::runtime(format!(
                "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {} is not equal to len(dims) = {}",
                self.ndim(),
                dims.len()
            )));
                }
                let dims = dims
                    .iter()
                    .map(|&d| self.dim_index(d))
                    .collect::<Result<Vec<_>>>()?;
                let mut seen = vec![false; dims.len()];
                for &d in &dims {
                    if std::mem::replace(&mut seen[d], true) {
                        return Err(Error::runtime("permute(): duplicate dims are not allowed."));
                    }
                }
                Ok(self.with_layout(self.layout().permute(&dims)))
            },
            |_| {
                Ok(view::permute_back(
                    "PermuteBackward0",
                    &dims
                        .iter()
                        .map(|&d| self.dim_index(d))
                        .collect::<Result<Vec<_>>>()?,
                ))
            },
        )
    }

    /// `movedim(source, destination)`: the listed dims go to the listed places, the others keep
    /// their relative order.
    pub fn movedim(&self, source: &[i64], destination: &[i64]) -> Result<Tensor> {
        if source.len() != destination.len() {
            return Err(Error::runtime(format!(
                "movedim: Invalid source or destination dims: source ({:?} dims) should contain the same number of dims as destination ({:?} dims)",
                source, destination
            )));
        }
        let n = self.ndim();
        let src = source
            .iter()
            .map(|&d| self.dim_index(d))
            .collect::<Result<Vec<_>>>()?;
        let dst = destination
            .iter()
            .map(|&d| self.dim_index(d))
            .collect::<Result<Vec<_>>>()?;
        let unique = |v: &[usize]| v.iter().enumerate().all(|(i, d)| !v[..i].contains(d));
        if !unique(&src) {
            return Err(Error::runtime(format!(
                "movedim: repeated dim in `source` ({source:?})"
            )));
        }
        if !unique(&dst) {
            return Err(Error::runtime(format!(
                "movedim: repeated dim in `destination` ({destination:?})"
            )));
        }
        let mut order: Vec<Option<usize>> = vec![None; n];
        for (&s, &d) in src.iter().zip(&dst) {
            order[d] = Some(s);
        }
        let mut rest = (0..n).filter(|d| !src.contains(d));
        let perm: Vec<i64> = order
            .into_iter()
            .map(|o| o.or_else(|| rest.next()).unwrap_or(0) as i64)
            .collect();
        self.permute(&perm)
    }

    pub fn expand(&self, shape: &[i64]) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                let layout = self.layout().expand(shape).map_err(|e| match e {
                    Error::Other { msg, kind } => Error::Other {
                        kind,
                        msg: msg.replacen(
                            "expand:",
                            &format!(
                                "expand(ferrograd.{}{{{:?}}}, size={:?}):",
                                self.dtype().legacy_type_name(),
                                self.shape(),
                                shape
                            ),
                            1,
                        ),
                    },
                    other => other,
                })?;
                Ok(self.with_layout(layout))
            },
            |_| Ok(view::expand_back(self)),
        )
    }

    pub fn narrow(&self, dim: i64, start: i64, length: i64) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                if self.ndim() == 0 {
                    return Err(Error::runtime(
                        "narrow() cannot be applied to a 0-dim tensor.",
                    ));
                }
                let d = self.dim_index(dim)?;
                let size = self.shape()[d] as i64;
                if length < 0 {
                    return Err(Error::runtime("narrow(): length must be non-negative."));
                }
                if start < -size || start > size {
                    return Err(Error::index(format!(
                        "start out of range (expected to be in range of [{}, {}], but got {})",
                        -size, size, start
                    )));
                }
                let start = if start < 0 { start + size } else { start };
                Ok(self.with_layout(self.layout().narrow(d, start as usize, length as usize)?))
            },
            |_| {
                Ok(view::embed_back(
                    "SliceBackward0",
                    self,
                    Arc::new(move |t: &Tensor| t.narrow(dim, start, length)),
                ))
            },
        )
    }

    pub fn select(&self, dim: i64, index: i64) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                if self.ndim() == 0 {
                    return Err(Error::index(
                        "select() cannot be applied to a 0-dim tensor.",
                    ));
                }
                let d = self.dim_index(dim)?;
                let size = self.shape()[d] as i64;
                if index < -size || index >= size {
                    return Err(Error::index(format!(
                "select(): index {index} out of range for tensor of size {:?} at dimension {d}",
                self.shape()
            )));
                }
                let i = if index < 0 { index + size } else { index };
                Ok(self.with_layout(self.layout().select(d, i as usize)))
            },
            |_| {
                Ok(view::embed_back(
                    "SelectBackward0",
                    self,
                    Arc::new(move |t: &Tensor| t.select(dim, index)),
                ))
            },
        )
    }

    /// `start:end:step` along `dim` (Python slice semantics; step must be positive).
    pub fn slice(
        &self,
        dim: i64,
        start: Option<i64>,
        end: Option<i64>,
        step: i64,
    ) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                if step <= 0 {
                    return Err(Error::value("step must be greater than zero"));
                }
                let d = self.dim_index(dim)?;
                Ok(self.with_layout(self.layout().slice(d, start, end, step as usize)))
            },
            |_| {
                Ok(view::embed_back(
                    "SliceBackward0",
                    self,
                    Arc::new(move |t: &Tensor| t.slice(dim, start, end, step)),
                ))
            },
        )
    }

    pub fn unsqueeze(&self, dim: i64) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                let d = normalize_insert_dim(dim, self.ndim())?;
                Ok(self.with_layout(self.layout().unsqueeze(d)))
            },
            |_| Ok(view::reshape_back("UnsqueezeBackward0", self)),
        )
    }

    /// `squeeze()` with no dims removes every size-1 dim; with dims, only those listed.
    pub fn squeeze(&self, dims: Option<&[i64]>) -> Result<Tensor> {
        let name = match dims {
            None => "SqueezeBackward0",
            Some([_]) => "SqueezeBackward1",
            Some(_) => "SqueezeBackward2",
        };
        self.squeeze_named(dims, name)
    }

    /// `squeeze(dims)` with the dims given as a tuple, even a tuple of one: PyTorch's overload
    /// for a list, whose node is `SqueezeBackward2`.
    pub fn squeeze_dims(&self, dims: &[i64]) -> Result<Tensor> {
        self.squeeze_named(Some(dims), "SqueezeBackward2")
    }

    fn squeeze_named(&self, dims: Option<&[i64]>, name: &'static str) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                let dims: Vec<usize> = match dims {
                    None => (0..self.ndim()).collect(),
                    Some(ds) if self.ndim() == 0 => {
                        ds.iter().try_for_each(|&d| self.dim_index(d).map(|_| ()))?;
                        vec![]
                    }
                    Some(ds) => ds
                        .iter()
                        .map(|&d| self.dim_index(d))
                        .collect::<Result<_>>()?,
                };
                let repeated = (0..dims.len()).find(|&i| dims[..i].contains(&dims[i]));
                if let Some(d) = repeated.map(|i| dims[i]) {
                    return Err(Error::runtime(format!(
                        "dim {d} appears multiple times in the list of dims"
                    )));
                }
                Ok(self.with_layout(self.layout().squeeze(&dims)))
            },
            |_| Ok(view::reshape_back(name, self)),
        )
    }

    pub fn flatten(&self, start_dim: i64, end_dim: i64) -> Result<Tensor> {
        if self.ndim() == 0 {
            self.dim_index(start_dim)?;
            self.dim_index(end_dim)?;
            return self.reshape(&[1]);
        }
        let (s, e) = (self.dim_index(start_dim)?, self.dim_index(end_dim)?);
        if s > e {
            return Err(Error::runtime(
                "flatten() has invalid args: start_dim cannot come after end_dim",
            ));
        }
        if s == e {
            // Nothing to merge: the tensor itself, history included (as in PyTorch).
            return Ok(self.clone());
        }
        let shape = self.shape();
        let mut new: Vec<i64> = shape[..s].iter().map(|&d| d as i64).collect();
        new.push(shape[s..=e].iter().product::<usize>() as i64);
        new.extend(shape[e + 1..].iter().map(|&d| d as i64));
        self.reshape(&new)
    }

    pub fn unflatten(&self, dim: i64, sizes: &[i64]) -> Result<Tensor> {
        let d = self.dim_index(dim)?;
        if sizes.is_empty() {
            return Err(Error::runtime("unflatten: sizes must be non-empty"));
        }
        let size = self.shape()[d];
        let inferred = infer_size(sizes, size).map_err(|_| {
            Error::runtime(format!(
                "unflatten: Provided sizes {:?} don't multiply up to the size of dim {} ({}) in the input tensor",
                sizes, dim, size
            ))
        })?;
        let mut new: Vec<i64> = self.shape()[..d].iter().map(|&x| x as i64).collect();
        new.extend(inferred.iter().map(|&x| x as i64));
        new.extend(self.shape()[d + 1..].iter().map(|&x| x as i64));
        self.view(&new)
    }

    /// `unfold(dim, size, step)`: windows of `size` every `step` along `dim`, as a new last dim
    /// (overlapping when `step < size`, so the backward adds up what the windows share).
    pub fn unfold(&self, dim: i64, size: i64, step: i64) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                let d = self.dim_index(dim)?;
                if size < 0 {
                    return Err(Error::runtime(format!("size is {size} but must be >= 0")));
                }
                if step <= 0 {
                    return Err(Error::runtime(format!("step is {step} but must be > 0")));
                }
                Ok(self.with_layout(self.layout().unfold(d, size as usize, step as usize)?))
            },
            |_| {
                let d = self.dim_index(dim)?;
                Ok(shape::unfold_back(
                    self.shape(),
                    d,
                    size as usize,
                    step as usize,
                ))
            },
        )
    }

    pub fn diagonal(&self, offset: i64, dim1: i64, dim2: i64) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                let (a, b) = (self.dim_index(dim1)?, self.dim_index(dim2)?);
                if a == b {
                    return Err(Error::runtime(format!(
                        "diagonal dimensions cannot be identical {dim1}, {dim2}"
                    )));
                }
                Ok(self.with_layout(self.layout().diagonal(offset, a, b)))
            },
            |_| {
                Ok(view::embed_back(
                    "DiagonalBackward0",
                    self,
                    Arc::new(move |t: &Tensor| t.diagonal(offset, dim1, dim2)),
                ))
            },
        )
    }

    /// `as_strided(size, stride, storage_offset)`: any layout over the same storage, checked to
    /// stay inside it.
    pub fn as_strided(&self, size: &[i64], stride: &[i64], offset: Option<i64>) -> Result<Tensor> {
        tracked(
            &[self],
            || self.as_strided_untracked(size, stride, offset),
            |out| {
                Ok(shape::as_strided_back(
                    self.layout().clone(),
                    out.layout().clone(),
                ))
            },
        )
    }

    fn as_strided_untracked(
        &self,
        size: &[i64],
        stride: &[i64],
        offset: Option<i64>,
    ) -> Result<Tensor> {
        if size.len() != stride.len() {
            return Err(Error::runtime("mismatch in length of strides and shape"));
        }
        if let Some(&n) = size.iter().find(|&&n| n < 0) {
            return Err(Error::runtime(format!(
                "Trying to create tensor with negative dimension {n}: {size:?}"
            )));
        }
        if stride.iter().any(|&s| s < 0) {
            return Err(Error::runtime(format!(
                "as_strided: Negative strides are not supported at the moment, got strides: {stride:?}"
            )));
        }
        let offset = offset.unwrap_or(self.storage_offset() as i64);
        if offset < 0 {
            return Err(Error::runtime(format!(
                "Tensor: invalid storage offset {offset}"
            )));
        }
        let layout = Layout::new(
            size.iter().map(|&n| n as usize).collect(),
            stride.iter().map(|&s| s as usize).collect(),
            offset as usize,
        );
        self.check_fits(&layout)?;
        Ok(self.with_layout(layout))
    }
}
