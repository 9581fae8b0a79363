//! Products built from `mm` and views: `tensordot`, `inner`, `outer`/`ger`, `kron`,
//! `linalg.multi_dot` and `chain_matmul`. When a gradient is needed, each is composed of
//! recorded ops the way PyTorch composes it (so the graph, and `grad_fn`, are PyTorch's);
//! otherwise the products of flattened values are formed directly.

use super::matmul::product;
use super::{Arg, Tensor};
use crate::autograd::formulas::view::reshape_back;
use crate::autograd::{needs_grad, tracked};
use crate::cpu::matmul::outer;
use crate::device_scope::DeviceScope;
use crate::dtype::{promote_types, result_type, DType, Operand, Scalar};
use crate::error::{Error, Result};
use crate::op::BinaryOp;
use crate::shape::normalize_dim;
use crate::with_dtype;

fn to_i64(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&d| d as i64).collect()
}

/// Sums `t` over `dim`, keeping it as a size-1 dim, by a product with a vector of ones (the
/// contraction ops need this for broadcast dims; it keeps them free of the reduction kernels).
/// When a gradient is needed it is the recorded `sum`, as in PyTorch.
pub(crate) fn sum_dim_keepdim(t: &Tensor, dim: usize) -> Result<Tensor> {
    if needs_grad(&[t]) {
        return t.sum(Some(&[dim as i64]), true, None);
    }
    let moved = t.movedim(&[dim as i64], &[-1])?;
    let n = t.shape()[dim];
    let ones = Tensor::ones(&[n, 1], t.dtype())?;
    let mut batch = moved.shape()[..moved.ndim() - 1].to_vec();
    let rows: usize = batch.iter().product();
    let flat = moved.reshape(&[rows as i64, n as i64])?;
    let summed = product(&flat, &ones, None, Scalar::Int(1))?;
    batch.push(1);
    summed.view(&to_i64(&batch))?.movedim(&[-1], &[dim as i64])
}

/// The elementwise product of `a` and `b` broadcast as outer product of their flattened values,
/// in `dtype`: shape `a.shape + b.shape`.
fn outer_flat(a: &Tensor, b: &Tensor, dtype: DType) -> Result<Tensor> {
    let mut shape = a.shape().to_vec();
    shape.extend_from_slice(b.shape());
    with_dtype!(dtype, T => {
        let av = a.to_dtype(dtype)?.to_vec::<T>()?;
        let bv = b.to_dtype(dtype)?.to_vec::<T>()?;
        let mut out = vec![T::default(); av.len() * bv.len()];
        outer(&av, &bv, &mut out);
        Tensor::from_vec(out, &shape)
    })
}

/// Normalises a list of dims and refuses repeats, with PyTorch's messages.
/// `a * b` as the recorded elementwise product.
fn recorded_mul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    a.binary(BinaryOp::Mul, &Arg::Tensor(b.clone()), None)
}

fn dim_set(dims: &[i64], ndim: usize) -> Result<Vec<usize>> {
    let mut out: Vec<usize> = Vec::with_capacity(dims.len());
    for &d in dims {
        let n = normalize_dim(d, ndim)?;
        if out.contains(&n) {
            return Err(Error::runtime(format!(
                "dim {n} appears multiple times in the list of dims"
            )));
        }
        out.push(n);
    }
    Ok(out)
}

impl Tensor {
    /// `outer` / `ger`: `out[i, j] = self[i] * vec2[j]`, in the promoted dtype.
    pub fn outer(&self, vec2: &Tensor) -> Result<Tensor> {
        let _on = DeviceScope::of(&[self, vec2])?;
        for (name, t) in [("self", self), ("vec2", vec2)] {
            if t.ndim() != 1 {
                return Err(Error::runtime(format!(
                    "outer: Expected 1-D argument {name}, but got {}-D",
                    t.ndim()
                )));
            }
        }
        if needs_grad(&[self, vec2]) {
            // A column times a row, broadcast: `MulBackward0` records the gradients.
            let column = self.reshape(&[self.shape()[0] as i64, 1])?;
            return recorded_mul(&column, vec2);
        }
        outer_flat(self, vec2, promote_types(self.dtype(), vec2.dtype()))
    }

