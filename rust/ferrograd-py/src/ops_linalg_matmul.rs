//! Bindings of the matrix products: `matmul` and `@`, `mm`, `bmm`, `mv`, `dot`, `vdot`,
//! `inner`, `outer`/`ger`, the `addmm` family (with in-place forms), `kron`, `cross`,
//! `tensordot`, `einsum`, `chain_matmul`. Argument parsing only; the maths is in the core.

use ferrograd_core::{Scalar, Tensor};
use pyo3::exceptions::{PyUserWarning, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::args::{extract_int, extract_scalar};
use crate::errors::{core, runtime_err, type_err};
use crate::tensor::{wrap, PyTensor};

type Out = PyResult<Py<PyTensor>>;

/// Work (in multiply-adds) above which a product runs with the GIL released.
const DETACH_WORK: usize = 1 << 16;

/// Runs a core op, releasing the GIL when it is big enough for that to pay.
pub fn run<T: Send>(
    py: Python<'_>,
    op: &'static str,
    work: usize,
    f: impl FnOnce() -> ferrograd_core::Result<T> + Send,
) -> PyResult<T> {
    if work >= DETACH_WORK {
        py.detach(|| core(op, f))
    } else {
        core(op, f)
    }
}

/// A rough multiply-add count for a product of these operands.
fn work(a: &Tensor, b: &Tensor) -> usize {
    let inner = a.shape().last().copied().unwrap_or(1);
    a.numel().saturating_mul(b.numel()) / inner.max(1)
}

/// Delivers a result, honouring `out=` as PyTorch does: same dtype required; an `out` of the
/// right shape is written in place, any other is resized (a warning if it held elements).
pub fn finish(py: Python<'_>, result: Tensor, out: Option<&Bound<'_, PyTensor>>) -> Out {
    let Some(out) = out else {
        return wrap(py, result);
    };
    let current = out.borrow().t.clone();
    if current.dtype() != result.dtype() {
        return Err(runtime_err(format!(
            "Expected out tensor to have dtype {}, but got {} instead",
            cpp_name(result.dtype()),
            cpp_name(current.dtype())
        )));
    }
    if current.shape() == result.shape() {
        core("out=", || current.copy_(&result))?;
    } else {
        if current.numel() > 0 {
            let msg = format!(
                "An output with one or more elements was resized since it had shape {:?}, which does not match the required output shape {:?}. This behavior is deprecated, and in a future PyTorch release outputs will not be resized unless they have zero elements. You can explicitly reuse an out tensor t by resizing it, inplace, to zero elements with t.resize_(0).",
                current.shape(),
                result.shape()
            );
            let msg = std::ffi::CString::new(msg).map_err(|e| runtime_err(e.to_string()))?;
            PyErr::warn(py, &py.get_type::<PyUserWarning>(), &msg, 1)?;
        }
        out.borrow_mut().t = result;
    }
    Ok(out.clone().unbind())
}

fn cpp_name(d: ferrograd_core::DType) -> &'static str {
    use ferrograd_core::DType::*;
    match d {
        Bool => "bool",
        U8 => "unsigned char",
        I8 => "signed char",
        I16 => "short int",
        I32 => "int",
        I64 => "long int",
        F16 => "c10::Half",
        BF16 => "c10::BFloat16",
        F32 => "float",
        F64 => "double",
    }
}

