//! Pooling as Tensor ops: max, average and their adaptive forms over the last 2 or 3 dims
//! (PyTorch's 1-d poolings are these on an unsqueezed input), max unpooling, and the ops
//! their gradients are made of (a scatter to saved indices, the adjoint of an average), each
//! recorded with PyTorch's node names so that double backward works.

use std::sync::Arc;

use super::pool_grid::{adaptive_grid, check_dtype, expand_args, pooling_grid, AvgOptions};
use super::Tensor;
use crate::autograd::formulas::pool as formulas;
use crate::autograd::{tracked, tracked_pair};
use crate::cpu::pool::{self as kernels, Grid};
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::op::not_implemented_msg;
use crate::wgpu::pooling as gpu_pooling;
use crate::wgpu::scatter as gpu_scatter;
use crate::with_dtype;

const FLOATS: [DType; 4] = [DType::F16, DType::BF16, DType::F32, DType::F64];

/// The node names of one kind of pooling: its own and that of its gradient op.
#[derive(Clone, Copy, Debug)]
pub struct PoolNames {
    pub forward: &'static str,
    pub backward: &'static str,
}

fn names(kind: &str, n: usize) -> PoolNames {
    let (forward, backward) = match (kind, n) {
        ("max", 2) => (
            "MaxPool2DWithIndicesBackward0",
            "MaxPool2DWithIndicesBackwardBackward0",
        ),
        ("max", _) => (
            "MaxPool3DWithIndicesBackward0",
            "MaxPool3DWithIndicesBackwardBackward0",
        ),
        ("avg", 2) => ("AvgPool2DBackward0", "AvgPool2DBackwardBackward0"),
        ("avg", _) => ("AvgPool3DBackward0", "AvgPool3DBackwardBackward0"),
        ("adaptive_avg", 2) => (
            "AdaptiveAvgPool2DBackward0",
            "AdaptiveAvgPool2DBackwardBackward0",
        ),
        ("adaptive_avg", _) => (
            "AdaptiveAvgPool3DBackward0",
            "AdaptiveAvgPool3DBackwardBackward0",
        ),
        ("adaptive_max", 2) => (
            "AdaptiveMaxPool2DBackward0",
            "AdaptiveMaxPool2DBackwardBackward0",
        ),
        ("adaptive_max", _) => (
            "AdaptiveMaxPool3DBackward0",
            "AdaptiveMaxPool3DBackwardBackward0",
        ),
        (_, 2) => ("MaxUnpool2DBackward0", "MaxUnpool2DBackwardBackward0"),
        _ => ("MaxUnpool3DBackward0", "MaxUnpool3DBackwardBackward0"),
    };
    PoolNames { forward, backward }
}

/// Calls `f` with the values of `t` in row-major order, without copying a contiguous tensor.
fn with_values<T: Element, R>(t: &Tensor, f: impl FnOnce(&[T]) -> R) -> Result<R> {
    let c = t.contiguous()?;
    let data = c.storage().read();
    let all = data.cpu()?.as_slice::<T>();
    let start = c.storage_offset();
    Ok(f(&all[start..start + c.numel()]))
}

/// The leading (batch and channel) dims followed by `spatial`.
fn with_spatial(shape: &[usize], n: usize, spatial: &[usize]) -> Vec<usize> {
    let mut out = shape[..shape.len() - n].to_vec();
    out.extend_from_slice(spatial);
    out
}

fn planes(shape: &[usize], n: usize) -> usize {
    shape[..shape.len() - n].iter().product()
}

fn out_spatial(grid: &Grid, n: usize) -> Vec<usize> {
    grid.axes[3 - n..].iter().map(|a| a.windows.len()).collect()
}

fn in_spatial(grid: &Grid, n: usize) -> Vec<usize> {
    grid.axes[3 - n..].iter().map(|a| a.size).collect()
}

/// `n`-d inputs with or without a batch dim; PyTorch's message names the accepted ranks.
fn check_rank(t: &Tensor, n: usize) -> Result<()> {
    if t.ndim() == n + 1 || t.ndim() == n + 2 {
        return Ok(());
    }
    Err(Error::runtime(format!(
        "non-empty {}D or {}D (batch mode) tensor expected for input",
        n + 1,
        n + 2
    )))
}

