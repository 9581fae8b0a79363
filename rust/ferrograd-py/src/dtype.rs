//! `ferrograd.dtype` objects (one singleton per dtype, so `t.dtype is ferrograd.float32`), the
//! default dtype, and reading a `dtype=` argument.

use ferrograd_core::DType;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyString, PyType};

use crate::errors::type_err;

#[pyclass(name = "dtype", module = "ferrograd", frozen)]
pub struct PyDType {
    pub dtype: DType,
}

#[pymethods]
impl PyDType {
    fn __repr__(&self) -> String {
        format!("ferrograd.{}", self.dtype.name())
    }

    #[getter]
    fn is_floating_point(&self) -> bool {
        self.dtype.is_floating_point()
    }

    #[getter]
    fn is_complex(&self) -> bool {
        false
    }

    #[getter]
    fn is_signed(&self) -> bool {
        self.dtype.is_signed()
    }

    #[getter]
    fn itemsize(&self) -> usize {
        self.dtype.size_in_bytes()
    }

    /// Pickles as a reference to the module attribute of the same name.
    fn __reduce__(&self) -> &'static str {
        self.dtype.name()
    }
}

static SINGLETONS: PyOnceLock<Vec<Py<PyDType>>> = PyOnceLock::new();

/// The one Python object for `dtype`.
pub fn dtype_object(py: Python<'_>, dtype: DType) -> PyResult<Py<PyDType>> {
    let all = SINGLETONS.get_or_try_init(py, || {
        DType::ALL
            .iter()
            .map(|&d| Py::new(py, PyDType { dtype: d }))
            .collect::<PyResult<Vec<_>>>()
    })?;
    let i = DType::ALL.iter().position(|&d| d == dtype).unwrap_or(0);
    Ok(all[i].clone_ref(py))
}

/// The default float dtype lives in the core (results of int -> float ops need it there).
pub fn default_dtype() -> DType {
    ferrograd_core::dtype::default_float()
}

#[pyfunction]
pub fn get_default_dtype(py: Python<'_>) -> PyResult<Py<PyDType>> {
    dtype_object(py, default_dtype())
}

#[pyfunction]
pub fn set_default_dtype(d: &Bound<'_, PyAny>) -> PyResult<()> {
    let dtype = extract_dtype(d)?;
    if !ferrograd_core::dtype::set_default_float(dtype) {
        return Err(type_err(
            "only floating-point types are supported as the default type",
        ));
    }
    Ok(())
}

/// Reads a `dtype=` argument: a ferrograd dtype, or the Python types `float`, `int`, `bool`
/// (which PyTorch takes to mean float64, int64 and bool).
pub fn extract_dtype(obj: &Bound<'_, PyAny>) -> PyResult<DType> {
    if let Ok(d) = obj.cast::<PyDType>() {
        return Ok(d.get().dtype);
    }
    if let Ok(ty) = obj.cast::<PyType>() {
        let name = ty.name()?;
        match name.to_cow()?.as_ref() {
            "float" => return Ok(DType::F64),
            "int" => return Ok(DType::I64),
            "bool" => return Ok(DType::Bool),
            _ => {}
        }
        // A legacy tensor class (`ferrograd.FloatTensor`) carries its dtype.
        if let Ok(inner) = ty.getattr("dtype") {
            if let Ok(d) = inner.cast::<PyDType>() {
                return Ok(d.get().dtype);
            }
        }
    }
    let what = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    Err(type_err(format!(
        "dtype must be ferrograd.dtype (got {what})"
    )))
}

pub fn extract_opt_dtype(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<DType>> {
    match obj {
        Some(o) if !o.is_none() => extract_dtype(o).map(Some),
        _ => Ok(None),
    }
}

/// Parses `'ferrograd.FloatTensor'` / `'torch.FloatTensor'` / `'FloatTensor'` type strings.
pub fn dtype_from_type_string(s: &Bound<'_, PyString>) -> PyResult<DType> {
    let s = s.to_cow()?;
    let s = s.as_ref();
    let short = s.rsplit('.').next().unwrap_or(s);
    DType::from_legacy_type_name(short)
        .ok_or_else(|| pyo3::exceptions::PyValueError::new_err(format!("invalid type: '{s}'")))
}

#[pyfunction]
pub fn promote_types(
    py: Python<'_>,
    type1: &Bound<'_, PyAny>,
    type2: &Bound<'_, PyAny>,
) -> PyResult<Py<PyDType>> {
    let (a, b) = (extract_dtype(type1)?, extract_dtype(type2)?);
    dtype_object(py, ferrograd_core::promote_types(a, b))
}
