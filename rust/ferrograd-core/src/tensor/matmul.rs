//! Matrix products: `matmul` (PyTorch's dispatch to dot / mv / mm / batched products, folding
//! batches into one large product where that needs no copy), `mm`, `bmm`, `mv`, `dot`, `vdot`,
//! and [`product`], the one kernel call behind all of them.

use super::Tensor;
use crate::cpu::matmul::{self, MatView, MatmulElement, Product};
use crate::dtype::{DType, Element, Scalar};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::shape::broadcast_shapes;
use crate::strided::offsets;
use crate::with_dtype;

/// The C++ type names some of PyTorch's messages print (`float != double`).
pub(crate) fn cpp_type_name(d: DType) -> &'static str {
    match d {
        DType::Bool => "bool",
        DType::U8 => "unsigned char",
        DType::I8 => "signed char",
        DType::I16 => "short int",
        DType::I32 => "int",
        DType::I64 => "long int",
        DType::F16 => "c10::Half",
        DType::BF16 => "c10::BFloat16",
        DType::F32 => "float",
        DType::F64 => "double",
    }
}

/// PyTorch's NotImplementedError for a kernel without this dtype: `"bmm" not implemented for 'Bool'`.
pub(crate) use crate::op::not_implemented;

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
        run_product::<T>(a, b, &out, alpha, beta)?;
    });
    Ok(out)
}

fn one() -> Scalar {
    Scalar::Int(1)
}

impl Tensor {
    /// `mm`: a 2-D matrix product.
    pub fn mm(&self, mat2: &Tensor) -> Result<Tensor> {
        check_mm_args("mm", self, mat2)?;
        if self.dtype() != mat2.dtype() {
            return Err(Error::runtime(format!(
                "expected m1 and m2 to have the same dtype, but got: {} != {}",
                cpp_type_name(self.dtype()),
                cpp_type_name(mat2.dtype())
            )));
        }
        if self.dtype() == DType::Bool {
            return Err(not_implemented("addmm_impl_cpu_", DType::Bool));
        }
        product(self, mat2, None, one())
    }

    /// `bmm`: a batch of matrix products, `(b, n, m) @ (b, m, p)`.
    pub fn bmm(&self, mat2: &Tensor) -> Result<Tensor> {
        check_bmm_args(self, mat2)?;
        check_same_scalar_type(self, mat2)?;
        if self.dtype() == DType::Bool {
            return Err(not_implemented("bmm", DType::Bool));
        }
        product(self, mat2, None, one())
    }

    /// `mv`: matrix times vector.
    pub fn mv(&self, vec: &Tensor) -> Result<Tensor> {
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
    }

    /// `dot`: the inner product of two 1-D tensors, as a 0-dim tensor.
    pub fn dot(&self, other: &Tensor) -> Result<Tensor> {
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
    }

    /// `vdot`: `dot` with the first argument conjugated, which for real dtypes is `dot`.
    pub fn vdot(&self, other: &Tensor) -> Result<Tensor> {
        self.dot(other)
    }

    /// `matmul` / `@`: PyTorch's rules for every combination of ranks.
    pub fn matmul(&self, other: &Tensor) -> Result<Tensor> {
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
    let (shape, strides) = (big.shape(), big.strides());
    (0..big.ndim() - 2).all(|i| strides[i] == strides[i + 1] * shape[i + 1])
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
    let out = product(&a, &b, None, one())?;
    let mut shape = batch.clone();
    if d1 > 1 {
        shape.push(n);
    }
    if d2 > 1 {
        shape.push(p);
    }
    out.view(&to_i64(&shape))
}