impl Tensor {
    /// `max_pool2d_with_indices` / `max_pool3d_with_indices` (`n` spatial dims): each window's
    /// maximum and its flat position in the input plane. Empty `stride` means the kernel.
    #[allow(clippy::too_many_arguments)]
    pub fn max_pool_with_indices(
        &self,
        n: usize,
        kernel: &[i64],
        stride: &[i64],
        padding: &[i64],
        dilation: &[i64],
        ceil_mode: bool,
    ) -> Result<(Tensor, Tensor)> {
        let op = if n == 3 { "max_pool3d" } else { "max_pool2d" };
        let args = expand_args(op, n, kernel, stride, padding, Some(dilation), ceil_mode)?;
        check_rank(self, n)?;
        let grid = Arc::new(pooling_grid(op, self.shape(), &args, None)?);
        if self.dtype() == DType::Bool {
            return Err(not_implemented_msg(format!(
                "\"{op}\" not implemented for 'Bool'"
            )));
        }
        self.max_over_windows(n, grid, names("max", n))
    }

    /// `adaptive_max_pool2d` / `adaptive_max_pool3d`: the maximum over PyTorch's adaptive
    /// windows, with its positions.
    pub fn adaptive_max_pool(&self, n: usize, output_size: &[i64]) -> Result<(Tensor, Tensor)> {
        let op = if n == 3 {
            "adaptive_max_pool3d"
        } else {
            "adaptive_max_pool2d"
        };
        if output_size.len() != n {
            return Err(Error::runtime(format!(
                "{op}(): internal error: output_size.size() must be {n}"
            )));
        }
        if self.ndim() != n + 1 && self.ndim() != n + 2 {
            return Err(Error::runtime(format!(
                "{op}(): Expected {}D or {}D tensor, but got: {:?}",
                n + 1,
                n + 2,
                self.shape()
            )));
        }
        if let Some(&bad) = output_size.iter().find(|&&o| o < 0) {
            let mut dims: Vec<i64> = self.shape()[..self.ndim() - n]
                .iter()
                .map(|&d| d as i64)
                .collect();
            dims.extend_from_slice(output_size);
            return Err(Error::runtime(format!(
                "Trying to create tensor with negative dimension {bad}: {dims:?}"
            )));
        }
        check_adaptive_non_empty(op, self.shape(), 1)?;
        let kernel = if n == 3 {
            "adaptive_max_pool3d_cpu"
        } else {
            op
        };
        check_dtype(kernel, self.dtype(), &FLOATS)?;
        let outs: Vec<usize> = output_size.iter().map(|&o| o as usize).collect();
        let grid = Arc::new(adaptive_grid(self.shape(), &outs)?);
        self.max_over_windows(n, grid, names("adaptive_max", n))
    }

    fn max_over_windows(
        &self,
        n: usize,
        grid: Arc<Grid>,
        names: PoolNames,
    ) -> Result<(Tensor, Tensor)> {
        tracked_pair(
            &[self],
            || {
                let shape = with_spatial(self.shape(), n, &out_spatial(&grid, n));
                if self.device().is_wgpu() {
                    if let Some(pair) = gpu_pooling::max_forward(self, &grid, &shape)? {
                        return Ok(pair);
                    }
                }
                let planes = planes(self.shape(), n);
                with_dtype!(self.dtype(), T => {
                    let (v, i) = with_values::<T, _>(self, |x| kernels::max_forward(x, planes, &grid))?;
                    Ok((Tensor::from_vec(v, &shape)?, Tensor::from_vec(i, &shape)?))
                })
            },
            |_, indices| Ok(formulas::max_pool_back(self, indices, n, names)),
        )
    }

    /// `avg_pool2d` / `avg_pool3d`.
    #[allow(clippy::too_many_arguments)]
    pub fn avg_pool(
        &self,
        n: usize,
        kernel: &[i64],
        stride: &[i64],
        padding: &[i64],
        ceil_mode: bool,
        count_include_pad: bool,
        divisor_override: Option<i64>,
    ) -> Result<Tensor> {
        let op = if n == 3 { "avg_pool3d" } else { "avg_pool2d" };
        let args = expand_args(op, n, kernel, stride, padding, None, ceil_mode)?;
        if n == 2 && self.ndim() < 3 {
            return Err(Error::DimOutOfRange {
                dim: -3,
                ndim: self.ndim(),
            });
        }
        if n == 2 && self.ndim() > 4 {
            return Err(Error::runtime(format!(
                "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:{:?}",
                self.shape()
            )));
        }
        check_rank(self, n)?;
        let opts = AvgOptions {
            count_include_pad,
            divisor_override,
        };
        let grid = Arc::new(pooling_grid(op, self.shape(), &args, Some(opts))?);
        if n == 3 {
            check_dtype(
                "avg_pool3d_out_frame",
                self.dtype(),
                &[DType::BF16, DType::F32, DType::F64, DType::I64],
            )?;
        } else {
            check_dtype(
                op,
                self.dtype(),
                &[DType::F16, DType::BF16, DType::F32, DType::F64, DType::I64],
            )?;
        }
        self.average_over_windows(n, grid, divisor_override, names("avg", n))
    }

