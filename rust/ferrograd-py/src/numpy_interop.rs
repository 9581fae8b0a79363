//! Zero-copy sharing with numpy, both ways: `from_numpy` wraps the array's memory, `.numpy()`
//! hands numpy a view of the tensor's storage. Writes on either side are seen by the other.

use std::sync::atomic::{AtomicBool, Ordering};

use ferrograd_core::storage::{CpuBuffer, StorageData};
use ferrograd_core::{DType, Layout, Storage, Tensor};
use numpy::ndarray::{ArrayView, IxDyn, ShapeBuilder};
use numpy::{PyArray, PyArrayDescrMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyUserWarning, PyValueError};
use pyo3::prelude::*;

use crate::errors::core;

pub fn is_ndarray(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_instance_of::<PyUntypedArray>()
}

fn numpy_dtype(arr: &Bound<'_, PyUntypedArray>) -> PyResult<DType> {
    let descr = arr.dtype();
    if descr.is_native_byteorder() == Some(false) {
        return Err(PyValueError::new_err(
            "given numpy array has byte order different from the native byte order. Conversion between byte orders is currently not supported.",
        ));
    }
    // The scalar type's name (`str_`, `datetime64`), as PyTorch's message spells it.
    let name: String = descr.getattr("type")?.getattr("__name__")?.extract()?;
    match DType::from_name(&name) {
        Some(d) if d != DType::BF16 => Ok(d),
        _ => Err(PyTypeError::new_err(format!(
            "can't convert np.ndarray of type numpy.{name}. The only supported types are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, uint32, uint16, uint8, and bool."
        ))),
    }
}

