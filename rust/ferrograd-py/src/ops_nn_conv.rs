//! Bindings of the convolutions (`conv1d/2d/3d`, `conv_transpose1d/2d/3d`), the sliding-window
//! ops `im2col`/`col2im` (what `F.unfold`/`F.fold` call) and `constant_pad_nd`/`_pad_nd`
//! (what `F.pad` calls), as top-level functions. Argument parsing only.

use ferrograd_core::tensor::conv::ConvPadding;
use ferrograd_core::tensor::pad::PadMode;
use ferrograd_core::Tensor;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::args::{extract_int, extract_scalar, int_or_ints};
use crate::errors::{run, runtime_err, type_err};
use crate::tensor::{wrap, PyTensor};

type Out = PyResult<Py<PyTensor>>;

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// An int-or-tuple argument with a default; anything else is PyTorch's TypeError.
fn ints(op: &str, name: &str, obj: Option<&Bound<'_, PyAny>>, default: i64) -> PyResult<Vec<i64>> {
    match obj {
        None => Ok(vec![default]),
        Some(o)
            if o.is_instance_of::<PyString>()
                || o.extract::<f64>().is_ok() && extract_int(o).is_none() =>
        {
            Err(type_err(format!(
                "{op}(): argument '{name}' must be tuple of ints, not {}",
                type_name(o)
            )))
        }
        Some(o) => int_or_ints(op, name, o),
    }
}

/// A convolution's int-or-tuple argument: a single int (or the default) stands for every one
/// of the `nd` spatial dims, as PyTorch's fixed-size `int[nd]` arguments read it (so a
/// mismatched weight rank is reported for the expanded list).
fn spatial_ints(
    op: &str,
    name: &str,
    obj: Option<&Bound<'_, PyAny>>,
    default: i64,
    nd: usize,
) -> PyResult<Vec<i64>> {
    match obj.map(extract_int) {
        None => Ok(vec![default; nd]),
        Some(Some(v)) => Ok(vec![v; nd]),
        Some(None) => ints(op, name, obj, default),
    }
}

fn groups_arg(op: &str, groups: Option<&Bound<'_, PyAny>>) -> PyResult<i64> {
    match groups {
        None => Ok(1),
        Some(g) => extract_int(g).ok_or_else(|| {
            type_err(format!(
                "{op}(): argument 'groups' must be int, not {}",
                type_name(g)
            ))
        }),
    }
}

/// `padding=`: 'same', 'valid', or ints.
fn padding_arg(op: &str, padding: Option<&Bound<'_, PyAny>>, nd: usize) -> PyResult<ConvPadding> {
    match padding {
        Some(p) if p.is_instance_of::<PyString>() => match p.extract::<String>()?.as_str() {
            "same" => Ok(ConvPadding::Same),
            "valid" => Ok(ConvPadding::Valid),
            other => Err(runtime_err(format!("Invalid padding string: '{other}'"))),
        },
        other => Ok(ConvPadding::Explicit(spatial_ints(
            op, "padding", other, 0, nd,
        )?)),
    }
}

/// A rough multiply-add count, to decide whether to release the GIL.
fn work(input: &Tensor, weight: &Tensor) -> usize {
    input.numel().saturating_mul(weight.numel())
}

macro_rules! conv {
    ($($name:ident => $nd:expr),*) => {$(
        #[pyfunction]
        #[pyo3(signature = (input, weight, bias=None, stride=None, padding=None, dilation=None, groups=None))]
        #[allow(clippy::too_many_arguments)]
        fn $name(
            py: Python<'_>,
            input: PyRef<'_, PyTensor>,
            weight: PyRef<'_, PyTensor>,
            bias: Option<PyRef<'_, PyTensor>>,
            stride: Option<&Bound<'_, PyAny>>,
            padding: Option<&Bound<'_, PyAny>>,
            dilation: Option<&Bound<'_, PyAny>>,
            groups: Option<&Bound<'_, PyAny>>,
        ) -> Out {
            let op = stringify!($name);
            let stride = spatial_ints(op, "stride", stride, 1, $nd)?;
            let padding = padding_arg(op, padding, $nd)?;
            let dilation = spatial_ints(op, "dilation", dilation, 1, $nd)?;
            let groups = groups_arg(op, groups)?;
            let (x, w, b) = (&input.t, &weight.t, bias.as_ref().map(|b| b.t.clone()));
            let r = run(py, op, work(x, w), || {
                x.conv_nd(op, $nd, w, b.as_ref(), &stride, &padding, &dilation, groups)
            })?;
            wrap(py, r)
        }
    )*};
}

conv!(conv1d => 1, conv2d => 2, conv3d => 3);

