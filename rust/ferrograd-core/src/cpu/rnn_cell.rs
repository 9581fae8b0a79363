//! The elementwise part of one LSTM or GRU step, fused: the gate activations, the new state,
//! and the values the backward needs, in one pass over each row of the batch, and the
//! backward in one pass too. The matrix products stay outside (they are `addmm`s).
//!
//! Buffers are contiguous and row-major, one row per batch element; `hidden` is H.
//! - LSTM: `gates` is (B, 4H) in the order i, f, g, o; `c` is (B, H). The workspace row is
//!   `[i, f, g, o, tanh(c')]` (5H): every value the backward needs, so it reads no input.
//! - GRU: `gx`, `gh` are (B, 3H) in the order r, z, n; `h` is (B, H). The workspace row is
//!   `[r, z, n, gh_n, h - n]` (5H).
//!
//! Each step's arithmetic is written in the order the unfused Tensor ops would do it, so the
//! fused and unfused paths agree to rounding.

use super::avx2_twin::avx2_dispatch;
use super::scalar::Real;

/// `sigmoid(a) * (1 - sigmoid(a))` from the activated value `s`: the sigmoid's slope.
#[inline]
fn sigmoid_slope<T: Real>(s: T) -> T {
    s * (T::ONE - s)
}

/// `1 - tanh(a)^2` from the activated value `t`: the tanh's slope.
#[inline]
fn tanh_slope<T: Real>(t: T) -> T {
    T::ONE - t * t
}

avx2_dispatch! {
    /// One LSTM step: `c' = f * c + i * g`, `h' = o * tanh(c')`, with i, f, o the sigmoids and
    /// g the tanh of the gates' parts. Writes h', c' and the workspace.
    pub fn lstm_forward<T: Real> => lstm_forward_body(
        gates: &[T],
        c: &[T],
        hidden: usize,
        h_out: &mut [T],
        c_out: &mut [T],
        workspace: &mut [T],
    )
}

#[inline(always)]
fn lstm_forward_body<T: Real>(
    gates: &[T],
    c: &[T],
    hidden: usize,
    h_out: &mut [T],
    c_out: &mut [T],
    workspace: &mut [T],
) {
    let rows = gates.chunks_exact(4 * hidden).zip(c.chunks_exact(hidden));
    let outs = h_out
        .chunks_exact_mut(hidden)
        .zip(c_out.chunks_exact_mut(hidden));
    for ((gate_row, c_row), ((h_row, c_new), ws)) in
        rows.zip(outs.zip(workspace.chunks_exact_mut(5 * hidden)))
    {
        let [gi, gf, gg, go] = parts(gate_row, hidden);
        let [wi, wf, wg, wo, wt] = parts_mut(ws, hidden);
        let (c_row, h_row, c_new) = (&c_row[..hidden], &mut h_row[..hidden], &mut c_new[..hidden]);
        for j in 0..hidden {
            let i = gi[j].sigmoid();
            let f = gf[j].sigmoid();
            let g = gg[j].tanh();
            let o = go[j].sigmoid();
            let cn = f * c_row[j] + i * g;
            let th = cn.tanh();
            c_new[j] = cn;
            h_row[j] = o * th;
            (wi[j], wf[j], wg[j], wo[j], wt[j]) = (i, f, g, o, th);
        }
    }
}

avx2_dispatch! {
    /// The gradients of one LSTM step with respect to its gates and its incoming cell state,
    /// from the gradients of h' and c' (`dh`, `dc_next`), the workspace and the incoming c.
    pub fn lstm_backward<T: Real> => lstm_backward_body(
        workspace: &[T],
        c: &[T],
        dh: &[T],
        dc_next: &[T],
        hidden: usize,
        d_gates: &mut [T],
        d_c: &mut [T],
    )
}