/// Keeps the numpy array alive for as long as any tensor uses its memory.
struct NumpyOwner(#[allow(dead_code)] Py<PyAny>);

/// Whether the read-only warning was given: PyTorch gives it once per process.
static WARNED_READ_ONLY: AtomicBool = AtomicBool::new(false);

/// PyTorch's warning for a tensor over a read-only array, the first time one is made. The
/// warning points at the caller's line: Rust code has no Python frame of its own.
fn warn_read_only(obj: &Bound<'_, PyAny>) -> PyResult<()> {
    let writeable: bool = obj.getattr("flags")?.getattr("writeable")?.extract()?;
    if writeable || WARNED_READ_ONLY.swap(true, Ordering::Relaxed) {
        return Ok(());
    }
    PyErr::warn(
        obj.py(),
        &obj.py().get_type::<PyUserWarning>(),
        c"The given NumPy array is not writable, and ferrograd does not support non-writable tensors. This means writing to this tensor will result in undefined behavior. You may want to copy the array to protect its data or make it writable before converting it to a tensor. This type of warning will be suppressed for the rest of this program.",
        1,
    )
}

/// `from_numpy`: a tensor over the array's own memory (no copy). `as_tensor` and `from_numpy`
/// warn (once) when the array is read-only, since the tensor could write into it; `tensor`,
/// which copies, does not.
pub fn ndarray_to_tensor(obj: &Bound<'_, PyAny>, warn_if_read_only: bool) -> PyResult<Tensor> {
    let arr = obj.cast::<PyUntypedArray>()?;
    let dtype = numpy_dtype(arr)?;
    let itemsize = dtype.size_in_bytes();
    let byte_strides = arr.strides();
    if byte_strides.iter().any(|&s| s < 0) {
        return Err(PyValueError::new_err(
            "At least one stride in the given numpy array is negative, and tensors with negative strides are not currently supported. (You can probably work around this by making a copy of your array  with array.copy().) ",
        ));
    }
    if byte_strides.iter().any(|&s| s as usize % itemsize != 0) {
        return Err(PyValueError::new_err(
            "given numpy array strides not a multiple of the element byte size. Copy the numpy array to reallocate the memory.",
        ));
    }
    let shape = arr.shape().to_vec();
    let strides: Vec<usize> = byte_strides
        .iter()
        .map(|&s| s as usize / itemsize)
        .collect();
    let layout = Layout::new(shape, strides, 0);
    // SAFETY: reading the data pointer of a live array object.
    let ptr = unsafe { (*arr.as_array_ptr()).fields.data } as *mut u8;
    if (ptr as usize) % itemsize != 0 {
        return Err(PyValueError::new_err(
            "from_numpy: the array's data is not aligned for its dtype; copy the array first",
        ));
    }
    if warn_if_read_only {
        warn_read_only(obj)?;
    }
    let nbytes = layout.storage_extent() * itemsize;
    let owner = Box::new(NumpyOwner(obj.clone().unbind()));
    // SAFETY: the array owns `nbytes` bytes from `ptr` (its strides are non-negative, so the
    // extent is measured from the data pointer), and `owner` keeps it alive.
    let buffer = unsafe { CpuBuffer::from_external(ptr, nbytes, owner) };
    Ok(Tensor::from_parts(
        Storage::new(StorageData::Cpu(buffer)),
        layout,
        dtype,
    ))
}

/// Keeps a storage alive while numpy views it: numpy's `base` for arrays made by `.numpy()`.
#[pyclass(module = "ferrograd._C", frozen)]
pub struct StorageKeepAlive {
    #[allow(dead_code)]
    storage: Storage,
}

fn view_as_ndarray<'py, T: numpy::Element + ferrograd_core::Element>(
    py: Python<'py>,
    t: &Tensor,
) -> PyResult<Bound<'py, PyAny>> {
    let data = t.storage().read();
    let buf = core("numpy", || Ok(data.cpu()?.as_ptr()))?;
    let ptr = buf as *const T;
    let ptr = ptr.wrapping_add(t.storage_offset());
    let shape = IxDyn(t.shape());
    let strides = IxDyn(t.strides());
    // SAFETY: the layout lies inside the storage (checked when it was made), and the
    // keep-alive object below holds the storage for as long as numpy's array lives.
    let view = unsafe { ArrayView::<T, _>::from_shape_ptr(shape.strides(strides), ptr) };
    let keep = Bound::new(
        py,
        StorageKeepAlive {
            storage: t.storage().clone(),
        },
    )?;
    // SAFETY: `keep` becomes the array's base and owns a reference to the storage.
    let arr = unsafe { PyArray::<T, _>::borrow_from_array(&view, keep.into_any()) };
    Ok(arr.into_any())
}

/// `.numpy()`: a numpy array over the tensor's memory (no copy).
pub fn tensor_to_ndarray<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyAny>> {
    use half::f16;
    if t.device().is_wgpu() {
        return Err(PyTypeError::new_err(format!(
            "can't convert {} device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.",
            t.device()
        )));
    }
    match t.dtype() {
        DType::Bool => view_as_ndarray::<bool>(py, t),
        DType::U8 => view_as_ndarray::<u8>(py, t),
        DType::I8 => view_as_ndarray::<i8>(py, t),
        DType::I16 => view_as_ndarray::<i16>(py, t),
        DType::I32 => view_as_ndarray::<i32>(py, t),
        DType::I64 => view_as_ndarray::<i64>(py, t),
        DType::F16 => view_as_ndarray::<f16>(py, t),
        DType::F32 => view_as_ndarray::<f32>(py, t),
        DType::F64 => view_as_ndarray::<f64>(py, t),
        DType::BF16 => Err(PyTypeError::new_err("Got unsupported ScalarType BFloat16")),
    }
}

/// The values as numpy sees them, bfloat16 widened to float32 (numpy has no bfloat16); used
/// by printing, which only reads.
pub fn values_for_print<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyAny>> {
    let wide = if t.dtype() == DType::BF16 {
        DType::F32
    } else {
        t.dtype()
    };
    let t = core("repr", || {
        t.to_device(ferrograd_core::Device::Cpu)?.to_dtype(wide)
    })?;
    tensor_to_ndarray(py, &t)
}