    /// `kron`: the Kronecker product, with both shapes padded to the same rank.
    pub fn kron(&self, other: &Tensor) -> Result<Tensor> {
        let _on = DeviceScope::of(&[self, other])?;
        if needs_grad(&[self, other]) {
            return self.kron_recorded(other);
        }
        let nd = self.ndim().max(other.ndim());
        let pad = |t: &Tensor| {
            let mut s = vec![1usize; nd - t.ndim()];
            s.extend_from_slice(t.shape());
            s
        };
        let (sa, sb) = (pad(self), pad(other));
        let prod = outer_flat(self, other, promote_types(self.dtype(), other.dtype()))?;
        // (a0.., b0..) -> (a0, b0, a1, b1, ..) -> (a0*b0, a1*b1, ..)
        let mut full = sa.clone();
        full.extend_from_slice(&sb);
        let perm: Vec<i64> = (0..nd).flat_map(|i| [i as i64, (nd + i) as i64]).collect();
        let result: Vec<i64> = (0..nd).map(|i| (sa[i] * sb[i]) as i64).collect();
        prod.view(&to_i64(&full))?.permute(&perm)?.reshape(&result)
    }

    /// `kron` from recorded ops, as PyTorch builds it: `self` gets a size-1 dim after each of
    /// its dims and `other` one before each of its, so that their broadcast product holds
    /// `a[i] * b[j]` at `(i0, j0, i1, j1, ..)`; merging each pair of dims gives the result.
    fn kron_recorded(&self, other: &Tensor) -> Result<Tensor> {
        let nd = self.ndim().max(other.ndim());
        let pad = |t: &Tensor| {
            let mut s = vec![1i64; nd - t.ndim()];
            s.extend(t.shape().iter().map(|&d| d as i64));
            s
        };
        let (sa, sb) = (pad(self), pad(other));
        let a_shape: Vec<i64> = sa.iter().flat_map(|&n| [n, 1]).collect();
        let b_shape: Vec<i64> = sb.iter().flat_map(|&n| [1, n]).collect();
        let prod = recorded_mul(&self.reshape(&a_shape)?, &other.reshape(&b_shape)?)?;
        let result: Vec<i64> = sa.iter().zip(&sb).map(|(&a, &b)| a * b).collect();
        // PyTorch merges the pairs with `_unsafe_view`: its node is `UnsafeViewBackward0`, and
        // the result is not a view of the temporary product (hence the `detach`).
        tracked(
            &[&prod],
            || Ok(prod.view(&result)?.detach()),
            |_| Ok(reshape_back("UnsafeViewBackward0", &prod)),
        )
    }

    /// `inner`: contracts the last dims of both; with a 0-dim operand it is their product.
    pub fn inner(&self, other: &Tensor) -> Result<Tensor> {
        if self.ndim() == 0 || other.ndim() == 0 {
            if needs_grad(&[self, other]) {
                // PyTorch's `self * other`, recorded.
                return recorded_mul(self, other);
            }
            let operand = |t: &Tensor| match t.ndim() {
                0 => Operand::ZeroDimTensor(t.dtype()),
                _ => Operand::Tensor(t.dtype()),
            };
            let dtype = result_type(&[operand(self), operand(other)]).unwrap_or(self.dtype());
            let r = outer_flat(self, other, dtype)?;
            let shape = if self.ndim() == 0 {
                other.shape()
            } else {
                self.shape()
            };
            return r.view(&to_i64(shape));
        }
        let (a, b) = (self.shape(), other.shape());
        if a.last() != b.last() {
            return Err(Error::runtime(format!(
                "inner() the last dimension must match on both input tensors but got shapes {a:?} and {b:?}"
            )));
        }
        if self.dtype() != other.dtype() {
            return Err(Error::runtime("both inputs should have same dtype"));
        }
        self.tensordot(other, &[-1], &[-1])
    }

    /// `tensordot(a, b, dims=n)`: contracts the last `n` dims of `self` with the first `n` of `other`.
    pub fn tensordot_n(&self, other: &Tensor, dims: i64) -> Result<Tensor> {
        let _on = DeviceScope::of(&[self, other])?;
        if dims < 0 {
            return Err(Error::runtime(format!(
                "tensordot expects dims >= 0, but got dims={dims}"
            )));
        }
        if dims as usize > self.ndim().min(other.ndim()) {
            return Err(Error::runtime(format!(
                "tensordot expects dims < ndim_a or ndim_b, but got dims={dims}"
            )));
        }
        let dims_a: Vec<i64> = (-dims..0).collect();
        let dims_b: Vec<i64> = (0..dims).collect();
        self.tensordot(other, &dims_a, &dims_b)
    }