#[inline(always)]
fn lstm_backward_body<T: Real>(
    workspace: &[T],
    c: &[T],
    dh: &[T],
    dc_next: &[T],
    hidden: usize,
    d_gates: &mut [T],
    d_c: &mut [T],
) {
    let rows = workspace
        .chunks_exact(5 * hidden)
        .zip(c.chunks_exact(hidden))
        .zip(dh.chunks_exact(hidden).zip(dc_next.chunks_exact(hidden)));
    let outs = d_gates
        .chunks_exact_mut(4 * hidden)
        .zip(d_c.chunks_exact_mut(hidden));
    for (((ws, c_row), (dh_row, dcn_row)), (dg, dc)) in rows.zip(outs) {
        let [wi, wf, wg, wo, wt] = parts(ws, hidden);
        let [di, df, dgg, d_o] = parts_mut(dg, hidden);
        let (c_row, dh_row, dcn_row) = (&c_row[..hidden], &dh_row[..hidden], &dcn_row[..hidden]);
        let dc = &mut dc[..hidden];
        for j in 0..hidden {
            let (i, f, g, o, th) = (wi[j], wf[j], wg[j], wo[j], wt[j]);
            let dcn = dcn_row[j] + dh_row[j] * o * tanh_slope(th);
            di[j] = dcn * g * sigmoid_slope(i);
            df[j] = dcn * c_row[j] * sigmoid_slope(f);
            dgg[j] = dcn * i * tanh_slope(g);
            d_o[j] = dh_row[j] * th * sigmoid_slope(o);
            dc[j] = dcn * f;
        }
    }
}

avx2_dispatch! {
    /// One GRU step: `r = sigmoid(x_r + h_r)`, `z = sigmoid(x_z + h_z)`,
    /// `n = tanh(x_n + r * h_n)`, `h' = n + z * (h - n)`. Writes h' and the workspace.
    pub fn gru_forward<T: Real> => gru_forward_body(
        gx: &[T],
        gh: &[T],
        h: &[T],
        hidden: usize,
        h_out: &mut [T],
        workspace: &mut [T],
    )
}

#[inline(always)]
fn gru_forward_body<T: Real>(
    gx: &[T],
    gh: &[T],
    h: &[T],
    hidden: usize,
    h_out: &mut [T],
    workspace: &mut [T],
) {
    let rows = gx
        .chunks_exact(3 * hidden)
        .zip(gh.chunks_exact(3 * hidden))
        .zip(h.chunks_exact(hidden));
    let outs = h_out
        .chunks_exact_mut(hidden)
        .zip(workspace.chunks_exact_mut(5 * hidden));
    for (((x, hg), h_row), (h_new, ws)) in rows.zip(outs) {
        let [xr, xz, xn] = parts(x, hidden);
        let [hr, hz, hn] = parts(hg, hidden);
        let [wr, wz, wn, whn, wd] = parts_mut(ws, hidden);
        let (h_row, h_new) = (&h_row[..hidden], &mut h_new[..hidden]);
        for j in 0..hidden {
            let r = (xr[j] + hr[j]).sigmoid();
            let z = (xz[j] + hz[j]).sigmoid();
            let h_n = hn[j];
            let n = (xn[j] + r * h_n).tanh();
            let diff = h_row[j] - n;
            h_new[j] = n + z * diff;
            (wr[j], wz[j], wn[j], whn[j], wd[j]) = (r, z, n, h_n, diff);
        }
    }
}

avx2_dispatch! {
    /// The gradients of one GRU step with respect to the input's gates, the hidden state's
    /// gates and the incoming h, from the gradient of h' and the workspace.
    pub fn gru_backward<T: Real> => gru_backward_body(
        workspace: &[T],
        dh_next: &[T],
        hidden: usize,
        d_gx: &mut [T],
        d_gh: &mut [T],
        d_h: &mut [T],
    )
}