fn scalar(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Scalar> {
    obj.map_or(Ok(Scalar::Int(1)), extract_scalar)
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (other, *, out=None))]
    fn matmul(
        &self,
        py: Python<'_>,
        other: PyRef<'_, PyTensor>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> Out {
        let (a, b) = (&self.t, &other.t);
        let r = run(py, "matmul", work(a, b), || a.matmul(b))?;
        finish(py, r, out)
    }

    fn __matmul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(other) = other.cast::<PyTensor>() else {
            return Ok(py.NotImplemented());
        };
        let b = other.borrow().t.clone();
        let r = run(py, "matmul", work(&self.t, &b), || self.t.matmul(&b))?;
        Ok(wrap(py, r)?.into_any())
    }

    fn __rmatmul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(other) = other.cast::<PyTensor>() else {
            return Ok(py.NotImplemented());
        };
        let a = other.borrow().t.clone();
        let r = run(py, "matmul", work(&a, &self.t), || a.matmul(&self.t))?;
        Ok(wrap(py, r)?.into_any())
    }

    #[pyo3(signature = (mat2, *, out=None))]
    fn mm(
        &self,
        py: Python<'_>,
        mat2: PyRef<'_, PyTensor>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> Out {
        let (a, b) = (&self.t, &mat2.t);
        let r = run(py, "mm", work(a, b), || a.mm(b))?;
        finish(py, r, out)
    }

    #[pyo3(signature = (mat2, *, out=None))]
    fn bmm(
        &self,
        py: Python<'_>,
        mat2: PyRef<'_, PyTensor>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> Out {
        let (a, b) = (&self.t, &mat2.t);
        let r = run(py, "bmm", work(a, b), || a.bmm(b))?;
        finish(py, r, out)
    }

    #[pyo3(signature = (vec, *, out=None))]
    fn mv(
        &self,
        py: Python<'_>,
        vec: PyRef<'_, PyTensor>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> Out {
        let (a, b) = (&self.t, &vec.t);
        let r = run(py, "mv", work(a, b), || a.mv(b))?;
        finish(py, r, out)
    }

    #[pyo3(signature = (tensor, *, out=None))]
    fn dot(
        &self,
        py: Python<'_>,
        tensor: PyRef<'_, PyTensor>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> Out {
        let r = core("dot", || self.t.dot(&tensor.t))?;
        finish(py, r, out)
    }

    #[pyo3(signature = (other, *, out=None))]
    fn vdot(
        &self,
        py: Python<'_>,
        other: PyRef<'_, PyTensor>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> Out {
        let r = core("vdot", || self.t.vdot(&other.t))?;
        finish(py, r, out)
    }

    #[pyo3(signature = (other, *, out=None))]
    fn inner(
        &self,
        py: Python<'_>,
        other: PyRef<'_, PyTensor>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> Out {
        let (a, b) = (&self.t, &other.t);
        let r = run(py, "inner", work(a, b), || a.inner(b))?;
        finish(py, r, out)
    }

    #[pyo3(signature = (vec2, *, out=None))]
    fn outer(
        &self,
        py: Python<'_>,
        vec2: PyRef<'_, PyTensor>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> Out {
        let r = core("outer", || self.t.outer(&vec2.t))?;
        finish(py, r, out)
    }

    #[pyo3(signature = (vec2, *, out=None))]
    fn ger(
        &self,
        py: Python<'_>,
        vec2: PyRef<'_, PyTensor>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> Out {
        self.outer(py, vec2, out)
    }

    #[pyo3(signature = (other, *, out=None))]
    fn kron(
        &self,
        py: Python<'_>,
        other: PyRef<'_, PyTensor>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> Out {
        let r = core("kron", || self.t.kron(&other.t))?;
        finish(py, r, out)
    }

    #[pyo3(signature = (other, dim=None, *, out=None))]
    fn cross(
        &self,
        py: Python<'_>,
        other: PyRef<'_, PyTensor>,
        dim: Option<i64>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> Out {
        let r = core("cross", || self.t.cross(&other.t, dim))?;
        finish(py, r, out)
    }

    #[pyo3(signature = (mat1, mat2, *, beta=None, alpha=None, out=None))]
    fn addmm(
        &self,
        py: Python<'_>,
        mat1: PyRef<'_, PyTensor>,
        mat2: PyRef<'_, PyTensor>,
        beta: Option<&Bound<'_, PyAny>>,
        alpha: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> Out {
        let (beta, alpha) = (scalar(beta)?, scalar(alpha)?);
        let (c, a, b) = (&self.t, &mat1.t, &mat2.t);
        let r = run(py, "addmm", work(a, b), || c.addmm(a, b, beta, alpha))?;
        finish(py, r, out)
    }

    #[pyo3(signature = (mat1, mat2, *, beta=None, alpha=None))]
    fn addmm_<'py>(
        slf: PyRef<'py, Self>,
        mat1: PyRef<'_, PyTensor>,
        mat2: PyRef<'_, PyTensor>,
        beta: Option<&Bound<'_, PyAny>>,
        alpha: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyRef<'py, Self>> {
        let (beta, alpha) = (scalar(beta)?, scalar(alpha)?);
        let (c, a, b) = (&slf.t, &mat1.t, &mat2.t);
        run(slf.py(), "addmm_", work(a, b), || {
            c.addmm_(a, b, beta, alpha)
        })?;
        Ok(slf)
    }

    #[pyo3(signature = (mat, vec, *, beta=None, alpha=None, out=None))]
    fn addmv(
        &self,
        py: Python<'_>,
        mat: PyRef<'_, PyTensor>,
        vec: PyRef<'_, PyTensor>,
        beta: Option<&Bound<'_, PyAny>>,
        alpha: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> Out {
        let (beta, alpha) = (scalar(beta)?, scalar(alpha)?);
        let (c, a, b) = (&self.t, &mat.t, &vec.t);
        let r = run(py, "addmv", work(a, b), || c.addmv(a, b, beta, alpha))?;
        finish(py, r, out)
    }

    #[pyo3(signature = (mat, vec, *, beta=None, alpha=None))]
    fn addmv_<'py>(
        slf: PyRef<'py, Self>,
        mat: PyRef<'_, PyTensor>,
        vec: PyRef<'_, PyTensor>,
        beta: Option<&Bound<'_, PyAny>>,
        alpha: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyRef<'py, Self>> {
        let (beta, alpha) = (scalar(beta)?, scalar(alpha)?);
        let (c, a, b) = (&slf.t, &mat.t, &vec.t);
        run(slf.py(), "addmv_", work(a, b), || {
            c.addmv_(a, b, beta, alpha)
        })?;
        Ok(slf)
    }

    #[pyo3(signature = (batch1, batch2, *, beta=None, alpha=None, out=None))]
    fn baddbmm(
        &self,
        py: Python<'_>,
        batch1: PyRef<'_, PyTensor>,
        batch2: PyRef<'_, PyTensor>,
        beta: Option<&Bound<'_, PyAny>>,
        alpha: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> Out {
        let (beta, alpha) = (scalar(beta)?, scalar(alpha)?);
        let (c, a, b) = (&self.t, &batch1.t, &batch2.t);
        let r = run(py, "baddbmm", work(a, b), || c.baddbmm(a, b, beta, alpha))?;
        finish(py, r, out)
    }

    #[pyo3(signature = (batch1, batch2, *, beta=None, alpha=None))]
    fn baddbmm_<'py>(
        slf: PyRef<'py, Self>,
        batch1: PyRef<'_, PyTensor>,
        batch2: PyRef<'_, PyTensor>,
        beta: Option<&Bound<'_, PyAny>>,
        alpha: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyRef<'py, Self>> {
        let (beta, alpha) = (scalar(beta)?, scalar(alpha)?);
        let (c, a, b) = (&slf.t, &batch1.t, &batch2.t);
        run(slf.py(), "baddbmm_", work(a, b), || {
            c.baddbmm_(a, b, beta, alpha)
        })?;
        Ok(slf)
    }

    #[pyo3(signature = (batch1, batch2, *, beta=None, alpha=None, out=None))]
    fn addbmm(
        &self,
        py: Python<'_>,
        batch1: PyRef<'_, PyTensor>,
        batch2: PyRef<'_, PyTensor>,
        beta: Option<&Bound<'_, PyAny>>,
        alpha: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> Out {
        let (beta, alpha) = (scalar(beta)?, scalar(alpha)?);
        let (c, a, b) = (&self.t, &batch1.t, &batch2.t);
        let r = run(py, "addbmm", work(a, b), || c.addbmm(a, b, beta, alpha))?;
        finish(py, r, out)
    }

    #[pyo3(signature = (batch1, batch2, *, beta=None, alpha=None))]
    fn addbmm_<'py>(
        slf: PyRef<'py, Self>,
        batch1: PyRef<'_, PyTensor>,
        batch2: PyRef<'_, PyTensor>,
        beta: Option<&Bound<'_, PyAny>>,
        alpha: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyRef<'py, Self>> {
        let (beta, alpha) = (scalar(beta)?, scalar(alpha)?);
        let (c, a, b) = (&slf.t, &batch1.t, &batch2.t);
        run(slf.py(), "addbmm_", work(a, b), || {
            c.addbmm_(a, b, beta, alpha)
        })?;
        Ok(slf)
    }
}