    /// `tensordot(a, b, dims=(dims_a, dims_b))`: permute both so the contracted dims meet, and
    /// multiply as matrices. A size-1 contracted dim facing a larger one is summed first.
    pub fn tensordot(&self, other: &Tensor, dims_a: &[i64], dims_b: &[i64]) -> Result<Tensor> {
        let _on = DeviceScope::of(&[self, other])?;
        if dims_a.len() != dims_b.len() {
            return Err(Error::runtime(
                "both dimension lists should have same length",
            ));
        }
        if self.dtype() != other.dtype() {
            return Err(Error::runtime("both inputs should have same dtype"));
        }
        let (mut t1, mut t2) = (self.clone(), other.clone());
        let mut csize = 1usize;
        for (&da, &db) in dims_a.iter().zip(dims_b) {
            let (ia, ib) = (
                normalize_dim(da, self.ndim())?,
                normalize_dim(db, other.ndim())?,
            );
            let (s1, s2) = (self.shape()[ia], other.shape()[ib]);
            if s2 == 1 {
                t1 = sum_dim_keepdim(&t1, ia)?;
            } else if s1 == 1 {
                t2 = sum_dim_keepdim(&t2, ib)?;
            } else if s1 != s2 {
                return Err(Error::runtime(format!(
                    "contracted dimensions need to match, but first has size {s1} in dim {da} and second has size {s2} in dim {db}"
                )));
            } else {
                csize *= s1;
            }
        }
        let (ca, cb) = (
            dim_set(dims_a, self.ndim())?,
            dim_set(dims_b, other.ndim())?,
        );
        let free_a: Vec<usize> = (0..self.ndim()).filter(|d| !ca.contains(d)).collect();
        let free_b: Vec<usize> = (0..other.ndim()).filter(|d| !cb.contains(d)).collect();
        let mut result: Vec<usize> = free_a.iter().map(|&d| t1.shape()[d]).collect();
        result.extend(free_b.iter().map(|&d| t2.shape()[d]));
        let size1: usize = free_a.iter().map(|&d| t1.shape()[d]).product();
        let size2: usize = free_b.iter().map(|&d| t2.shape()[d]).product();
        let p1: Vec<i64> = free_a.iter().chain(&ca).map(|&d| d as i64).collect();
        let p2: Vec<i64> = cb.iter().chain(&free_b).map(|&d| d as i64).collect();
        let (m1, m2) = (t1.permute(&p1)?, t2.permute(&p2)?);
        let product = if size1 == 1 && size2 == 1 {
            // Nothing is left free: PyTorch takes the dot product of the flattened operands.
            let c = [csize as i64];
            m1.reshape(&c)?.dot(&m2.reshape(&c)?)?
        } else {
            let m1 = m1.reshape(&[size1 as i64, csize as i64])?;
            m1.mm(&m2.reshape(&[csize as i64, size2 as i64])?)?
        };
        product.reshape(&to_i64(&result))
    }

    /// `linalg.multi_dot`: the product of a chain of matrices, in the cheapest association
    /// order; the first and last may be vectors.
    pub fn multi_dot(tensors: &[Tensor]) -> Result<Tensor> {
        multi_dot_impl(tensors)
    }

    /// `chain_matmul`: `multi_dot` restricted to 2-D matrices (one matrix is returned as a copy).
    pub fn chain_matmul(matrices: &[Tensor]) -> Result<Tensor> {
        if matrices.is_empty() {
            return Err(Error::runtime(
                "chain_matmul(): Expected one or more matrices",
            ));
        }
        if let Some(t) = matrices.iter().find(|t| t.ndim() != 2) {
            return Err(Error::runtime(format!(
                "Tensor dimension is {}, expected 2 instead.",
                t.ndim()
            )));
        }
        if matrices.len() == 1 {
            return matrices[0].deep_clone();
        }
        multi_dot_impl(matrices)
    }
}

/// Checks ranks, dtypes and shapes of a multi_dot chain, with PyTorch's messages.
fn check_chain(tensors: &[Tensor]) -> Result<()> {
    let n = tensors.len();
    if n < 2 {
        return Err(Error::runtime(format!(
            "multi_dot(): expected at least 2 tensors but got {n}"
        )));
    }
    for (i, t) in tensors.iter().enumerate() {
        let d = t.ndim();
        let msg = if i == 0 && !(1..=2).contains(&d) {
            format!("multi_dot(): the first tensor must be 1D or 2D but got {d}D")
        } else if i == n - 1 && !(1..=2).contains(&d) {
            format!("multi_dot(): the last tensor must be 1D or 2D but got {d}D")
        } else if i > 0 && i < n - 1 && d != 2 {
            format!("multi_dot(): tensor {i} must be 2D but got {d}D")
        } else {
            continue;
        };
        return Err(Error::runtime(msg));
    }
    let dtype = tensors[0].dtype();
    if let Some(i) = tensors.iter().position(|t| t.dtype() != dtype) {
        return Err(Error::runtime(format!(
            "multi_dot(): all tensors must have be the same dtype but tensor 0 is {} and tensor {i} {}",
            dtype.cpp_type_name(),
            (tensors[i].dtype()).cpp_type_name()
        )));
    }
    Ok(())
}

