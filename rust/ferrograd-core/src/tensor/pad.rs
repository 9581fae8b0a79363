//! `F.pad`: padding the last dims of a tensor with a constant, a reflection, the edge value
//! (replicate), or a wrap-around (circular). `pad` lists (before, after) pairs starting from
//! the last dim, as in PyTorch.
//!
//! Constant padding copies the input into a filled tensor; its gradient is the gradient
//! padded by the negated sizes (a crop), so it is again `constant_pad_nd`. The other modes
//! gather along each padded dim with an index (`index_select`); their gradient scatters back
//! with `index_add`, so both directions are Tensor ops and differentiate again.

use super::Tensor;
use crate::autograd::{tracked, NodeSpec};
use crate::dtype::{DType, Scalar};
use crate::error::{Error, ErrorKind, Result};
use crate::op::not_implemented;

/// `mode=` of `F.pad`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PadMode {
    Constant,
    Reflect,
    Replicate,
    Circular,
}

impl PadMode {
    fn name(self) -> &'static str {
        match self {
            PadMode::Constant => "constant",
            PadMode::Reflect => "reflect",
            PadMode::Replicate => "replicate",
            PadMode::Circular => "circular",
        }
    }

    /// Where output position `j` of a dim of `size` padded by `before` reads from.
    fn source(self, j: i64, before: i64, size: i64) -> i64 {
        let p = j - before;
        match self {
            PadMode::Reflect if p < 0 => -p,
            PadMode::Reflect if p >= size => 2 * (size - 1) - p,
            PadMode::Replicate => p.clamp(0, size - 1),
            PadMode::Circular => p.rem_euclid(size),
            _ => p,
        }
    }
}

fn runtime(msg: String) -> Error {
    Error::runtime(msg)
}

/// The (dim, before, after) triples of `pad`, last dim first.
fn pairs(ndim: usize, pad: &[i64]) -> Vec<(usize, i64, i64)> {
    (0..pad.len() / 2)
        .map(|i| (ndim - 1 - i, pad[2 * i], pad[2 * i + 1]))
        .collect()
}

impl Tensor {
    /// `F.pad(input, pad, mode, value)`.
    pub fn pad_nd(&self, pad: &[i64], mode: PadMode, value: Option<Scalar>) -> Result<Tensor> {
        if pad.len() % 2 != 0 {
            return Err(runtime("Padding length must be divisible by 2".into()));
        }
        if pad.len() / 2 > self.ndim() {
            return Err(runtime(format!(
                "Padding length should be less than or equal to two times the input dimension but got padding length {} and input of dimension {}",
                pad.len(),
                self.ndim()
            )));
        }
        if mode == PadMode::Constant {
            return self.constant_pad_nd(pad, value.unwrap_or(Scalar::Int(0)));
        }
        if value.is_some() {
            return Err(runtime(format!(
                "Padding mode \"{}\" doesn't take in value argument",
                mode.name()
            )));
        }
        self.check_index_pad(pad, mode)?;
        let k = pad.len() / 2;
        let name = match mode {
            PadMode::Reflect => format!("ReflectionPad{k}DBackward0"),
            PadMode::Replicate => format!("ReplicationPad{k}DBackward0"),
            // PyTorch composes circular padding from copies; its graph is theirs.
            _ => return self.index_pad(pad, mode),
        };
        let dims = pairs(self.ndim(), pad);
        let shape = self.shape().to_vec();
        tracked(
            &[self],
            || self.index_pad(pad, mode),
            |_| {
                Ok(NodeSpec::new(name, vec![], move |grads, _| {
                    let g = grads[0].as_ref().expect("materialized");
                    Ok(vec![Some(scatter_back(g, &shape, &dims, mode)?)])
                }))
            },
        )
    }

