//! Products added to an input: `addmm`, `addmv`, `baddbmm`, `addbmm` (`beta * input +
//! alpha * product`) and their in-place forms. The GEMM applies beta and alpha itself, so no
//! elementwise op is involved; with `beta = 0` the input is ignored (NaN included), as in BLAS.
//! Each records one node (`AddmmBackward0`, ...) with the input and both factors as inputs.

use super::matmul::{check_bmm_args, check_mm_args, check_mv_args, product};
use super::Tensor;
use crate::autograd::formulas::products::{product_add_back, ProductAdd};
use crate::autograd::{needs_grad, tracked, tracked_in_place};
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::op::not_implemented;
use crate::shape::normalize_dim;

fn to_i64(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&d| d as i64).collect()
}

/// addmm's and addbmm's dtype checks, in PyTorch's order.
fn check_addmm_dtypes(input: &Tensor, mat1: &Tensor, mat2: &Tensor) -> Result<()> {
    for (name, t) in [("self", input), ("mat1", mat1)] {
        if t.dtype() != mat2.dtype() {
            return Err(Error::runtime(format!(
                "{name} and mat2 must have the same dtype, but got {} and {}",
                t.dtype().scalar_type_name(),
                mat2.dtype().scalar_type_name()
            )));
        }
    }
    Ok(())
}

/// The size of `dim` of `t`, with PyTorch's IndexError when `t` has too few dims.
fn size_at(t: &Tensor, dim: i64) -> Result<usize> {
    if t.ndim() == 0 {
        return Err(Error::DimOnScalar { dim });
    }
    Ok(t.shape()[normalize_dim(dim, t.ndim())?])
}

impl Tensor {
    /// `addmm(input, mat1, mat2, beta, alpha)`: `beta * input + alpha * mat1 @ mat2`, with
    /// `input` broadcast to the result.
    pub fn addmm(
        &self,
        mat1: &Tensor,
        mat2: &Tensor,
        beta: Scalar,
        alpha: Scalar,
    ) -> Result<Tensor> {
        tracked(
            &[self, mat1, mat2],
            || {
                check_addmm_dtypes(self, mat1, mat2)?;
                check_mm_args("addmm", mat1, mat2)?;
                let input = self.expand(&[mat1.shape()[0] as i64, mat2.shape()[1] as i64])?;
                if self.dtype() == DType::Bool {
                    return Err(not_implemented("addmm_impl_cpu_", DType::Bool));
                }
                product(mat1, mat2, Some((&input, beta)), alpha)
            },
            |_| Ok(product_add_back(ProductAdd::Mm, mat1, mat2, beta, alpha)),
        )
    }

    /// `addmv(input, mat, vec, beta, alpha)`: `beta * input + alpha * mat @ vec`.
    pub fn addmv(&self, mat: &Tensor, vec: &Tensor, beta: Scalar, alpha: Scalar) -> Result<Tensor> {
        tracked(
            &[self, mat, vec],
            || {
                check_mv_args(Some(self), mat, vec)?;
                let (d, m, v) = (self.dtype(), mat.dtype(), vec.dtype());
                if d != m || m != v {
                    return Err(Error::runtime(format!(
                        "addmv input tensors must have the same dtype, but got {}, {}, and {}",
                        d.scalar_type_name(),
                        m.scalar_type_name(),
                        v.scalar_type_name()
                    )));
                }
                if d == DType::Bool {
                    return Err(not_implemented("addmv_impl_cpu", d));
                }
                let rows = mat.shape()[0];
                let input = self.expand(&[rows as i64])?.unsqueeze(1)?;
                let r = product(mat, &vec.unsqueeze(1)?, Some((&input, beta)), alpha)?;
                r.view(&[rows as i64])
            },
            |_| Ok(product_add_back(ProductAdd::Mv, mat, vec, beta, alpha)),
        )
    }

    /// `baddbmm(input, batch1, batch2, beta, alpha)`: `beta * input + alpha * batch1 @ batch2`
    /// for each batch entry.
    pub fn baddbmm(
        &self,
        batch1: &Tensor,
        batch2: &Tensor,
        beta: Scalar,
        alpha: Scalar,
    ) -> Result<Tensor> {
        tracked(
            &[self, batch1, batch2],
            || {
                let (d, d1, d2) = (self.dtype(), batch1.dtype(), batch2.dtype());
                if d != d1 || d != d2 {
                    return Err(Error::runtime(format!(
                        "Input dtypes must be the same, got: input {}, batch1: {}, batch2: {}",
                        d.cpp_type_name(),
                        d1.cpp_type_name(),
                        d2.cpp_type_name()
                    )));
                }
                let shape = [
                    size_at(batch1, 0)?,
                    size_at(batch1, 1)?,
                    size_at(batch2, 2)?,
                ];
                let input = self.expand(&to_i64(&shape))?;
                check_bmm_args(batch1, batch2)?;
                if d == DType::Bool {
                    return Err(not_implemented("baddbmm", d));
                }
                product(batch1, batch2, Some((&input, beta)), alpha)
            },
            |_| {
                Ok(product_add_back(
                    ProductAdd::Baddbmm,
                    batch1,
                    batch2,
                    beta,
                    alpha,
                ))
            },
        )
    }