fn multi_dot_impl(tensors: &[Tensor]) -> Result<Tensor> {
    check_chain(tensors)?;
    let n = tensors.len();
    let first_vec = tensors[0].ndim() == 1;
    let last_vec = tensors[n - 1].ndim() == 1;
    let mut mats: Vec<Tensor> = Vec::with_capacity(n);
    for (i, t) in tensors.iter().enumerate() {
        mats.push(match (i, t.ndim()) {
            (0, 1) => t.unsqueeze(0)?,
            (i, 1) if i == n - 1 => t.unsqueeze(1)?,
            _ => t.clone(),
        });
    }
    for i in 0..n - 1 {
        let (a, b) = (mats[i].shape(), mats[i + 1].shape());
        if a[1] != b[0] {
            return Err(Error::runtime(format!(
                "multi_dot(): tensors {i} and {} with shapes {:?} and {:?} cannot be multiplied",
                i + 1,
                tensors[i].shape(),
                tensors[i + 1].shape()
            )));
        }
    }
    let order = chain_order(&mats);
    let mut result = chain_product(&mats, &order, 0, n - 1)?;
    if first_vec {
        result = result.squeeze(Some(&[0]))?;
    }
    if last_vec {
        result = result.squeeze(Some(&[-1]))?;
    }
    Ok(result)
}

/// The classic dynamic programme for the cheapest parenthesisation: `split[i][j]` is where the
/// product of matrices `i..=j` splits.
fn chain_order(mats: &[Tensor]) -> Vec<Vec<usize>> {
    let n = mats.len();
    let mut dims: Vec<u128> = mats.iter().map(|m| m.shape()[0] as u128).collect();
    dims.push(mats[n - 1].shape()[1] as u128);
    let mut cost = vec![vec![0u128; n]; n];
    let mut split = vec![vec![0usize; n]; n];
    for len in 1..n {
        for i in 0..n - len {
            let j = i + len;
            cost[i][j] = u128::MAX;
            for k in i..j {
                let c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1];
                if c < cost[i][j] {
                    cost[i][j] = c;
                    split[i][j] = k;
                }
            }
        }
    }
    split
}

fn chain_product(mats: &[Tensor], split: &[Vec<usize>], i: usize, j: usize) -> Result<Tensor> {
    if i == j {
        return Ok(mats[i].clone());
    }
    let k = split[i][j];
    let left = chain_product(mats, split, i, k)?;
    let right = chain_product(mats, split, k + 1, j)?;
    left.mm(&right)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: Vec<f64>, shape: &[usize]) -> Result<Tensor> {
        Tensor::from_vec(v, shape)
    }

    #[test]
    fn kron_of_matrices() -> Result<()> {
        let a = t(vec![1.0, 2.0, 3.0, 4.0], &[2, 2])?;
        let b = t(vec![0.0, 1.0, 1.0, 0.0], &[2, 2])?;
        let k = a.kron(&b)?;
        assert_eq!(k.shape(), &[4, 4]);
        assert_eq!(
            k.to_vec::<f64>()?,
            vec![0.0, 1.0, 0.0, 2.0, 1.0, 0.0, 2.0, 0.0, 0.0, 3.0, 0.0, 4.0, 3.0, 0.0, 4.0, 0.0]
        );
        Ok(())
    }

    #[test]
    fn tensordot_and_multi_dot() -> Result<()> {
        let a = t((0..24).map(f64::from).collect(), &[2, 3, 4])?;
        let b = t(vec![1.0; 12], &[3, 4])?;
        // sum over the last two dims of each 3x4 block: 0..12 -> 66, 12..24 -> 210
        assert_eq!(a.tensordot_n(&b, 2)?.to_vec::<f64>()?, vec![66.0, 210.0]);
        let v = t(vec![1.0, 2.0], &[2])?;
        let m = t(vec![1.0, 0.0, 0.0, 1.0], &[2, 2])?;
        let r = Tensor::multi_dot(&[v.clone(), m, v])?;
        assert_eq!(r.shape(), &[] as &[usize]);
        assert_eq!(r.to_vec::<f64>()?, vec![5.0]);
        Ok(())
    }
}