    /// `adaptive_avg_pool2d` / `adaptive_avg_pool3d`; an output of ones is the mean over the
    /// spatial dims, as in PyTorch (and recorded as such).
    pub fn adaptive_avg_pool(&self, n: usize, output_size: &[i64]) -> Result<Tensor> {
        let op = if n == 3 {
            "adaptive_avg_pool3d"
        } else {
            "adaptive_avg_pool2d"
        };
        if output_size.len() != n {
            return Err(Error::runtime(format!("{op}: output_size must be {n}")));
        }
        if output_size.iter().any(|&o| o < 0) {
            let listed: Vec<String> = output_size.iter().map(|o| o.to_string()).collect();
            // PyTorch's 3-d message has no space before the last value.
            let shown = if n == 3 {
                format!("{}, {},{}", listed[0], listed[1], listed[2])
            } else {
                listed.join(", ")
            };
            return Err(Error::runtime(format!(
                "{op}: elements of output_size must be greater than or equal to 0 but received {{{shown}}}"
            )));
        }
        if self.ndim() != n + 1 && self.ndim() != n + 2 {
            return Err(Error::runtime(format!(
                "{op}(): Expected {}D or {}D tensor, but got {:?}",
                n + 1,
                n + 2,
                self.shape()
            )));
        }
        // The 2-d op checks only the spatial dims, the 3-d one the channels too.
        let first = if n == 3 { 1 } else { self.ndim() - n };
        check_adaptive_non_empty(op, self.shape(), first)?;
        let kernel = if n == 3 {
            "adaptive_avg_pool3d_cpu"
        } else {
            op
        };
        check_dtype(kernel, self.dtype(), &FLOATS)?;
        if output_size.iter().all(|&o| o == 1) {
            let dims: Vec<i64> = (1..=n as i64).map(|d| -d).collect();
            return self.mean(Some(&dims), true, None);
        }
        let outs: Vec<usize> = output_size.iter().map(|&o| o as usize).collect();
        let grid = Arc::new(adaptive_grid(self.shape(), &outs)?);
        self.average_over_windows(n, grid, None, names("adaptive_avg", n))
    }

