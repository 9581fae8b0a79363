//! Matrix products: `matmul` (PyTorch's dispatch to dot / mv / mm / batched products, folding
//! batches into one large product where that needs no copy), `mm`, `bmm`, `mv`, `dot`, `vdot`,
//! and [`product`], the one kernel call behind all of them.

use super::Tensor;
use crate::autograd::{formulas, tracked};
use crate::cpu::matmul::{self, MatView, MatmulElement, Product};
use crate::dtype::{DType, Element, Scalar};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::op::not_implemented;
use crate::strided::offsets;
use crate::wgpu::matmul as gpu_matmul;
use crate::with_dtype;

/// The storage offset where each matrix of `t` starts; its leading `nbatch` dims are the batch.
fn batch_starts(t: &Tensor, nbatch: usize) -> Vec<usize> {
    let l = t.layout();
    let batch = Layout::new(
        l.shape()[..nbatch].to_vec(),
        l.strides()[..nbatch].to_vec(),
        l.offset(),
    );
    offsets(&batch).collect()
}

fn is_zero<T: Element>(v: T) -> bool {
    v == T::default()
}

/// Runs the kernel for element type `T`: `out = beta * out + alpha * a @ b` per batch entry.
fn run_product<T: MatmulElement>(
    a: &Tensor,
    b: &Tensor,
    out: &Tensor,
    alpha: T,
    beta: Option<T>,
) -> Result<()> {
    let nb = a.ndim() - 2;
    let (sa, sb) = (batch_starts(a, nb), batch_starts(b, nb));
    let view = |t: &Tensor, starts| MatView {
        starts,
        rs: t.strides()[nb],
        cs: t.strides()[nb + 1],
    };
    let a_data = a.storage().read();
    // Both operands may be views of one storage (`x @ x.T`): read it once.
    let b_data = (!a.storage().same(b.storage())).then(|| b.storage().read());
    let a_buf = a_data.cpu()?.as_slice::<T>();
    let b_buf = match &b_data {
        Some(d) => d.cpu()?.as_slice::<T>(),
        None => a_buf,
    };
    let p = Product {
        m: a.shape()[nb],
        n: b.shape()[nb + 1],
        k: a.shape()[nb + 1],
        a: a_buf,
        a_view: view(a, &sa),
        b: b_buf,
        b_view: view(b, &sb),
        alpha,
        beta,
    };
    let mut out_data = out.storage().write();
    matmul::batched_product(&p, out_data.cpu_mut()?.as_mut_slice::<T>())
}

/// `beta * input + alpha * (a @ b)` over leading batch dims that already agree (broadcast dims
/// have stride 0, so nothing is copied), as a new contiguous `(batch..., m, n)` tensor. Without
/// `input` it is `alpha * a @ b`. Callers have checked shapes and dtypes.
pub(crate) fn product(
    a: &Tensor,
    b: &Tensor,
    input: Option<(&Tensor, Scalar)>,
    alpha: Scalar,
) -> Result<Tensor> {
    let dtype = a.dtype();
    if matches!(dtype, DType::F16 | DType::BF16) {
        // No half-precision GEMM: accumulate in f32 and round once, as PyTorch's CPU kernels do.
        let input32 = match input {
            Some((t, beta)) => Some((t.to_dtype(DType::F32)?, beta)),
            None => None,
        };
        let a32 = a.to_dtype(DType::F32)?;
        let b32 = b.to_dtype(DType::F32)?;
        let r = product(&a32, &b32, input32.as_ref().map(|(t, s)| (t, *s)), alpha)?;
        return r.to_dtype(dtype);
    }
    let nb = a.ndim() - 2;
    let mut shape = a.shape()[..nb].to_vec();
    shape.extend([a.shape()[nb], b.shape()[nb + 1]]);
    let out = Tensor::zeros(&shape, dtype)?;
    with_dtype!(dtype, T => {
        let beta = match input {
            Some((t, beta)) if !is_zero(beta.cast::<T>()) => {
                out.copy_(t)?;
                Some(beta.cast::<T>())
            }
            _ => None,
        };
        let alpha = alpha.cast::<T>();
        if is_zero(alpha) {
            // BLAS semantics: with alpha = 0 the product is not formed (inf * 0 stays out).
            if let Some(beta) = beta {
                let mut data = out.storage().write();
                matmul::scale(data.cpu_mut()?.as_mut_slice::<T>(), beta);
            }
            return Ok(out);
        }
        let on_gpu = out.device().is_wgpu()
            && gpu_matmul::product(a, b, &out, alpha.to_f64(), beta.map(T::to_f64))?;
        if !on_gpu {
            run_product::<T>(a, b, &out, alpha, beta)?;
        }
    });
    Ok(out)
}

fn one() -> Scalar {
    Scalar::Int(1)
}

impl Tensor {
    /// `mm`: a 2-D matrix product.
    pub fn mm(&self, mat2: &Tensor) -> Result<Tensor> {
        tracked(
            &[self, mat2],
            || {
                check_mm_args("mm", self, mat2)?;
                if self.dtype() != mat2.dtype() {
                    return Err(Error::runtime(format!(
                        "expected m1 and m2 to have the same dtype, but got: {} != {}",
                        self.dtype().cpp_type_name(),
                        mat2.dtype().cpp_type_name()
                    )));
                }
                if self.dtype() == DType::Bool {
                    return Err(not_implemented("addmm_impl_cpu_", DType::Bool));
                }
                product(self, mat2, None, one())
            },
            |_| Ok(formulas::matmul::spec("MmBackward0", self, mat2)),
        )
    }

