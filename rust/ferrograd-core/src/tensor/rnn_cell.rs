//! `lstm_cell_pointwise` and `gru_cell_pointwise`: the elementwise part of one LSTM or GRU
//! step as one op with its own backward (PyTorch's `_thnn_fused_lstm_cell` and
//! `_thnn_fused_gru_cell`). A recurrent layer runs one step per time step; unfused, each step
//! is about ten small ops and ten graph nodes, and their per-op cost, not the arithmetic,
//! dominated the time of an LSTM. The matrix products stay separate `addmm`s.

use std::cell::RefCell;

use super::norm_layers::{dispatch, with_values};
use super::Tensor;
use crate::autograd::formulas::rnn_cell::{gru_cell_back, lstm_cell_back};
use crate::autograd::{tracked, tracked_pair};
use crate::cpu::rnn_cell::{gru_backward, gru_forward, lstm_backward, lstm_forward};
use crate::error::{shape_str, Error, Result};
use crate::wgpu::rnn_cell as gpu_cells;

/// The workspace a forward pass hands to its backward node.
type Workspace = RefCell<Option<Tensor>>;

impl Tensor {
    /// One LSTM step from its gates: `self` is `gates` (B, 4H), the sum of both matrix
    /// products and biases, in the order i, f, g, o; `c` is the cell state (B, H).
    /// Returns `(h', c')` with `c' = f * c + i * g` and `h' = o * tanh(c')`.
    pub fn lstm_cell_pointwise(&self, c: &Tensor) -> Result<(Tensor, Tensor)> {
        let (batch, hidden) = check_state("lstm_cell_pointwise", "cx", c, self, 4)?;
        let workspace = Workspace::default();
        tracked_pair(
            &[self, c],
            || {
                if self.device().is_wgpu() {
                    if let Some([h, cn, ws]) = gpu_cells::lstm_forward(self, c, hidden)? {
                        *workspace.borrow_mut() = Some(ws);
                        return Ok((h, cn));
                    }
                }
                let (gates, c) = (self.contiguous()?, c.contiguous()?);
                let shape = [batch, hidden];
                dispatch!(self.dtype(), "lstm_cell_pointwise", T => {
                    let n = batch * hidden;
                    let (mut h, mut cn) = (vec![T::default(); n], vec![T::default(); n]);
                    let mut ws = vec![T::default(); 5 * n];
                    with_values::<T, _>(&gates, |g| {
                        with_values::<T, _>(&c, |c| lstm_forward(g, c, hidden, &mut h, &mut cn, &mut ws))
                    })??;
                    *workspace.borrow_mut() = Some(Tensor::from_vec(ws, &[batch, 5 * hidden])?);
                    Ok((Tensor::from_vec(h, &shape)?, Tensor::from_vec(cn, &shape)?))
                })
            },
            |_, _| Ok(lstm_cell_back(self, c, take(&workspace)?, hidden)),
        )
    }

    /// One GRU step from its gates: `gx` (B, 3H) = x W_ih^T + b_ih and `gh` (B, 3H) =
    /// h W_hh^T + b_hh in the order r, z, n, and the state `h` (B, H). Returns
    /// `h' = n + z * (h - n)` with `r`, `z` the sigmoids of `gx + gh` and
    /// `n = tanh(gx_n + r * gh_n)`.
    pub fn gru_cell_pointwise(gx: &Tensor, gh: &Tensor, h: &Tensor) -> Result<Tensor> {
        let (batch, hidden) = check_state("gru_cell_pointwise", "hx", h, gx, 3)?;
        if gh.shape() != gx.shape() || gh.dtype() != gx.dtype() {
            return Err(Error::runtime(format!(
                "gru_cell_pointwise: expected hidden_gates of shape {} and dtype {}, but got \
                 shape {} and dtype {}",
                shape_str(gx.shape()),
                gx.dtype().scalar_type_name(),
                shape_str(gh.shape()),
                gh.dtype().scalar_type_name()
            )));
        }
        let workspace = Workspace::default();
        tracked(
            &[gx, gh, h],
            || {
                if gx.device().is_wgpu() {
                    if let Some([out, ws]) = gpu_cells::gru_forward(gx, gh, h, hidden)? {
                        *workspace.borrow_mut() = Some(ws);
                        return Ok(out);
                    }
                }
                let (gx, gh, h) = (gx.contiguous()?, gh.contiguous()?, h.contiguous()?);
                dispatch!(gx.dtype(), "gru_cell_pointwise", T => {
                    let n = batch * hidden;
                    let (mut out, mut ws) = (vec![T::default(); n], vec![T::default(); 5 * n]);
                    with_values::<T, _>(&gx, |x| {
                        with_values::<T, _>(&gh, |hg| {
                            with_values::<T, _>(&h, |hv| gru_forward(x, hg, hv, hidden, &mut out, &mut ws))
                        })
                    })???;
                    *workspace.borrow_mut() = Some(Tensor::from_vec(ws, &[batch, 5 * hidden])?);
                    Tensor::from_vec(out, &[batch, hidden])
                })
            },
            |_| Ok(gru_cell_back(gx, gh, h, take(&workspace)?, hidden)),
        )
    }
}

