//! Bindings of pooling and upsampling: the top-level functions PyTorch has
//! (`ferrograd.max_pool2d`, `ferrograd.avg_pool1d`, ...) and underscored ones that
//! `ferrograd.nn.functional` calls for the rest.

use ferrograd_core::Tensor;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::args::extract_int;
use crate::errors::{run, type_err};
use crate::tensor::{wrap, PyTensor};

type Out = PyResult<Py<PyTensor>>;
type Pair = PyResult<(Py<PyTensor>, Py<PyTensor>)>;

/// One int or a sequence of ints (`None` is empty: a stride that defaults to the kernel).
fn ints(op: &str, name: &str, pos: usize, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<i64>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Vec::new());
    };
    if let Some(i) = extract_int(obj) {
        return Ok(vec![i]);
    }
    let items: Vec<Bound<'_, PyAny>> = if let Ok(t) = obj.cast::<PyTuple>() {
        t.iter().collect()
    } else if let Ok(l) = obj.cast::<PyList>() {
        l.iter().collect()
    } else {
        let type_name = obj.get_type().name()?.to_string();
        return Err(type_err(format!(
            "{op}(): argument '{name}' (position {pos}) must be tuple of ints, not {type_name}"
        )));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            extract_int(it).ok_or_else(|| {
                let type_name = it.get_type().name().map(|n| n.to_string()).unwrap_or_default();
                type_err(format!(
                    "{op}(): argument '{name}' (position {pos}) must be tuple of ints, but found element of type {type_name} at pos {i}"
                ))
            })
        })
        .collect()
}

fn pair(py: Python<'_>, (a, b): (Tensor, Tensor)) -> Pair {
    Ok((wrap(py, a)?, wrap(py, b)?))
}

/// The arguments of a max pooling, parsed.
struct MaxArgs {
    kernel: Vec<i64>,
    stride: Vec<i64>,
    padding: Vec<i64>,
    dilation: Vec<i64>,
}

fn max_args(
    op: &str,
    kernel_size: &Bound<'_, PyAny>,
    stride: Option<&Bound<'_, PyAny>>,
    padding: &Bound<'_, PyAny>,
    dilation: &Bound<'_, PyAny>,
) -> PyResult<MaxArgs> {
    Ok(MaxArgs {
        kernel: ints(op, "kernel_size", 2, Some(kernel_size))?,
        stride: ints(op, "stride", 3, stride)?,
        padding: ints(op, "padding", 4, Some(padding))?,
        dilation: ints(op, "dilation", 5, Some(dilation))?,
    })
}

fn max_pool_nd(
    py: Python<'_>,
    op: &'static str,
    n: usize,
    input: &Tensor,
    a: MaxArgs,
    ceil_mode: bool,
) -> PyResult<(Tensor, Tensor)> {
    run(py, op, input.numel(), || {
        if n == 1 {
            input.max_pool1d_with_indices(&a.kernel, &a.stride, &a.padding, &a.dilation, ceil_mode)
        } else {
            input.max_pool_with_indices(n, &a.kernel, &a.stride, &a.padding, &a.dilation, ceil_mode)
        }
    })
}

macro_rules! max_pool_fns {
    ($plain:ident, $with:ident, $name:literal, $n:literal) => {
        #[pyfunction]
        #[pyo3(signature = (input, kernel_size, stride=None, padding=None, dilation=None, ceil_mode=false))]
        pub fn $plain(
            py: Python<'_>,
            input: PyRef<'_, PyTensor>,
            kernel_size: &Bound<'_, PyAny>,
            stride: Option<&Bound<'_, PyAny>>,
            padding: Option<&Bound<'_, PyAny>>,
            dilation: Option<&Bound<'_, PyAny>>,
            ceil_mode: bool,
        ) -> Out {
            let zero = 0i64.into_pyobject(py)?.into_any();
            let one = 1i64.into_pyobject(py)?.into_any();
            let a = max_args($name, kernel_size, stride, padding.unwrap_or(&zero), dilation.unwrap_or(&one))?;
            let (v, _) = max_pool_nd(py, $name, $n, &input.t.clone(), a, ceil_mode)?;
            wrap(py, v)
        }

        #[pyfunction]
        #[pyo3(signature = (input, kernel_size, stride=None, padding=None, dilation=None, ceil_mode=false))]
        pub fn $with(
            py: Python<'_>,
            input: PyRef<'_, PyTensor>,
            kernel_size: &Bound<'_, PyAny>,
            stride: Option<&Bound<'_, PyAny>>,
            padding: Option<&Bound<'_, PyAny>>,
            dilation: Option<&Bound<'_, PyAny>>,
            ceil_mode: bool,
        ) -> Pair {
            let zero = 0i64.into_pyobject(py)?.into_any();
            let one = 1i64.into_pyobject(py)?.into_any();
            let a = max_args($name, kernel_size, stride, padding.unwrap_or(&zero), dilation.unwrap_or(&one))?;
            pair(py, max_pool_nd(py, $name, $n, &input.t.clone(), a, ceil_mode)?)
        }
    };
}

max_pool_fns!(max_pool1d, max_pool1d_with_indices, "max_pool1d", 1);
max_pool_fns!(max_pool2d, _max_pool2d_with_indices, "max_pool2d", 2);
max_pool_fns!(max_pool3d, _max_pool3d_with_indices, "max_pool3d", 3);

