//! Backward of layer, group and batch norm, written with Tensor ops so that it can be
//! differentiated again.
//!
//! Each op is seen through a "canonical" view of its input in which the statistics reduce
//! over some dims and the affine parameters broadcast over others: layer norm as
//! `(rows, row_len)`, group norm as `(N, G, C/G, plane)`, batch norm as `(N, C, plane)`.
//! With `xhat = (x - mean) * rstd` and `gw = g * weight`:
//! - batch statistics: `dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat))`;
//! - fixed statistics (batch norm in eval mode): `dx = gw * rstd`;
//! - `dweight = sum(g * xhat)`, `dbias = sum(g)` over the dims the parameters broadcast over.
//!
//! The saved mean and rstd are constants. When the backward itself is being recorded
//! (`create_graph=True`) they are recomputed from the input with recorded ops instead, so
//! that second derivatives see how the statistics depend on the input.
//!
//! An exception to "backward written with Tensor ops", for speed: when the backward is not
//! being recorded and the tensors are on the CPU, the node calls the fused, unrecorded
//! `native_*_norm_backward` ops (two passes over the data where the formula below takes about
//! eight, each with an allocation). The composed formula stays as the reference, and for
//! `create_graph=True`, where second derivatives need it.

use super::math::{add_scalar, mul, pow_scalar, sub};
use crate::autograd::grad_mode::is_grad_enabled;
use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::device::Device;
use crate::error::Result;
use crate::tensor::Tensor;

/// Which op a normalisation node belongs to, for the fused backward.
#[derive(Clone, Debug)]
pub enum NormFamily {
    Layer { normalized_shape: Vec<usize> },
    Group { groups: usize },
    Batch,
}

/// How a normalisation op's input is viewed for its backward.
#[derive(Clone, Debug)]
pub struct NormView {
    pub family: NormFamily,
    /// The canonical shape of the input (and of its gradient).
    pub canon: Vec<i64>,
    /// The shape the weight and bias are viewed as, broadcasting against `canon`.
    pub param_view: Vec<i64>,
    /// The dims the statistics reduce over (kept as size 1 in `mean` and `rstd`).
    pub stat_dims: Vec<i64>,
    /// The dims the parameter gradients sum over.
    pub param_sum_dims: Vec<i64>,
    /// Whether the statistics come from the input (false: batch norm's running statistics).
    pub batch_stats: bool,
    pub eps: f64,
}

/// The node of a normalisation op with inputs `[input, weight?, bias?]` (in that order, the
/// absent ones left out); `mean` and `rstd` have the canonical shape with `stat_dims` as 1.
pub fn norm_back(
    name: &'static str,
    input: &Tensor,
    weight: Option<&Tensor>,
    bias_shape: Option<Vec<i64>>,
    mean: Tensor,
    rstd: Tensor,
    view: NormView,
) -> NodeSpec {
    let sx = SavedTensor::input(input);
    let sw = weight.map(SavedTensor::input);
    let mut saved = vec![sx.clone()];
    saved.extend(sw.clone());
    let bias_slot = 1 + usize::from(sw.is_some());
    NodeSpec::new(name, saved, move |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        let x = sx.get()?;
        let w = sw.as_ref().map(SavedTensor::get).transpose()?;
        if !is_grad_enabled() && x.device() == Device::Cpu {
            let mask = [
                needs[0],
                w.is_some() && needs[1],
                bias_shape.is_some() && needs[bias_slot],
            ];
            let (dx, dw, db) = fused(g, &x, w.as_ref(), (&mean, &rstd), &view, mask)?;
            let mut out = vec![dx];
            if let Some(w) = &w {
                out.push(dw.map(|d| d.reshape(&shape_i64(w.shape()))).transpose()?);
            }
            if let Some(shape) = &bias_shape {
                out.push(db.map(|d| d.reshape(shape)).transpose()?);
            }
            return Ok(out);
        }
        let gc = g.reshape(&view.canon)?;
        let xc = x.reshape(&view.canon)?;
        let (mean, rstd) = if view.batch_stats && is_grad_enabled() {
            recorded_stats(&xc, &view)?
        } else {
            (mean.clone(), rstd.clone())
        };
        let needs_param = needs.iter().skip(1).any(|&n| n);
        let xhat = if needs_param || view.batch_stats {
            Some(mul(&sub(&xc, &mean)?, &rstd)?)
        } else {
            None
        };
        let wv = w
            .as_ref()
            .map(|w| w.reshape(&view.param_view))
            .transpose()?;
        let mut out = Vec::with_capacity(needs.len());
        out.push(if needs[0] {
            let gw = match &wv {
                Some(w) => mul(&gc, w)?,
                None => gc.clone(),
            };
            let dx = match &xhat {
                Some(xhat) if view.batch_stats => {
                    let stat_mean = |t: &Tensor| t.mean(Some(&view.stat_dims), true, None);
                    let centred = sub(&gw, &stat_mean(&gw)?)?;
                    let along = mul(xhat, &stat_mean(&mul(&gw, xhat)?)?)?;
                    mul(&rstd, &sub(&centred, &along)?)?
                }
                _ => mul(&gw, &rstd)?,
            };
            Some(dx.reshape(&shape_i64(x.shape()))?)
        } else {
            None
        });
        let param_sum = |t: &Tensor, like: &Tensor| -> Result<Tensor> {
            t.sum(Some(&view.param_sum_dims), false, None)?
                .reshape(&shape_i64(like.shape()))
        };
        if let Some(w) = &w {
            out.push(match (needs[1], &xhat) {
                (true, Some(xhat)) => Some(param_sum(&mul(&gc, xhat)?, w)?),
                _ => None,
            });
        }
        if let Some(shape) = &bias_shape {
            out.push(if needs[bias_slot] {
                let db = gc.sum(Some(&view.param_sum_dims), false, None)?;
                Some(db.reshape(shape)?)
            } else {
                None
            });
        }
        Ok(out)
    })
}

/// The first-order gradients from the fused CPU kernels.
fn fused(
    g: &Tensor,
    x: &Tensor,
    w: Option<&Tensor>,
    (mean, rstd): (&Tensor, &Tensor),
    view: &NormView,
    mask: [bool; 3],
) -> Result<crate::tensor::norm_backward::NormGrads> {
    match &view.family {
        NormFamily::Layer { normalized_shape } => {
            g.native_layer_norm_backward(x, normalized_shape, mean, rstd, w, mask)
        }
        NormFamily::Group { groups } => {
            g.native_group_norm_backward(x, mean, rstd, w, *groups, mask)
        }
        NormFamily::Batch => g.native_batch_norm_backward(x, w, mean, rstd, view.batch_stats, mask),
    }
}

/// The mean and rstd of the canonical input, as recorded ops.
fn recorded_stats(xc: &Tensor, view: &NormView) -> Result<(Tensor, Tensor)> {
    let mean = xc.mean(Some(&view.stat_dims), true, None)?;
    let var = xc.var(Some(&view.stat_dims), 0.0, true)?;
    let rstd = pow_scalar(&add_scalar(&var, view.eps)?, -0.5)?;
    Ok((mean, rstd))
}

fn shape_i64(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&d| d as i64).collect()
}