#[inline(always)]
fn gru_backward_body<T: Real>(
    workspace: &[T],
    dh_next: &[T],
    hidden: usize,
    d_gx: &mut [T],
    d_gh: &mut [T],
    d_h: &mut [T],
) {
    let rows = workspace
        .chunks_exact(5 * hidden)
        .zip(dh_next.chunks_exact(hidden));
    let outs = d_gx
        .chunks_exact_mut(3 * hidden)
        .zip(d_gh.chunks_exact_mut(3 * hidden))
        .zip(d_h.chunks_exact_mut(hidden));
    for ((ws, dy), ((dx, dhg), dh)) in rows.zip(outs) {
        let [wr, wz, wn, whn, wd] = parts(ws, hidden);
        let [dxr, dxz, dxn] = parts_mut(dx, hidden);
        let [dhr, dhz, dhn] = parts_mut(dhg, hidden);
        let (dy, dh) = (&dy[..hidden], &mut dh[..hidden]);
        for j in 0..hidden {
            let (r, z, n, h_n, diff) = (wr[j], wz[j], wn[j], whn[j], wd[j]);
            let d_n = dy[j] * (T::ONE - z) * tanh_slope(n);
            let d_r = d_n * h_n * sigmoid_slope(r);
            let d_z = dy[j] * diff * sigmoid_slope(z);
            (dxr[j], dxz[j], dxn[j]) = (d_r, d_z, d_n);
            (dhr[j], dhz[j], dhn[j]) = (d_r, d_z, d_n * r);
            dh[j] = dy[j] * z;
        }
    }
}

/// A row cut into its `N` parts of `hidden` values each (the gates, or a workspace row): with
/// every part's length known to be `hidden`, the loop over `0..hidden` needs no bounds checks
/// and vectorises.
#[inline(always)]
fn parts<T, const N: usize>(row: &[T], hidden: usize) -> [&[T]; N] {
    std::array::from_fn(|k| &row[k * hidden..(k + 1) * hidden])
}

