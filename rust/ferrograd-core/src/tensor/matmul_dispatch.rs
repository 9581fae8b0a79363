//! `matmul` / `@`: PyTorch's dispatch on the ranks of the operands (dot, mv, mm, or a batched
//! product), including its folding of a batch into one large product when that needs no copy.

use super::matmul::{check_same_scalar_type, product};
use super::Tensor;
use crate::autograd::formulas::matmul;
use crate::autograd::tracked;
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::op::not_implemented;
use crate::shape::broadcast_shapes;

impl Tensor {
    /// `matmul` / `@`: PyTorch's rules for every combination of ranks.
    pub fn matmul(&self, other: &Tensor) -> Result<Tensor> {
        let name = matmul::matmul_name(self.ndim(), other.ndim());
        tracked(
            &[self, other],
            || self.matmul_untracked(other),
            |_| Ok(matmul::spec(name, self, other)),
        )
    }

    fn matmul_untracked(&self, other: &Tensor) -> Result<Tensor> {
        let (d1, d2) = (self.ndim(), other.ndim());
        if d1 == 0 || d2 == 0 {
            return Err(Error::runtime(format!(
                "both arguments to matmul need to be at least 1D, but they are {d1}D and {d2}D"
            )));
        }
        match (d1, d2) {
            (1, 1) => self.dot(other),
            (2, 1) => self.mv(other),
            (1, 2) => self.unsqueeze(0)?.mm(other)?.squeeze(Some(&[0])),
            (2, 2) => self.mm(other),
            _ if should_fold(self, other) => matmul_folded(self, other),
            _ => matmul_batched(self, other),
        }
    }
}

/// PyTorch's `should_fold`: a >= 3-D tensor times a 1-D or 2-D one becomes a single mm / mv
/// over the folded batch when the larger tensor can be viewed as a matrix without a copy.
fn should_fold(t1: &Tensor, t2: &Tensor) -> bool {
    let larger_first = t1.ndim() >= t2.ndim();
    let (big, small_ndim) = if larger_first {
        (t1.clone(), t2.ndim())
    } else {
        match t2.matrix_transpose() {
            Ok(t) => (t, t1.ndim()),
            Err(_) => return false,
        }
    };
    if !(big.ndim() >= 3 && small_ndim <= 2) {
        return false;
    }
    // The small operand's gradient is cheaper from a folded product (PyTorch's reasoning).
    if t2.requires_grad() {
        return true;
    }
    if t1.ndim() == 2 {
        return false; // the result would need a transposing copy
    }
    if big.numel() == 0 {
        return true;
    }
    // Foldable when the larger operand can be viewed as a matrix without a copy (size-1 dims
    // do not count, as in PyTorch).
    let last = big.shape()[big.ndim() - 1];
    let rows = big.numel() / last.max(1);
    big.layout().view_strides(&[rows, last]).is_some()
}

fn to_i64(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&d| d as i64).collect()
}

/// `(..., n, m) @ (m, p)` or `@ (m)` (or the mirrored case) as one mm / mv over a folded batch.
fn matmul_folded(tensor1: &Tensor, tensor2: &Tensor) -> Result<Tensor> {
    let transpose = tensor2.ndim() > tensor1.ndim();
    let t1 = if transpose {
        tensor2.matrix_transpose()?
    } else {
        tensor1.clone()
    };
    let t2 = if !transpose {
        tensor2.clone()
    } else if tensor1.ndim() == 2 {
        tensor1.t()?
    } else {
        tensor1.clone()
    };
    let sizes = t1.shape();
    let mut output_shape = sizes[..sizes.len() - 1].to_vec();
    let folded: usize = output_shape.iter().product();
    let last = *sizes.last().unwrap_or(&0);
    let t1_folded = t1.reshape(&[folded as i64, last as i64])?;
    if t2.ndim() == 2 {
        output_shape.push(t2.shape()[1]);
        let out = t1_folded.mm(&t2)?.view(&to_i64(&output_shape))?;
        if transpose {
            out.matrix_transpose()?.contiguous()
        } else {
            Ok(out)
        }
    } else {
        t1_folded.mv(&t2)?.view(&to_i64(&output_shape))
    }
}

/// The general case: broadcast the batch dims and run one batched product. Broadcast batches
/// stay stride-0 views (PyTorch copies them into a folded 3-D tensor; the kernel here takes
/// any batch layout, so no copy is needed).
fn matmul_batched(tensor1: &Tensor, tensor2: &Tensor) -> Result<Tensor> {
    let (d1, d2) = (tensor1.ndim(), tensor2.ndim());
    let (s1, s2) = (tensor1.shape(), tensor2.shape());
    let n = if d1 > 1 { s1[d1 - 2] } else { 1 };
    let m1 = s1[d1 - 1];
    let batch1 = if d1 > 1 { &s1[..d1 - 2] } else { &[][..] };
    let m2 = if d2 > 1 { s2[d2 - 2] } else { s2[0] };
    let p = if d2 > 1 { s2[d2 - 1] } else { 1 };
    let batch2 = if d2 > 2 { &s2[..d2 - 2] } else { &[][..] };
    let batch = broadcast_shapes(batch1, batch2)?;
    let batch_product: usize = batch.iter().product();

    let with = |tail: &[usize]| {
        let mut v = to_i64(&batch);
        v.extend(to_i64(tail));
        v
    };
    let a = if d1 == 1 {
        tensor1.unsqueeze(0)?
    } else {
        tensor1.clone()
    }
    .expand(&with(&[n, m1]))?;
    let b = if d2 == 1 {
        tensor2.unsqueeze(1)?
    } else {
        tensor2.clone()
    }
    .expand(&with(&[m2, p]))?;
    if m1 != m2 {
        return Err(Error::runtime(format!(
            "Expected size for first two dimensions of batch2 tensor to be: [{batch_product}, {m1}] but got: [{batch_product}, {m2}]."
        )));
    }
    check_same_scalar_type(&a, &b)?;
    if a.dtype() == DType::Bool {
        return Err(not_implemented("bmm", DType::Bool));
    }
    let out = product(&a, &b, None, Scalar::Int(1))?;
    let mut shape = batch.clone();
    if d1 > 1 {
        shape.push(n);
    }
    if d2 > 1 {
        shape.push(p);
    }
    out.view(&to_i64(&shape))
}