/// A list of ints from a list/tuple (or a 1-D integer tensor), for tensordot's dims.
fn dim_list(obj: &Bound<'_, PyAny>, arg: &str, pos: usize) -> PyResult<Vec<i64>> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = t.borrow().t.clone();
        return core("tensordot", || t.to_vec::<i64>());
    }
    let items: Vec<Bound<'_, PyAny>> = if let Ok(l) = obj.cast::<PyList>() {
        l.iter().collect()
    } else if let Ok(t) = obj.cast::<PyTuple>() {
        t.iter().collect()
    } else {
        let what = obj
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        return Err(type_err(format!(
            "tensordot(): argument '{arg}' (position {pos}) must be tuple of ints, not {what}"
        )));
    };
    items
        .iter()
        .map(|i| {
            extract_int(i).ok_or_else(|| {
                type_err(format!(
                    "tensordot(): argument '{arg}' (position {pos}) must be tuple of ints"
                ))
            })
        })
        .collect()
}

/// `tensordot(a, b, dims=2)`: `dims` is an int, a pair of dim lists, or a tensor of either.
#[pyfunction]
#[pyo3(signature = (a, b, dims=None, out=None))]
fn tensordot(
    py: Python<'_>,
    a: PyRef<'_, PyTensor>,
    b: PyRef<'_, PyTensor>,
    dims: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyTensor>>,
) -> Out {
    let (x, y) = (&a.t, &b.t);
    let r = match dims {
        None => run(py, "tensordot", work(x, y), || x.tensordot_n(y, 2))?,
        Some(d) => {
            let as_tensor = d.cast::<PyTensor>().ok().map(|t| t.borrow().t.clone());
            let n = match &as_tensor {
                Some(t) if t.ndim() == 0 => Some(core("tensordot", || t.item())?.to_f64() as i64),
                Some(_) => None,
                None => extract_int(d),
            };
            if let Some(n) = n {
                run(py, "tensordot", work(x, y), || x.tensordot_n(y, n))?
            } else {
                let pair: Vec<Bound<'_, PyAny>> = match &as_tensor {
                    Some(t) => (0..t.shape().first().copied().unwrap_or(0)).map(|i| d.get_item(i)).collect::<PyResult<_>>()?,
                    None if d.cast::<PyList>().is_ok() || d.cast::<PyTuple>().is_ok() => d.try_iter()?.collect::<PyResult<_>>()?,
                    None => {
                        return Err(runtime_err(format!(
                            "tensordot expects dims to be int or tuple[list[int], list[int]] or list[list[int]] containing two lists, but got dims={}",
                            d.str()?
                        )))
                    }
                };
                if pair.len() != 2 {
                    return Err(runtime_err("tensordot expects dims to be a pair of lists"));
                }
                let da = dim_list(&pair[0], "dims_self", 3)?;
                let db = dim_list(&pair[1], "dims_other", 4)?;
                run(py, "tensordot", work(x, y), || x.tensordot(y, &da, &db))?
            }
        }
    };
    finish(py, r, out)
}