macro_rules! conv_transpose {
    ($($name:ident => $nd:expr),*) => {$(
        #[pyfunction]
        #[pyo3(signature = (input, weight, bias=None, stride=None, padding=None, output_padding=None, groups=None, dilation=None))]
        #[allow(clippy::too_many_arguments)]
        fn $name(
            py: Python<'_>,
            input: PyRef<'_, PyTensor>,
            weight: PyRef<'_, PyTensor>,
            bias: Option<PyRef<'_, PyTensor>>,
            stride: Option<&Bound<'_, PyAny>>,
            padding: Option<&Bound<'_, PyAny>>,
            output_padding: Option<&Bound<'_, PyAny>>,
            groups: Option<&Bound<'_, PyAny>>,
            dilation: Option<&Bound<'_, PyAny>>,
        ) -> Out {
            let op = stringify!($name);
            let stride = spatial_ints(op, "stride", stride, 1, $nd)?;
            let padding = spatial_ints(op, "padding", padding, 0, $nd)?;
            let output_padding = spatial_ints(op, "output_padding", output_padding, 0, $nd)?;
            let dilation = spatial_ints(op, "dilation", dilation, 1, $nd)?;
            let groups = groups_arg(op, groups)?;
            let (x, w, b) = (&input.t, &weight.t, bias.as_ref().map(|b| b.t.clone()));
            let r = run(py, op, work(x, w), || {
                x.conv_transpose_nd(
                    op, $nd, w, b.as_ref(), &stride, &padding, &output_padding, groups, &dilation,
                )
            })?;
            wrap(py, r)
        }
    )*};
}

conv_transpose!(conv_transpose1d => 1, conv_transpose2d => 2, conv_transpose3d => 3);

/// A pair of ints (kernel_size and friends of `im2col`/`col2im`).
fn pair(op: &str, name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
    ints(op, name, Some(obj), 0)
}

/// `im2col(input, kernel_size, dilation, padding, stride)`: `F.unfold`.
#[pyfunction]
fn im2col(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    kernel_size: &Bound<'_, PyAny>,
    dilation: &Bound<'_, PyAny>,
    padding: &Bound<'_, PyAny>,
    stride: &Bound<'_, PyAny>,
) -> Out {
    let op = "im2col";
    let (k, d) = (
        pair(op, "kernel_size", kernel_size)?,
        pair(op, "dilation", dilation)?,
    );
    let (p, s) = (pair(op, "padding", padding)?, pair(op, "stride", stride)?);
    let x = &input.t;
    let work = x
        .numel()
        .saturating_mul(k.iter().product::<i64>().max(1) as usize);
    let r = run(py, op, work, || x.im2col(&k, &d, &p, &s))?;
    wrap(py, r)
}

/// `col2im(input, output_size, kernel_size, dilation, padding, stride)`: `F.fold`.
#[pyfunction]
fn col2im(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    output_size: &Bound<'_, PyAny>,
    kernel_size: &Bound<'_, PyAny>,
    dilation: &Bound<'_, PyAny>,
    padding: &Bound<'_, PyAny>,
    stride: &Bound<'_, PyAny>,
) -> Out {
    let op = "col2im";
    let out = pair(op, "output_size", output_size)?;
    let (k, d) = (
        pair(op, "kernel_size", kernel_size)?,
        pair(op, "dilation", dilation)?,
    );
    let (p, s) = (pair(op, "padding", padding)?, pair(op, "stride", stride)?);
    let x = &input.t;
    let r = run(py, op, x.numel(), || x.col2im(&out, &k, &d, &p, &s))?;
    wrap(py, r)
}

/// `_pad_nd(input, pad, mode, value)`: what `F.pad` calls for every mode.
#[pyfunction]
#[pyo3(signature = (input, pad, mode="constant", value=None))]
fn _pad_nd(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    pad: &Bound<'_, PyAny>,
    mode: &str,
    value: Option<&Bound<'_, PyAny>>,
) -> Out {
    let pad = int_or_ints("pad", "pad", pad)?;
    let mode = match mode {
        "constant" => PadMode::Constant,
        "reflect" => PadMode::Reflect,
        "replicate" => PadMode::Replicate,
        "circular" => PadMode::Circular,
        other => {
            return Err(pyo3::exceptions::PyNotImplementedError::new_err(format!(
                "Unrecognised padding mode {other}"
            )))
        }
    };
    let value = value
        .filter(|v| !v.is_none())
        .map(extract_scalar)
        .transpose()?;
    let x = &input.t;
    let r = run(py, "pad", x.numel(), || x.pad_nd(&pad, mode, value))?;
    wrap(py, r)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(conv1d, m)?)?;
    m.add_function(wrap_pyfunction!(conv2d, m)?)?;
    m.add_function(wrap_pyfunction!(conv3d, m)?)?;
    m.add_function(wrap_pyfunction!(conv_transpose1d, m)?)?;
    m.add_function(wrap_pyfunction!(conv_transpose2d, m)?)?;
    m.add_function(wrap_pyfunction!(conv_transpose3d, m)?)?;
    m.add_function(wrap_pyfunction!(im2col, m)?)?;
    m.add_function(wrap_pyfunction!(col2im, m)?)?;
    m.add_function(wrap_pyfunction!(_pad_nd, m)?)?;
    Ok(())
}
