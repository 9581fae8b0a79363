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

/// Two-operand products with `out=`; only the second parameter's name differs between them.
macro_rules! product {
    ($($name:ident($arg:ident)),*) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[pyo3(signature = ($arg, *, out=None))]
                fn $name(
                    &self,
                    py: Python<'_>,
                    $arg: PyRef<'_, PyTensor>,
                    out: Option<&Bound<'_, PyTensor>>,
                ) -> Out {
                    let (a, b) = (&self.t, &$arg.t);
                    let r = run(py, stringify!($name), work(a, b), || a.$name(b))?;
                    finish(py, r, out)
                }
            )*
        }
    };
}

product!(
    mm(mat2),
    bmm(mat2),
    mv(vec),
    dot(tensor),
    vdot(other),
    inner(other),
    outer(vec2),
    kron(other)
);

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

    #[pyo3(signature = (vec2, *, out=None))]
    fn ger(
        &self,
        py: Python<'_>,
        vec2: PyRef<'_, PyTensor>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> Out {
        self.outer(py, vec2, out)
    }

    #[pyo3(signature = (other, dim=None, *, axis=None, out=None))]
    fn cross(
        &self,
        py: Python<'_>,
        other: PyRef<'_, PyTensor>,
        dim: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> Out {
        let dim = crate::ops_reduce::dim_or_axis("cross", dim, axis)?;
        let dim = crate::ops_reduce::dim_arg("cross", dim)?;
        let r = core("cross", || self.t.cross(&other.t, dim))?;
        finish(py, r, out)
    }
}

/// The `addmm` family: `beta * self + alpha * (a @ b)` as a method with `out=` and as an
/// in-place method; only the parameter names differ from one member to the next.
macro_rules! scaled_product_add {
    ($name:ident, $name_:ident, $a:ident, $b:ident) => {
        #[pymethods]
        impl PyTensor {
            #[pyo3(signature = ($a, $b, *, beta=None, alpha=None, out=None))]
            fn $name(
                &self,
                py: Python<'_>,
                $a: PyRef<'_, PyTensor>,
                $b: PyRef<'_, PyTensor>,
                beta: Option<&Bound<'_, PyAny>>,
                alpha: Option<&Bound<'_, PyAny>>,
                out: Option<&Bound<'_, PyTensor>>,
            ) -> Out {
                let (beta, alpha) = (scalar(beta)?, scalar(alpha)?);
                let (c, a, b) = (&self.t, &$a.t, &$b.t);
                let r = run(py, stringify!($name), work(a, b), || {
                    c.$name(a, b, beta, alpha)
                })?;
                finish(py, r, out)
            }

            #[pyo3(signature = ($a, $b, *, beta=None, alpha=None))]
            fn $name_<'py>(
                slf: PyRef<'py, Self>,
                $a: PyRef<'_, PyTensor>,
                $b: PyRef<'_, PyTensor>,
                beta: Option<&Bound<'_, PyAny>>,
                alpha: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<PyRef<'py, Self>> {
                let (beta, alpha) = (scalar(beta)?, scalar(alpha)?);
                let (c, a, b) = (&slf.t, &$a.t, &$b.t);
                run(slf.py(), stringify!($name_), work(a, b), || {
                    c.$name_(a, b, beta, alpha)
                })?;
                Ok(slf)
            }
        }
    };
}

scaled_product_add!(addmm, addmm_, mat1, mat2);
scaled_product_add!(addmv, addmv_, mat, vec);
scaled_product_add!(baddbmm, baddbmm_, batch1, batch2);
scaled_product_add!(addbmm, addbmm_, batch1, batch2);

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    crate::exports::export_methods(
        m,
        &[
            "matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "kron", "cross",
            "addmm", "addmv", "baddbmm", "addbmm",
        ],
    )
}