    /// `addbmm(input, batch1, batch2, beta, alpha)`: `beta * input + alpha * sum_b batch1[b] @
    /// batch2[b]`.
    pub fn addbmm(
        &self,
        batch1: &Tensor,
        batch2: &Tensor,
        beta: Scalar,
        alpha: Scalar,
    ) -> Result<Tensor> {
        tracked(
            &[self, batch1, batch2],
            || self.addbmm_untracked(batch1, batch2, beta, alpha),
            |_| {
                Ok(product_add_back(
                    ProductAdd::Addbmm,
                    batch1,
                    batch2,
                    beta,
                    alpha,
                ))
            },
        )
    }

    /// addbmm's forward, computed as one product whose inner dim runs over batch and columns.
    fn addbmm_untracked(
        &self,
        batch1: &Tensor,
        batch2: &Tensor,
        beta: Scalar,
        alpha: Scalar,
    ) -> Result<Tensor> {
        let (n, p) = (size_at(batch1, 1)?, size_at(batch2, 2)?);
        check_addmm_dtypes(self, batch1, batch2)?;
        for (name, t) in [("batch1", batch1), ("batch2", batch2)] {
            if t.ndim() != 3 {
                return Err(Error::runtime(format!("{name} must be a 3D tensor")));
            }
        }
        let (b1, b2) = (batch1.shape(), batch2.shape());
        if b1[0] != b2[0] {
            return Err(Error::runtime(format!(
                "batch1 and batch2 must have same number of batches, got {} and {}",
                b1[0], b2[0]
            )));
        }
        if b1[2] != b2[1] {
            return Err(Error::runtime(format!(
                "Incompatible matrix sizes for bmm ({}x{} and {}x{})",
                b1[1], b1[2], b2[1], b2[2]
            )));
        }
        let input = self.expand(&[n as i64, p as i64])?;
        if self.dtype() == DType::Bool {
            return Err(not_implemented("addmm_impl_cpu_", DType::Bool));
        }
        // sum_b A_b @ B_b = [A_0 | A_1 | ...] @ [B_0; B_1; ...]
        let inner = (b1[0] * b1[2]) as i64;
        let a = batch1.permute(&[1, 0, 2])?.reshape(&[n as i64, inner])?;
        let b = batch2.reshape(&[inner, p as i64])?;
        product(&a, &b, Some((&input, beta)), alpha)
    }

    /// Checks that an out-of-place result can be written into `self`, as PyTorch's in-place
    /// variants do: the result must have `self`'s shape, and `self` must not be a broadcast
    /// view.
    fn check_in_place_result(&self, result: &Tensor) -> Result<()> {
        if result.shape() != self.shape() {
            return Err(Error::runtime(format!(
                "Bad in-place call: input tensor size {:?} and output tensor size {:?} should match",
                self.shape(),
                result.shape()
            )));
        }
        self.check_no_internal_overlap("in-place product")
    }

    /// An in-place member of the family: `op` computes the result out of place from `self`'s
    /// value; when a gradient is needed the write is recorded (`self` takes the new node).
    fn product_in_place(
        &self,
        factors: [&Tensor; 2],
        op: impl Fn(&Tensor) -> Result<Tensor>,
    ) -> Result<Tensor> {
        if needs_grad(&[self, factors[0], factors[1]]) {
            return tracked_in_place(self, |old| {
                let result = op(old)?;
                self.check_in_place_result(&result)?;
                Ok(result)
            });
        }
        let result = op(self)?;
        self.check_in_place_result(&result)?;
        self.copy_(&result)?;
        Ok(self.clone())
    }

    pub fn addmm_(
        &self,
        mat1: &Tensor,
        mat2: &Tensor,
        beta: Scalar,
        alpha: Scalar,
    ) -> Result<Tensor> {
        self.product_in_place([mat1, mat2], |x| x.addmm(mat1, mat2, beta, alpha))
    }

    pub fn addmv_(
        &self,
        mat: &Tensor,
        vec: &Tensor,
        beta: Scalar,
        alpha: Scalar,
    ) -> Result<Tensor> {
        self.product_in_place([mat, vec], |x| x.addmv(mat, vec, beta, alpha))
    }

    pub fn baddbmm_(
        &self,
        batch1: &Tensor,
        batch2: &Tensor,
        beta: Scalar,
        alpha: Scalar,
    ) -> Result<Tensor> {
        self.product_in_place([batch1, batch2], |x| x.baddbmm(batch1, batch2, beta, alpha))
    }

    pub fn addbmm_(
        &self,
        batch1: &Tensor,
        batch2: &Tensor,
        beta: Scalar,
        alpha: Scalar,
    ) -> Result<Tensor> {
        self.product_in_place([batch1, batch2], |x| x.addbmm(batch1, batch2, beta, alpha))
    }
}