    /// `bmm`: a batch of matrix products, `(b, n, m) @ (b, m, p)`.
    pub fn bmm(&self, mat2: &Tensor) -> Result<Tensor> {
        tracked(
            &[self, mat2],
            || {
                check_bmm_args(self, mat2)?;
                check_same_scalar_type(self, mat2)?;
                if self.dtype() == DType::Bool {
                    return Err(not_implemented("bmm", DType::Bool));
                }
                product(self, mat2, None, one())
            },
            |_| Ok(formulas::matmul::spec("BmmBackward0", self, mat2)),
        )
    }

    /// `mv`: matrix times vector.
    pub fn mv(&self, vec: &Tensor) -> Result<Tensor> {
        tracked(
            &[self, vec],
            || {
                if self.ndim() == 0 {
                    return Err(Error::DimOnScalar { dim: 0 }); // PyTorch reads size(0) first
                }
                check_mv_args(None, self, vec)?;
                let (d, v) = (self.dtype(), vec.dtype());
                if d != v {
                    return Err(Error::runtime(format!(
                        "addmv input tensors must have the same dtype, but got {}, {}, and {}",
                        v.scalar_type_name(),
                        d.scalar_type_name(),
                        v.scalar_type_name()
                    )));
                }
                if d == DType::Bool {
                    return Err(not_implemented("addmv_impl_cpu", d));
                }
                let r = product(self, &vec.unsqueeze(1)?, None, one())?;
                r.view(&[self.shape()[0] as i64])
            },
            |_| Ok(formulas::matmul::spec("MvBackward0", self, vec)),
        )
    }

    /// `dot`: the inner product of two 1-D tensors, as a 0-dim tensor.
    pub fn dot(&self, other: &Tensor) -> Result<Tensor> {
        tracked(
            &[self, other],
            || {
                if self.ndim() != 1 || other.ndim() != 1 {
                    return Err(Error::runtime(format!(
                        "1D tensors expected, but got {}D and {}D tensors",
                        self.ndim(),
                        other.ndim()
                    )));
                }
                if self.dtype() != other.dtype() {
                    return Err(Error::runtime(format!(
                        "dot : expected both vectors to have same dtype, but found {} and {}",
                        self.dtype().scalar_type_name(),
                        other.dtype().scalar_type_name()
                    )));
                }
                let (n, m) = (self.shape()[0], other.shape()[0]);
                if n != m {
                    return Err(Error::runtime(format!(
                "inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number of elements, but got {n} and {m} elements respectively"
            )));
                }
                if self.dtype() == DType::Bool {
                    return Err(not_implemented("dot", DType::Bool));
                }
                let r = product(&self.unsqueeze(0)?, &other.unsqueeze(1)?, None, one())?;
                r.view(&[])
            },
            |_| Ok(formulas::matmul::spec("DotBackward0", self, other)),
        )
    }

    /// `vdot`: `dot` with the first argument conjugated, which for real dtypes is `dot`.
    pub fn vdot(&self, other: &Tensor) -> Result<Tensor> {
        self.dot(other)
    }
}

/// The argument checks `mm` and `addmm` share (`op` prefixes their messages).
pub(crate) fn check_mm_args(op: &str, mat1: &Tensor, mat2: &Tensor) -> Result<()> {
    for (name, t) in [("self", mat1), ("mat2", mat2)] {
        if t.ndim() != 2 {
            return Err(Error::runtime(format!(
                "{op}: {name} must be a matrix, got {}-D tensor",
                t.ndim()
            )));
        }
    }
    let (a, b) = (mat1.shape(), mat2.shape());
    if a[1] != b[0] {
        return Err(Error::runtime(format!(
            "{op}: mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})",
            a[0], a[1], b[0], b[1]
        )));
    }
    Ok(())
}

pub(crate) fn check_bmm_args(batch1: &Tensor, batch2: &Tensor) -> Result<()> {
    for (name, t) in [("batch1", batch1), ("batch2", batch2)] {
        if t.ndim() != 3 {
            return Err(Error::runtime(format!("{name} must be a 3D tensor")));
        }
    }
    let (a, b) = (batch1.shape(), batch2.shape());
    if b[0] != a[0] || b[1] != a[2] {
        return Err(Error::runtime(format!(
            "Expected size for first two dimensions of batch2 tensor to be: [{}, {}] but got: [{}, {}].",
            a[0], a[2], b[0], b[1]
        )));
    }
    Ok(())
}

pub(crate) fn check_same_scalar_type(a: &Tensor, b: &Tensor) -> Result<()> {
    if a.dtype() != b.dtype() {
        return Err(Error::runtime(format!(
            "expected scalar type {} but found {}",
            a.dtype().scalar_type_name(),
            b.dtype().scalar_type_name()
        )));
    }
    Ok(())
}

/// The checks of `mv` and `addmv`; `input` is addmv's input (`None` for `mv`, whose result
/// plays that part: 1-D with one entry per matrix row).
pub(crate) fn check_mv_args(input: Option<&Tensor>, mat: &Tensor, vec: &Tensor) -> Result<()> {
    let rows = mat.shape().first().copied().unwrap_or(0);
    let (input_ndim, input_numel) = input.map_or((1, rows), |t| (t.ndim(), t.numel()));
    if mat.ndim() != 2 || vec.ndim() != 1 || input_ndim > 1 {
        return Err(Error::runtime(format!(
            "vector + matrix @ vector expected, got {}, {}, {}",
            input_ndim,
            mat.ndim(),
            vec.ndim()
        )));
    }
    let (m, k) = (mat.shape()[0], mat.shape()[1]);
    if k != vec.shape()[0] || (input_numel != m && input_numel != 1) {
        return Err(Error::runtime(format!(
            "size mismatch, got input ({input_numel}), mat ({m}x{k}), vec ({})",
            vec.shape()[0]
        )));
    }
    Ok(())
}