#[pyfunction]
#[pyo3(signature = (input, kernel_size, stride=None, padding=None, ceil_mode=false, count_include_pad=true))]
pub fn avg_pool1d(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    kernel_size: &Bound<'_, PyAny>,
    stride: Option<&Bound<'_, PyAny>>,
    padding: Option<&Bound<'_, PyAny>>,
    ceil_mode: bool,
    count_include_pad: bool,
) -> Out {
    let op = "avg_pool1d";
    let kernel = ints(op, "kernel_size", 2, Some(kernel_size))?;
    let stride = ints(op, "stride", 3, stride)?;
    let padding = match padding {
        Some(p) => ints(op, "padding", 4, Some(p))?,
        None => vec![0],
    };
    let x = input.t.clone();
    let out = run(py, op, x.numel(), || {
        x.avg_pool1d(&kernel, &stride, &padding, ceil_mode, count_include_pad)
    })?;
    wrap(py, out)
}

/// `avg_pool2d` / `avg_pool3d` (`n` spatial dims), as `ferrograd.nn.functional` calls them.
#[pyfunction]
#[pyo3(signature = (input, n, kernel_size, stride=None, padding=None, ceil_mode=false, count_include_pad=true, divisor_override=None))]
#[allow(clippy::too_many_arguments)]
pub fn _avg_pool(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    n: usize,
    kernel_size: &Bound<'_, PyAny>,
    stride: Option<&Bound<'_, PyAny>>,
    padding: Option<&Bound<'_, PyAny>>,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: Option<i64>,
) -> Out {
    let op = if n == 3 { "avg_pool3d" } else { "avg_pool2d" };
    let kernel = ints(op, "kernel_size", 2, Some(kernel_size))?;
    let stride = ints(op, "stride", 3, stride)?;
    let padding = match padding {
        Some(p) => ints(op, "padding", 4, Some(p))?,
        None => vec![0],
    };
    let x = input.t.clone();
    let out = run(py, op, x.numel(), || {
        x.avg_pool(
            n,
            &kernel,
            &stride,
            &padding,
            ceil_mode,
            count_include_pad,
            divisor_override,
        )
    })?;
    wrap(py, out)
}

#[pyfunction]
pub fn adaptive_avg_pool1d(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    output_size: &Bound<'_, PyAny>,
) -> Out {
    let size = ints("adaptive_avg_pool1d", "output_size", 2, Some(output_size))?;
    let x = input.t.clone();
    let out = run(py, "adaptive_avg_pool1d", x.numel(), || {
        x.adaptive_avg_pool1d(&size)
    })?;
    wrap(py, out)
}

#[pyfunction]
pub fn adaptive_max_pool1d(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    output_size: &Bound<'_, PyAny>,
) -> Pair {
    let size = ints("adaptive_max_pool1d", "output_size", 2, Some(output_size))?;
    let x = input.t.clone();
    pair(
        py,
        run(py, "adaptive_max_pool1d", x.numel(), || {
            x.adaptive_max_pool1d(&size)
        })?,
    )
}

/// `adaptive_avg_pool2d` / `adaptive_avg_pool3d` with every output size given.
#[pyfunction]
pub fn _adaptive_avg_pool(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    n: usize,
    output_size: Vec<i64>,
) -> Out {
    let x = input.t.clone();
    let out = run(py, "adaptive_avg_pool", x.numel(), || {
        x.adaptive_avg_pool(n, &output_size)
    })?;
    wrap(py, out)
}

/// `adaptive_max_pool2d` / `adaptive_max_pool3d` with every output size given.
#[pyfunction]
pub fn _adaptive_max_pool(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    n: usize,
    output_size: Vec<i64>,
) -> Pair {
    let x = input.t.clone();
    pair(
        py,
        run(py, "adaptive_max_pool", x.numel(), || {
            x.adaptive_max_pool(n, &output_size)
        })?,
    )
}

/// `max_unpool2d` / `max_unpool3d` into planes of `output_size`.
#[pyfunction]
pub fn _max_unpool(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    indices: PyRef<'_, PyTensor>,
    n: usize,
    output_size: Vec<i64>,
) -> Out {
    let x = input.t.clone();
    let ix = indices.t.clone();
    let out = run(py, "max_unpool", x.numel(), || {
        x.max_unpool(&ix, n, &output_size)
    })?;
    wrap(py, out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(max_pool1d, m)?)?;
    m.add_function(wrap_pyfunction!(max_pool1d_with_indices, m)?)?;
    m.add_function(wrap_pyfunction!(max_pool2d, m)?)?;
    m.add_function(wrap_pyfunction!(_max_pool2d_with_indices, m)?)?;
    m.add_function(wrap_pyfunction!(max_pool3d, m)?)?;
    m.add_function(wrap_pyfunction!(_max_pool3d_with_indices, m)?)?;
    m.add_function(wrap_pyfunction!(avg_pool1d, m)?)?;
    m.add_function(wrap_pyfunction!(_avg_pool, m)?)?;
    m.add_function(wrap_pyfunction!(adaptive_avg_pool1d, m)?)?;
    m.add_function(wrap_pyfunction!(adaptive_max_pool1d, m)?)?;
    m.add_function(wrap_pyfunction!(_adaptive_avg_pool, m)?)?;
    m.add_function(wrap_pyfunction!(_adaptive_max_pool, m)?)?;
    m.add_function(wrap_pyfunction!(_max_unpool, m)?)?;
    m.add_function(wrap_pyfunction!(_upsample, m)?)?;
    Ok(())
}

/// `interpolate`'s kernels: the last `len(output_size)` dims resampled by `mode`.
#[pyfunction]
#[pyo3(signature = (input, mode, output_size, align_corners=false, scales=None))]
pub fn _upsample(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    mode: &str,
    output_size: Vec<i64>,
    align_corners: bool,
    scales: Option<Vec<f64>>,
) -> Out {
    let x = input.t.clone();
    let out = run(py, "upsample", x.numel(), || {
        x.upsample(mode, &output_size, align_corners, scales.as_deref())
    })?;
    wrap(py, out)
}
