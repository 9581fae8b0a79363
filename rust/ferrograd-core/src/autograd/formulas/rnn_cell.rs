//! Backward of the fused recurrent steps `lstm_cell_pointwise` and `gru_cell_pointwise`.
//!
//! LSTM, with `i, f, o = sigmoid(gates)`, `g = tanh(gates)`, `c' = f c + i g`,
//! `h' = o tanh(c')`, and `dc~ = dc' + dh' o (1 - tanh(c')^2)`:
//! `d_i = dc~ g i (1 - i)`, `d_f = dc~ c f (1 - f)`, `d_g = dc~ i (1 - g^2)`,
//! `d_o = dh' tanh(c') o (1 - o)`, `dc = dc~ f`.
//!
//! GRU, with `h' = n + z (h - n)`: `d_n = dh' (1 - z) (1 - n^2)`, `d_r = d_n gh_n r (1 - r)`,
//! `d_z = dh' (h - n) z (1 - z)`; the input's gates get `(d_r, d_z, d_n)`, the hidden state's
//! gates `(d_r, d_z, d_n r)`, and `dh = dh' z`.
//!
//! These are the only formulas that do not always run as Tensor ops: a first-order backward
//! on the CPU runs the fused kernel, because one recurrent layer runs this node once per time
//! step and ten small ops per step were most of an LSTM's backward time. When the backward
//! is itself recorded (`create_graph=True`), or not on the CPU, the same formulas run as
//! recorded Tensor ops on the activations recomputed from the saved inputs, so higher
//! derivatives work.

use super::math::{add, mul, rsub_scalar, sub, unary};
use crate::autograd::grad_mode::is_grad_enabled;
use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::device::Device;
use crate::error::Result;
use crate::op::UnaryOp;
use crate::tensor::rnn_cell::{gru_cell_grads, lstm_cell_grads};
use crate::tensor::Tensor;

/// Whether this backward may run the fused kernel: first order, on the CPU.
fn fused_backward(t: &Tensor) -> bool {
    !is_grad_enabled() && t.device() == Device::Cpu
}

fn sigmoid(t: &Tensor) -> Result<Tensor> {
    unary(UnaryOp::Sigmoid, t)
}

fn tanh(t: &Tensor) -> Result<Tensor> {
    unary(UnaryOp::Tanh, t)
}

/// `s (1 - s)`: the sigmoid's slope from its value.
fn sigmoid_slope(s: &Tensor) -> Result<Tensor> {
    mul(s, &rsub_scalar(s, 1.0)?)
}

/// `1 - t^2`: the tanh's slope from its value.
fn tanh_slope(t: &Tensor) -> Result<Tensor> {
    rsub_scalar(&mul(t, t)?, 1.0)
}

/// `ThnnFusedLstmCellBackward0`: inputs `[gates, c]`, outputs `[h', c']`.
pub fn lstm_cell_back(gates: &Tensor, c: &Tensor, workspace: Tensor, hidden: usize) -> NodeSpec {
    let (sg, sc) = (SavedTensor::input(gates), SavedTensor::input(c));
    let sw = SavedTensor::input(&workspace);
    NodeSpec::new(
        "ThnnFusedLstmCellBackward0",
        vec![sg.clone(), sc.clone(), sw.clone()],
        move |grads, _needs| {
            let dh = grads[0].as_ref().expect("materialized");
            let dc_next = grads[1].as_ref().expect("materialized");
            let c = sc.get()?;
            let (d_gates, d_c) = if fused_backward(dh) {
                lstm_cell_grads(&sw.get()?, &c, dh, dc_next, hidden)?
            } else {
                lstm_composed(&sg.get()?, &c, dh, dc_next)?
            };
            Ok(vec![Some(d_gates), Some(d_c)])
        },
    )
}

fn lstm_composed(
    gates: &Tensor,
    c: &Tensor,
    dh: &Tensor,
    dc_next: &Tensor,
) -> Result<(Tensor, Tensor)> {
    let parts = gates.chunk(4, 1)?;
    let (i, f) = (sigmoid(&parts[0])?, sigmoid(&parts[1])?);
    let (g, o) = (tanh(&parts[2])?, sigmoid(&parts[3])?);
    let th = tanh(&add(&mul(&f, c)?, &mul(&i, &g)?)?)?;
    let dcn = add(dc_next, &mul(&mul(dh, &o)?, &tanh_slope(&th)?)?)?;
    let d_i = mul(&mul(&dcn, &g)?, &sigmoid_slope(&i)?)?;
    let d_f = mul(&mul(&dcn, c)?, &sigmoid_slope(&f)?)?;
    let d_g = mul(&mul(&dcn, &i)?, &tanh_slope(&g)?)?;
    let d_o = mul(&mul(dh, &th)?, &sigmoid_slope(&o)?)?;
    Ok((Tensor::cat(&[d_i, d_f, d_g, d_o], 1)?, mul(&dcn, &f)?))
}

/// `ThnnFusedGruCellBackward0`: inputs `[gx, gh, h]`, output `h'`.
pub fn gru_cell_back(
    gx: &Tensor,
    gh: &Tensor,
    h: &Tensor,
    workspace: Tensor,
    hidden: usize,
) -> NodeSpec {
    let (sx, sgh, sh) = (
        SavedTensor::input(gx),
        SavedTensor::input(gh),
        SavedTensor::input(h),
    );
    let sw = SavedTensor::input(&workspace);
    NodeSpec::new(
        "ThnnFusedGruCellBackward0",
        vec![sx.clone(), sgh.clone(), sh.clone(), sw.clone()],
        move |grads, _needs| {
            let dy = grads[0].as_ref().expect("materialized");
            let (d_gx, d_gh, d_h) = if fused_backward(dy) {
                gru_cell_grads(&sw.get()?, dy, hidden)?
            } else {
                gru_composed(&sx.get()?, &sgh.get()?, &sh.get()?, dy)?
            };
            Ok(vec![Some(d_gx), Some(d_gh), Some(d_h)])
        },
    )
}

fn gru_composed(
    gx: &Tensor,
    gh: &Tensor,
    h: &Tensor,
    dy: &Tensor,
) -> Result<(Tensor, Tensor, Tensor)> {
    let (x, hg) = (gx.chunk(3, 1)?, gh.chunk(3, 1)?);
    let r = sigmoid(&add(&x[0], &hg[0])?)?;
    let z = sigmoid(&add(&x[1], &hg[1])?)?;
    let n = tanh(&add(&x[2], &mul(&r, &hg[2])?)?)?;
    let d_n = mul(&mul(dy, &rsub_scalar(&z, 1.0)?)?, &tanh_slope(&n)?)?;
    let d_r = mul(&mul(&d_n, &hg[2])?, &sigmoid_slope(&r)?)?;
    let d_z = mul(&mul(dy, &sub(h, &n)?)?, &sigmoid_slope(&z)?)?;
    let d_gh = Tensor::cat(&[d_r.clone(), d_z.clone(), mul(&d_n, &r)?], 1)?;
    let d_gx = Tensor::cat(&[d_r, d_z, d_n], 1)?;
    Ok((d_gx, d_gh, mul(dy, &z)?))
}
