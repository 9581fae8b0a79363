//! The 1-d poolings: PyTorch's checks and messages for them, then the 2-d pooling of the input
//! with a height of one (so the result's node is `SqueezeBackward1` over the 2-d one's, as in
//! PyTorch).

use super::Tensor;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::op::not_implemented_msg;

/// `max_pool1d()`'s check of one argument's length.
fn one_int(values: &[i64], what: &str, allow_empty: bool) -> Result<i64> {
    match values {
        [v] => Ok(*v),
        [] if allow_empty => Ok(0),
        _ => Err(Error::runtime(format!(
            "max_pool1d() {what} of size 1 but got size {}",
            values.len()
        ))),
    }
}

/// `avg_pool1d()`'s and the adaptive ones' check of one argument's length.
fn single(op: &str, name: &str, values: &[i64]) -> Result<i64> {
    match values {
        [v] => Ok(*v),
        _ => Err(Error::runtime(format!(
            "{op}() argument '{name}' should contain one int (got {})",
            values.len()
        ))),
    }
}

fn check_rank_2_or_3(t: &Tensor, op: &str) -> Result<()> {
    if t.ndim() == 2 || t.ndim() == 3 {
        return Ok(());
    }
    Err(Error::runtime(format!(
        "Expected 2 to 3 dimensions, but got {}-dimensional tensor for argument #1 'self' (while checking arguments for {op})",
        t.ndim()
    )))
}

impl Tensor {
    /// `max_pool1d_with_indices`.
    pub fn max_pool1d_with_indices(
        &self,
        kernel: &[i64],
        stride: &[i64],
        padding: &[i64],
        dilation: &[i64],
        ceil_mode: bool,
    ) -> Result<(Tensor, Tensor)> {
        let shape = self.shape();
        let non_batch_empty = shape
            .iter()
            .skip(self.ndim().saturating_sub(2))
            .any(|&d| d == 0);
        if !(self.ndim() == 2 || self.ndim() == 3) || non_batch_empty {
            return Err(Error::runtime(format!(
                "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:{shape:?}"
            )));
        }
        let k = one_int(
            kernel,
            "kernel_size must be an int, list of ints or tuple of ints",
            false,
        )?;
        let s = one_int(
            stride,
            "stride must be None, an int, list of ints, or tuple of ints",
            true,
        )?;
        let s = if stride.is_empty() { k } else { s };
        let p = one_int(
            padding,
            "padding must be an int, list of ints, or tuple of ints",
            false,
        )?;
        let d = one_int(
            dilation,
            "dilation must be an int, list of ints or tuple of ints",
            false,
        )?;
        let fail = |msg: String| Err(Error::runtime(format!("max_pool1d() {msg}")));
        if k <= 0 {
            return fail(format!(
                "kernel_size must be greater than zero, but got {k}"
            ));
        }
        if s <= 0 {
            return fail(format!("stride must be greater than zero, but got {s}"));
        }
        if p < 0 {
            return fail(format!("padding must be non-negative, but got {p}"));
        }
        if p > k / 2 {
            return fail(format!(
                "padding should be at most half of kernel size, but got padding={p} and kernel_size={k}"
            ));
        }
        if d <= 0 {
            return fail(format!("dilation must be greater than zero, but got {d}"));
        }
        let length = shape[self.ndim() - 1] as i64;
        let span = length + 2 * p - d * (k - 1) - 1 + if ceil_mode { s - 1 } else { 0 };
        let mut out = span.div_euclid(s) + 1;
        if ceil_mode && (out - 1) * s >= length + p {
            out -= 1;
        }
        if out < 1 {
            return fail(format!("Invalid computed output size: {out}"));
        }
        if self.dtype() == DType::Bool {
            return Err(not_implemented_msg(
                "\"max_pool1d_impl\" not implemented for 'Bool'",
            ));
        }
        let (v, i) = self.unsqueeze(-2)?.max_pool_with_indices(
            2,
            &[1, k],
            &[1, s],
            &[0, p],
            &[1, d],
            ceil_mode,
        )?;
        Ok((v.squeeze(Some(&[-2]))?, i.squeeze(Some(&[-2]))?))
    }

    /// `avg_pool1d`.
    pub fn avg_pool1d(
        &self,
        kernel: &[i64],
        stride: &[i64],
        padding: &[i64],
        ceil_mode: bool,
        count_include_pad: bool,
    ) -> Result<Tensor> {
        check_rank_2_or_3(self, "avg_pool1d")?;
        let k = single("avg_pool1d", "kernel_size", kernel)?;
        let s = if stride.is_empty() {
            k
        } else {
            single("avg_pool1d", "stride", stride)?
        };
        let p = single("avg_pool1d", "padding", padding)?;
        self.unsqueeze(-2)?
            .avg_pool(
                2,
                &[1, k],
                &[1, s],
                &[0, p],
                ceil_mode,
                count_include_pad,
                None,
            )?
            .squeeze(Some(&[-2]))
    }

    /// `adaptive_avg_pool1d`.
    pub fn adaptive_avg_pool1d(&self, output_size: &[i64]) -> Result<Tensor> {
        check_rank_2_or_3(self, "adaptive_avg_pool1d")?;
        let o = single("adaptive_avg_pool1d", "output_size", output_size)?;
        self.unsqueeze(-2)?
            .adaptive_avg_pool(2, &[1, o])?
            .squeeze(Some(&[-2]))
    }

    /// `adaptive_max_pool1d`.
    pub fn adaptive_max_pool1d(&self, output_size: &[i64]) -> Result<(Tensor, Tensor)> {
        check_rank_2_or_3(self, "adaptive_max_pool1d")?;
        let o = single("adaptive_max_pool1d", "output_size", output_size)?;
        if let Some(empty) = (1..self.ndim()).find(|&d| self.shape()[d] == 0) {
            return Err(Error::runtime(format!(
                "adaptive_max_pool1d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes {:?} with dimension {empty} being empty",
                self.shape()
            )));
        }
        let (v, i) = self.unsqueeze(-2)?.adaptive_max_pool(2, &[1, o])?;
        Ok((v.squeeze(Some(&[-2]))?, i.squeeze(Some(&[-2]))?))
    }
}