fn take(workspace: &Workspace) -> Result<Tensor> {
    workspace
        .borrow_mut()
        .take()
        .ok_or_else(|| Error::runtime("recurrent cell: the forward pass kept no workspace"))
}

/// Checks a step's gates (B, chunks * H) against its state (B, H), both floating point of one
/// dtype, and returns (B, H).
fn check_state(
    op: &str,
    state_name: &str,
    state: &Tensor,
    gates: &Tensor,
    chunks: usize,
) -> Result<(usize, usize)> {
    if !gates.dtype().is_floating_point() {
        return Err(Error::runtime(format!(
            "{op}: expected floating point gates, but got {}",
            gates.dtype().scalar_type_name()
        )));
    }
    let expected_state = match (gates.shape(), state.shape()) {
        (&[b, g], &[sb, h]) if g == chunks * h && b == sb => {
            return check_dtype(op, state, gates, b, h)
        }
        (&[b, g], _) if g % chunks == 0 => vec![b, g / chunks],
        _ => {
            return Err(Error::runtime(format!(
                "{op}: expected gates of shape [batch, {chunks} * hidden_size], but got {}",
                shape_str(gates.shape())
            )))
        }
    };
    Err(Error::runtime(format!(
        "{op}: expected {state_name} of shape {}, but got {}",
        shape_str(&expected_state),
        shape_str(state.shape())
    )))
}

fn check_dtype(
    op: &str,
    state: &Tensor,
    gates: &Tensor,
    b: usize,
    h: usize,
) -> Result<(usize, usize)> {
    if state.dtype() != gates.dtype() {
        return Err(Error::runtime(format!(
            "{op}: expected the state to have the gates' dtype {}, but got {}",
            gates.dtype().scalar_type_name(),
            state.dtype().scalar_type_name()
        )));
    }
    Ok((b, h))
}

/// The first-order backward of `lstm_cell_pointwise` by the fused kernel: the gradients of
/// the gates and of the incoming c from those of h' and c'.
pub(crate) fn lstm_cell_grads(
    workspace: &Tensor,
    c: &Tensor,
    dh: &Tensor,
    dc_next: &Tensor,
    hidden: usize,
) -> Result<(Tensor, Tensor)> {
    if c.device().is_wgpu() {
        if let Some([d_gates, d_c]) = gpu_cells::lstm_backward(workspace, c, dh, dc_next, hidden)? {
            return Ok((d_gates, d_c));
        }
    }
    let (c, dh, dc_next) = (c.contiguous()?, dh.contiguous()?, dc_next.contiguous()?);
    let batch = c.shape()[0];
    dispatch!(c.dtype(), "lstm_cell_pointwise_backward", T => {
        let mut d_gates = vec![T::default(); 4 * batch * hidden];
        let mut d_c = vec![T::default(); batch * hidden];
        with_values::<T, _>(workspace, |ws| {
            with_values::<T, _>(&c, |cv| {
                with_values::<T, _>(&dh, |dhv| {
                    with_values::<T, _>(&dc_next, |dcv| {
                        lstm_backward(ws, cv, dhv, dcv, hidden, &mut d_gates, &mut d_c)
                    })
                })
            })
        })????;
        Ok((
            Tensor::from_vec(d_gates, &[batch, 4 * hidden])?,
            Tensor::from_vec(d_c, &[batch, hidden])?,
        ))
    })
}

/// The first-order backward of `gru_cell_pointwise` by the fused kernel: the gradients of
/// the input's gates, the hidden state's gates and the incoming h from that of h'.
pub(crate) fn gru_cell_grads(
    workspace: &Tensor,
    dh_next: &Tensor,
    hidden: usize,
) -> Result<(Tensor, Tensor, Tensor)> {
    if dh_next.device().is_wgpu() {
        if let Some([d_gx, d_gh, d_h]) = gpu_cells::gru_backward(workspace, dh_next, hidden)? {
            return Ok((d_gx, d_gh, d_h));
        }
    }
    let dh_next = dh_next.contiguous()?;
    let batch = dh_next.shape()[0];
    dispatch!(dh_next.dtype(), "gru_cell_pointwise_backward", T => {
        let mut d_gx = vec![T::default(); 3 * batch * hidden];
        let mut d_gh = vec![T::default(); 3 * batch * hidden];
        let mut d_h = vec![T::default(); batch * hidden];
        with_values::<T, _>(workspace, |ws| {
            with_values::<T, _>(&dh_next, |dy| {
                gru_backward(ws, dy, hidden, &mut d_gx, &mut d_gh, &mut d_h)
            })
        })??;
        Ok((
            Tensor::from_vec(d_gx, &[batch, 3 * hidden])?,
            Tensor::from_vec(d_gh, &[batch, 3 * hidden])?,
            Tensor::from_vec(d_h, &[batch, hidden])?,
        ))
    })
}