/// `parts` for writing.
#[inline(always)]
fn parts_mut<T, const N: usize>(row: &mut [T], hidden: usize) -> [&mut [T]; N] {
    let mut rest = &mut row[..N * hidden];
    std::array::from_fn(|_| {
        let (part, tail) = std::mem::take(&mut rest).split_at_mut(hidden);
        rest = tail;
        part
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sigmoid(x: f64) -> f64 {
        1.0 / (1.0 + (-x).exp())
    }

    /// The LSTM step of one element in plain maths, for finite differences.
    fn lstm_scalar(a: [f64; 4], c: f64) -> (f64, f64) {
        let cn = sigmoid(a[1]) * c + sigmoid(a[0]) * a[2].tanh();
        (sigmoid(a[3]) * cn.tanh(), cn)
    }

    #[test]
    fn lstm_backward_matches_finite_differences() {
        let a = [0.3, -0.7, 0.5, 1.1];
        let c = -0.4;
        let (mut h, mut cn, mut ws) = ([0.0], [0.0], [0.0; 5]);
        lstm_forward(&a, &[c], 1, &mut h, &mut cn, &mut ws);
        assert_eq!((h[0], cn[0]), lstm_scalar(a, c));
        // Loss = 2 h' + 3 c'.
        let (mut dg, mut dc) = ([0.0; 4], [0.0]);
        lstm_backward(&ws, &[c], &[2.0], &[3.0], 1, &mut dg, &mut dc);
        let loss = |a: [f64; 4], c: f64| {
            let (h, cn) = lstm_scalar(a, c);
            2.0 * h + 3.0 * cn
        };
        let eps = 1e-6;
        for k in 0..4 {
            let (mut up, mut down) = (a, a);
            up[k] += eps;
            down[k] -= eps;
            let numeric = (loss(up, c) - loss(down, c)) / (2.0 * eps);
            assert!(
                (numeric - dg[k]).abs() < 1e-8,
                "gate {k}: {numeric} vs {}",
                dg[k]
            );
        }
        let numeric = (loss(a, c + eps) - loss(a, c - eps)) / (2.0 * eps);
        assert!((numeric - dc[0]).abs() < 1e-8);
    }

    #[test]
    fn gru_backward_matches_finite_differences() {
        let (x, gh, h) = ([0.2, -0.3, 0.8], [-0.5, 0.4, 0.6], 0.9);
        let step = |x: [f64; 3], gh: [f64; 3], h: f64| {
            let r = sigmoid(x[0] + gh[0]);
            let z = sigmoid(x[1] + gh[1]);
            let n = (x[2] + r * gh[2]).tanh();
            (1.0 - z) * n + z * h
        };
        let (mut out, mut ws) = ([0.0], [0.0; 5]);
        gru_forward(&x, &gh, &[h], 1, &mut out, &mut ws);
        assert!((out[0] - step(x, gh, h)).abs() < 1e-15);
        let (mut dx, mut dgh, mut dh) = ([0.0; 3], [0.0; 3], [0.0]);
        gru_backward(&ws, &[1.0], 1, &mut dx, &mut dgh, &mut dh);
        let eps = 1e-6;
        for k in 0..3 {
            let (mut up, mut down) = (x, x);
            up[k] += eps;
            down[k] -= eps;
            let numeric = (step(up, gh, h) - step(down, gh, h)) / (2.0 * eps);
            assert!((numeric - dx[k]).abs() < 1e-8, "x {k}");
            let (mut up, mut down) = (gh, gh);
            up[k] += eps;
            down[k] -= eps;
            let numeric = (step(x, up, h) - step(x, down, h)) / (2.0 * eps);
            assert!((numeric - dgh[k]).abs() < 1e-8, "gh {k}");
        }
        let numeric = (step(x, gh, h + eps) - step(x, gh, h - eps)) / (2.0 * eps);
        assert!((numeric - dh[0]).abs() < 1e-8);
    }

    /// Deterministic float32 values in about [-4, 4], a different sequence per `seed`.
    fn values(n: usize, seed: u32) -> Vec<f32> {
        (0..n as u32)
            .map(|i| {
                ((i.wrapping_mul(2_654_435_761) ^ seed.wrapping_mul(40_503)) % 8001) as f32 / 1000.0
                    - 4.0
            })
            .collect()
    }

    #[test]
    fn the_avx2_build_of_the_cells_gives_the_baseline_bits() {
        // The dispatched kernels take the AVX2 copy on a CPU that has it; the bodies called
        // directly are the x86-64 baseline build. Neither uses FMA, so the bits agree.
        let (batch, hidden) = (3, 37);
        let n = batch * hidden;
        let (gates, c, dh, dc) = (values(4 * n, 1), values(n, 2), values(n, 3), values(n, 4));
        let run = |fast: bool| {
            let (mut h, mut cn, mut ws) = (vec![0.0; n], vec![0.0; n], vec![0.0; 5 * n]);
            let (mut dg, mut d_c) = (vec![0.0; 4 * n], vec![0.0; n]);
            if fast {
                lstm_forward(&gates, &c, hidden, &mut h, &mut cn, &mut ws);
                lstm_backward(&ws, &c, &dh, &dc, hidden, &mut dg, &mut d_c);
            } else {
                lstm_forward_body(&gates, &c, hidden, &mut h, &mut cn, &mut ws);
                lstm_backward_body(&ws, &c, &dh, &dc, hidden, &mut dg, &mut d_c);
            }
            (h, cn, ws, dg, d_c)
        };
        assert_eq!(run(true), run(false));
        let (gx, gh) = (values(3 * n, 5), values(3 * n, 6));
        let run = |fast: bool| {
            let (mut h, mut ws) = (vec![0.0; n], vec![0.0; 5 * n]);
            let (mut dx, mut dhg, mut d_h) = (vec![0.0; 3 * n], vec![0.0; 3 * n], vec![0.0; n]);
            if fast {
                gru_forward(&gx, &gh, &c, hidden, &mut h, &mut ws);
                gru_backward(&ws, &dh, hidden, &mut dx, &mut dhg, &mut d_h);
            } else {
                gru_forward_body(&gx, &gh, &c, hidden, &mut h, &mut ws);
                gru_backward_body(&ws, &dh, hidden, &mut dx, &mut dhg, &mut d_h);
            }
            (h, ws, dx, dhg, d_h)
        };
        assert_eq!(run(true), run(false));
    }
}