    /// `constant_pad_nd(pad, value)`: negative sizes crop.
    pub fn constant_pad_nd(&self, pad: &[i64], value: Scalar) -> Result<Tensor> {
        let dims = pairs(self.ndim(), pad);
        let mut shape = self.shape().to_vec();
        for &(d, before, after) in &dims {
            let size = self.shape()[d] as i64 + before + after;
            if size < 0 {
                return Err(runtime("narrow(): length must be non-negative.".into()));
            }
            shape[d] = size as usize;
        }
        let negated: Vec<i64> = pad.iter().map(|p| -p).collect();
        tracked(
            &[self],
            || {
                let out = Tensor::full(&shape, value, self.dtype())?;
                // The part of the input that survives negative padding, and where it goes.
                let (mut src, mut dst) = (self.clone(), out.clone());
                for &(d, before, after) in &dims {
                    let kept = self.shape()[d] as i64 + before.min(0) + after.min(0);
                    if kept <= 0 {
                        return Ok(out);
                    }
                    src = src.narrow(d as i64, (-before).max(0), kept)?;
                    dst = dst.narrow(d as i64, before.max(0), kept)?;
                }
                dst.copy_(&src)?;
                Ok(out)
            },
            |_| {
                Ok(NodeSpec::new(
                    "ConstantPadNdBackward0",
                    vec![],
                    move |grads, _| {
                        let g = grads[0].as_ref().expect("materialized");
                        Ok(vec![Some(g.constant_pad_nd(&negated, Scalar::Int(0))?)])
                    },
                ))
            },
        )
    }

    /// PyTorch's checks for the reflect, replicate and circular modes.
    fn check_index_pad(&self, pad: &[i64], mode: PadMode) -> Result<()> {
        let (k, n) = (pad.len() / 2, self.ndim());
        if !((1..=3).contains(&k) && (n == k + 1 || n == k + 2)) {
            return Err(Error::Other {
                kind: ErrorKind::NotImplemented,
                msg: format!(
                    "Padding size {} is not supported for {n}D input tensor.\nSupported combinations for non-constant padding:\n  - 2D or 3D input: padding size = 2 (pads last dimension)\n  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)",
                    pad.len()
                ),
            });
        }
        let dims = pairs(n, pad);
        if mode == PadMode::Circular {
            for &(d, before, after) in &dims {
                let size = self.shape()[d] as i64;
                if before > size || after > size {
                    return Err(runtime(
                        "Padding value causes wrapping around more than once.".into(),
                    ));
                }
            }
            return Ok(());
        }
        let first = if n == k + 2 { 1 } else { 0 };
        if self.shape()[first..].contains(&0) {
            return Err(runtime(format!(
                "Expected {}D or {}D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: {:?}",
                k + 1,
                k + 2,
                self.shape()
            )));
        }
        if self.dtype() == DType::Bool {
            let kernel = match mode {
                PadMode::Reflect => format!("reflection_pad{k}d"),
                _ => format!("replication_pad{k}d"),
            };
            return Err(not_implemented(&kernel, DType::Bool));
        }
        if mode == PadMode::Reflect {
            for (i, &(d, before, after)) in dims.iter().enumerate() {
                let size = self.shape()[d] as i64;
                if before >= size || after >= size {
                    return Err(runtime(format!(
                        "Argument #{}: Padding size should be less than the corresponding input dimension, but got: padding ({before}, {after}) at dimension {d} of input {:?}",
                        4 + 2 * i,
                        self.shape()
                    )));
                }
            }
        }
        Ok(())
    }

    /// Reflect/replicate/circular padding: one `index_select` per padded dim.
    fn index_pad(&self, pad: &[i64], mode: PadMode) -> Result<Tensor> {
        let mut out = self.clone();
        for (d, before, after) in pairs(self.ndim(), pad) {
            let index = pad_index(self.shape()[d], before, after, mode)?;
            out = out.index_select(d as i64, &index)?;
        }
        Ok(out)
    }
}

/// For each output position along a padded dim, the input position it copies.
fn pad_index(size: usize, before: i64, after: i64, mode: PadMode) -> Result<Tensor> {
    let size = size as i64;
    let len = (size + before + after).max(0);
    let index: Vec<i64> = (0..len).map(|j| mode.source(j, before, size)).collect();
    Tensor::from_vec(index, &[len as usize])
}

/// The gradient of an index padding: each padded dim's gradient summed back onto the
/// positions it was copied from, the last padded dim undone first.
fn scatter_back(
    g: &Tensor,
    shape: &[usize],
    dims: &[(usize, i64, i64)],
    mode: PadMode,
) -> Result<Tensor> {
    let mut g = g.clone();
    for &(d, before, after) in dims.iter().rev() {
        let index = pad_index(shape[d], before, after, mode)?;
        let mut target = g.shape().to_vec();
        target[d] = shape[d];
        let zeros = Tensor::zeros(&target, g.dtype())?;
        g = zeros.index_add(d as i64, &index, &g, Scalar::Int(1))?;
    }
    Ok(g)
}
