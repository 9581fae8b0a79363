//! Bindings of the matrix products that are Tensor methods: `matmul` and `@`, `mm`, `bmm`,
//! `mv`, `dot`, `vdot`, `inner`, `outer`/`ger`, `kron`, `cross`, and the `addmm` family (with
//! in-place forms). Argument parsing only; the maths is in the core.

use ferrograd_core::{Scalar, Tensor};
use pyo3::prelude::*;

use super::{finish, Out};
use crate::args::extract_scalar;
use crate::errors::core;
use crate::errors::run;
use crate::tensor::{wrap, PyTensor};

/// A rough multiply-add count for a product of these operands.
fn work(a: &Tensor, b: &Tensor) -> usize {
    let inner = a.shape().last().copied().unwrap_or(1);
    a.numel().saturating_mul(b.numel()) / inner.max(1)
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

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    crate::exports::export_methods(
        m,
        &[
            "matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "kron", "cross",
            "addmm", "addmv", "baddbmm", "addbmm",
        ],
    )
}