/// Tensors from a sequence argument (einsum's operand list, multi_dot's list).
pub fn tensor_seq(obj: &Bound<'_, PyAny>, arg: usize) -> PyResult<Vec<Tensor>> {
    let mut out = Vec::new();
    for (i, item) in obj.try_iter()?.enumerate() {
        let item = item?;
        let t = item.cast::<PyTensor>().map_err(|_| {
            let what = item
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default();
            type_err(format!(
                "expected Tensor as element {i} in argument {arg}, but got {what}"
            ))
        })?;
        out.push(t.borrow().t.clone());
    }
    Ok(out)
}

/// einsum's sublist form (`einsum(a, [0, 1], b, [1, 2], [0, 2])`) as an equation string.
fn sublist_equation(args: &Bound<'_, PyTuple>) -> PyResult<(String, Vec<Tensor>)> {
    let n = args.len();
    let letter = |obj: Bound<'_, PyAny>| -> PyResult<String> {
        if obj.is(py_ellipsis(obj.py())) {
            return Ok("...".into());
        }
        match extract_int(&obj) {
            Some(i @ 0..=25) => Ok(((b'A' + i as u8) as char).to_string()),
            Some(i @ 26..=51) => Ok(((b'a' + (i - 26) as u8) as char).to_string()),
            _ => Err(PyValueError::new_err(
                "einsum(): subscript in subscript list is not within the valid range [0, 52)",
            )),
        }
    };
    let subs = |obj: Bound<'_, PyAny>| -> PyResult<String> {
        obj.try_iter()?
            .map(|x| letter(x?))
            .collect::<PyResult<Vec<_>>>()
            .map(|v| v.concat())
    };
    let (mut ops, mut terms) = (Vec::new(), Vec::new());
    for i in 0..n / 2 {
        ops.push(args.get_item(2 * i)?);
        terms.push(subs(args.get_item(2 * i + 1)?)?);
    }
    let mut eq = terms.join(",");
    if n % 2 == 1 {
        eq.push_str("->");
        eq.push_str(&subs(args.get_item(n - 1)?)?);
    }
    let list = PyList::new(args.py(), ops)?;
    Ok((eq, tensor_seq(list.as_any(), 1)?))
}