    /// The average of each window of `grid`, recorded under `names.forward`.
    pub(crate) fn average_over_windows(
        &self,
        n: usize,
        grid: Arc<Grid>,
        divisor_override: Option<i64>,
        names: PoolNames,
    ) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                let shape = with_spatial(self.shape(), n, &out_spatial(&grid, n));
                if self.device().is_wgpu() {
                    if let Some(out) =
                        gpu_pooling::avg_forward(self, &grid, divisor_override, &shape)?
                    {
                        return Ok(out);
                    }
                }
                let planes = planes(self.shape(), n);
                with_dtype!(self.dtype(), T => {
                    let out = with_values::<T, _>(self, |x| kernels::avg_forward(x, planes, &grid, divisor_override))?;
                    Tensor::from_vec(out, &shape)
                })
            },
            |_| {
                Ok(formulas::average_back(
                    n,
                    grid.clone(),
                    divisor_override,
                    names,
                ))
            },
        )
    }

    /// The gradient of [`Tensor::average_over_windows`] (`self` is the output's gradient):
    /// each window's share spread back over it. Its own gradient is the average again.
    pub(crate) fn average_over_windows_backward(
        &self,
        n: usize,
        grid: Arc<Grid>,
        divisor_override: Option<i64>,
        names: PoolNames,
    ) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                let shape = with_spatial(self.shape(), n, &in_spatial(&grid, n));
                if self.device().is_wgpu() {
                    if let Some(out) =
                        gpu_pooling::avg_backward(self, &grid, divisor_override, &shape)?
                    {
                        return Ok(out);
                    }
                }
                let planes = planes(self.shape(), n);
                with_dtype!(self.dtype(), T => {
                    let out = with_values::<T, _>(self, |g| kernels::avg_backward(g, planes, &grid, divisor_override))?;
                    Tensor::from_vec(out, &shape)
                })
            },
            |_| {
                Ok(formulas::average_backward_back(
                    n,
                    grid.clone(),
                    divisor_override,
                    names,
                ))
            },
        )
    }

    /// Writes `self` (the values) into planes of `spatial` at `indices` (flat positions in a
    /// plane, shaped like `self`): added up when `accumulate` (the gradient of a max pooling),
    /// assigned otherwise (max unpooling). Recorded as `name`; its gradient is a gather.
    pub(crate) fn scatter_to_indices(
        &self,
        indices: &Tensor,
        n: usize,
        spatial: &[usize],
        accumulate: bool,
        name: &'static str,
    ) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                let shape = with_spatial(self.shape(), n, spatial);
                let planes = planes(self.shape(), n);
                let src_plane: usize = self.shape()[self.ndim() - n..].iter().product();
                let dst_plane: usize = spatial.iter().product();
                let indices = indices.to_dtype(DType::I64)?;
                // Only a max pooling's own indices: they need no check (an unpooling's do).
                if accumulate && self.device().is_wgpu() {
                    let out = Tensor::zeros(&shape, self.dtype())?;
                    let sizes = [planes, src_plane, 1];
                    if gpu_scatter::scatter_add(&out, self, &indices, sizes, dst_plane, true)? {
                        return Ok(out);
                    }
                }
                let scattered = with_dtype!(self.dtype(), T => {
                    with_values::<i64, _>(&indices, |ix| {
                        with_values::<T, _>(self, |src| {
                            kernels::scatter_planes(src, ix, planes, src_plane, dst_plane, accumulate)
                                .map(|v| Tensor::from_vec(v, &shape))
                        })
                    })??
                });
                match scattered {
                    Ok(t) => t,
                    Err(bad) => Err(Error::runtime(format!(
                        "Found an invalid max index: {bad} (output volumes are of size {})",
                        spatial
                            .iter()
                            .map(|s| s.to_string())
                            .collect::<Vec<_>>()
                            .join("x")
                    ))),
                }
            },
            |_| Ok(formulas::gather_back(indices, n, name)),
        )
    }

    /// `max_unpool2d` / `max_unpool3d`: each value written to the position its index names in
    /// a zero plane of `output_size`.
    pub fn max_unpool(&self, indices: &Tensor, n: usize, output_size: &[i64]) -> Result<Tensor> {
        if indices.dtype() != DType::I64 {
            return Err(Error::runtime(format!(
                "elements in indices should be type int64 but got: {}",
                indices.dtype().scalar_type_name()
            )));
        }
        if output_size.len() != n {
            return Err(Error::runtime(format!(
                "There should be exactly {} elements ({}) in output_size, but got {} elements.",
                if n == 3 { "three" } else { "two" },
                if n == 3 {
                    "depth, height, width"
                } else {
                    "height, width"
                },
                output_size.len()
            )));
        }
        if self.ndim() != n + 1 && self.ndim() != n + 2 {
            return Err(Error::runtime(format!(
                "Input to max_unpooling{n}d should be a {}d or {}d Tensor, but got a tensor with {} dimensions.",
                n + 1,
                n + 2,
                self.ndim()
            )));
        }
        if self.shape() != indices.shape() {
            return Err(Error::runtime(format!(
                "Expected shape of indices to be same as that of the input tensor ({:?}) but got indices tensor with shape: {:?}",
                self.shape(),
                indices.shape()
            )));
        }
        let spatial: Vec<usize> = output_size.iter().map(|&o| o.max(0) as usize).collect();
        self.scatter_to_indices(indices, n, &spatial, false, names("unpool", n).forward)
    }
}

/// Adaptive poolings refuse empty dims from `first` on, naming the first.
fn check_adaptive_non_empty(op: &str, shape: &[usize], first: usize) -> Result<()> {
    match (first..shape.len()).find(|&d| shape[d] == 0) {
        None => Ok(()),
        Some(d) => Err(Error::runtime(format!(
            "{op}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes {:?} with dimension {d} being empty",
            shape
        ))),
    }
}