fn py_ellipsis(py: Python<'_>) -> Bound<'_, PyAny> {
    py.Ellipsis().into_bound(py)
}

/// `einsum(equation, *operands)`, `einsum(equation, [operands])`, or the sublist form.
#[pyfunction]
#[pyo3(signature = (*args))]
fn einsum(py: Python<'_>, args: &Bound<'_, PyTuple>) -> Out {
    if args.len() < 2 {
        return Err(PyValueError::new_err(
            "einsum(): must specify the equation string and at least one operand, or at least one operand and its subscripts list",
        ));
    }
    let first = args.get_item(0)?;
    let (equation, operands) = if first.cast::<PyTensor>().is_ok() {
        sublist_equation(args)?
    } else {
        let eq: String = first.extract().map_err(|_| {
            let what = first
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default();
            type_err(format!(
                "einsum(): argument 'equation' (position 1) must be str, not {what}"
            ))
        })?;
        let rest = args.get_slice(1, args.len());
        let second = rest.get_item(0)?;
        let ops = if rest.len() == 1 && second.cast::<PyTensor>().is_err() {
            tensor_seq(&second, 1)?
        } else {
            tensor_seq(rest.as_any(), 1)?
        };
        (eq, ops)
    };
    let work = operands.iter().map(|t| t.numel()).product::<usize>();
    wrap(
        py,
        run(py, "einsum", work, || Tensor::einsum(&equation, &operands))?,
    )
}

/// `chain_matmul(*matrices)`: deprecated in PyTorch in favour of `linalg.multi_dot`.
#[pyfunction]
#[pyo3(signature = (*matrices, out=None))]
fn chain_matmul(
    py: Python<'_>,
    matrices: &Bound<'_, PyTuple>,
    out: Option<&Bound<'_, PyTensor>>,
) -> Out {
    let mats = tensor_seq(matrices.as_any(), 0)?;
    let r = core("chain_matmul", || Tensor::chain_matmul(&mats))?;
    finish(py, r, out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(tensordot, m)?)?;
    m.add_function(wrap_pyfunction!(einsum, m)?)?;
    m.add_function(wrap_pyfunction!(chain_matmul, m)?)?;
    crate::exports::export_methods(
        m,
        &[
            "matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "kron", "cross",
            "addmm", "addmv", "baddbmm", "addbmm",
        ],
    )
}
