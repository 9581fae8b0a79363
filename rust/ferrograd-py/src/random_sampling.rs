//! The sampling factories from Python: `rand`, `randn`, `randint`, `randperm`, `normal`,
//! `bernoulli`, `multinomial` and the `*_like` variants. Each builds a new tensor drawn from a
//! `ferrograd.Generator` (see `random.rs`), or from the default one when none is given.

use ferrograd_core::tensor::Distribution;
use ferrograd_core::{DType, Device, Scalar, Tensor};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::args::{extract_int, extract_scalar, size_arg, to_sizes};
use crate::dtype::{default_dtype, extract_opt_dtype};
use crate::errors::{core, runtime_err, type_err};
use crate::random::{with_draws, PyGenerator};
use crate::tensor::{device_arg, wrap, PyTensor};

type Out = PyResult<Py<PyTensor>>;

#[allow(clippy::too_many_arguments)]
fn sample(
    py: Python<'_>,
    op: &'static str,
    shape: &[usize],
    dtype: DType,
    generator: Option<&PyGenerator>,
    dist: Distribution,
    device: Device,
    requires_grad: bool,
) -> Out {
    // Drawn on the device, from its own generator.
    let t = with_draws(generator, device, |draws| {
        core(op, || Tensor::sampled(shape, dtype, draws, dist))
    })?;
    if requires_grad {
        core(op, || t.set_requires_grad(true))?;
    }
    wrap(py, t)
}

#[pyfunction]
#[pyo3(signature = (*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn rand(
    py: Python<'_>,
    size: &Bound<'_, PyTuple>,
    generator: Option<PyRef<'_, PyGenerator>>,
    out: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> Out {
    let _ = (out, layout);
    let device = device_arg(device, Device::Cpu)?;
    let shape = size_arg("rand", size)?;
    let dtype = extract_opt_dtype(dtype)?.unwrap_or_else(default_dtype);
    sample(
        py,
        "rand",
        &shape,
        dtype,
        generator.as_deref(),
        Distribution::Uniform { from: 0.0, to: 1.0 },
        device,
        requires_grad,
    )
}

#[pyfunction]
#[pyo3(signature = (*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn randn(
    py: Python<'_>,
    size: &Bound<'_, PyTuple>,
    generator: Option<PyRef<'_, PyGenerator>>,
    out: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> Out {
    let _ = (out, layout);
    let device = device_arg(device, Device::Cpu)?;
    let shape = size_arg("randn", size)?;
    let dtype = extract_opt_dtype(dtype)?.unwrap_or_else(default_dtype);
    sample(
        py,
        "randn",
        &shape,
        dtype,
        generator.as_deref(),
        Distribution::Normal {
            mean: 0.0,
            std: 1.0,
        },
        device,
        requires_grad,
    )
}

/// `randint(high, size)` or `randint(low, high, size)`, each argument positional or by
/// keyword; int64 unless `dtype` says otherwise.
#[pyfunction]
#[pyo3(signature = (*args, low=None, high=None, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn randint(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    low: Option<i64>,
    high: Option<i64>,
    size: Option<&Bound<'_, PyAny>>,
    generator: Option<PyRef<'_, PyGenerator>>,
    out: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> Out {
    let _ = (out, layout);
    let device = device_arg(device, Device::Cpu)?;
    const USAGE: &str = "randint() received an invalid combination of arguments - expected (int high, tuple of ints size) or (int low, int high, tuple of ints size)";
    // Leading integers are the bounds; the first non-integer is the size.
    let mut ints = Vec::new();
    let mut size_obj = None;
    for a in args.iter() {
        match extract_int(&a) {
            Some(i) if size_obj.is_none() => ints.push(i),
            _ if size_obj.is_none() => size_obj = Some(a),
            _ => return Err(type_err(USAGE)),
        }
    }
    if let Some(size) = size {
        if size_obj.is_some() {
            return Err(type_err(
                "randint() got multiple values for argument 'size'",
            ));
        }
        size_obj = Some(size.clone());
    }
    let (low, high) = match (ints.as_slice(), low, high) {
        (&[h], None, None) | (&[], None, Some(h)) => (0, h),
        (&[l, h], None, None) | (&[l], None, Some(h)) | (&[], Some(l), Some(h)) => (l, h),
        _ => return Err(type_err(USAGE)),
    };
    let size_obj =
        size_obj.ok_or_else(|| type_err("randint() missing required argument 'size'"))?;
    let shape = size_arg("randint", &PyTuple::new(py, [size_obj])?)?;
    let dtype = extract_opt_dtype(dtype)?.unwrap_or(DType::I64);
    sample(
        py,
        "randint",
        &shape,
        dtype,
        generator.as_deref(),
        Distribution::IntegerRange {
            from: low,
            to: high,
        },
        device,
        requires_grad,
    )
}

#[pyfunction]
#[pyo3(signature = (n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn randperm(
    py: Python<'_>,
    n: i64,
    generator: Option<PyRef<'_, PyGenerator>>,
    out: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> Out {
    let _ = (out, layout, requires_grad);
    let device = device_arg(device, Device::Cpu)?;
    if n < 0 {
        return Err(runtime_err(format!(
            "Trying to create tensor with negative dimension {n}: [{n}]"
        )));
    }
    let dtype = extract_opt_dtype(dtype)?.unwrap_or(DType::I64);
    let t = with_draws(generator.as_deref(), device, |draws| {
        core("randperm", || Tensor::randperm(n as usize, dtype, draws))
    })?;
    wrap(py, t)
}

pub(crate) fn check_std(std: f64) -> PyResult<()> {
    if std < 0.0 {
        return Err(runtime_err(format!(
            "normal expects std >= 0.0, but found std {std}"
        )));
    }
    Ok(())
}

/// `normal(mean, std, size=None)`: the four overloads (tensor/tensor, tensor/float,
/// float/tensor, float/float with `size`).
#[pyfunction]
#[pyo3(signature = (mean, std=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn normal(
    py: Python<'_>,
    mean: &Bound<'_, PyAny>,
    std: Option<&Bound<'_, PyAny>>,
    size: Option<&Bound<'_, PyAny>>,
    generator: Option<PyRef<'_, PyGenerator>>,
    out: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> Out {
    let _ = (out, layout);
    let device = device_arg(device, Device::Cpu)?;
    let as_tensor = |o: &Bound<'_, PyAny>| o.cast::<PyTensor>().ok().map(|t| t.borrow().t.clone());
    let mean_t = as_tensor(mean);
    let std_t = std.and_then(as_tensor);
    if mean_t.is_none() && std_t.is_none() {
        let m = extract_scalar(mean)?.to_f64();
        let s = std
            .map(extract_scalar)
            .transpose()?
            .map_or(1.0, Scalar::to_f64);
        check_std(s)?;
        let size = size.ok_or_else(|| type_err("normal() received an invalid combination of arguments - got (float, float), but expected one of: (Tensor mean, Tensor std), (Tensor mean, float std), (float mean, Tensor std), (float mean, float std, tuple of ints size)"))?;
        let shape = size_arg("normal", &PyTuple::new(py, [size])?)?;
        let dtype = extract_opt_dtype(dtype)?.unwrap_or_else(default_dtype);
        return sample(
            py,
            "normal",
            &shape,
            dtype,
            generator.as_deref(),
            Distribution::Normal { mean: m, std: s },
            device,
            requires_grad,
        );
    }
    // One side may be a Python number: it becomes a 0-dim tensor of the other side's dtype.
    let number = |o: Option<&Bound<'_, PyAny>>, like: &Tensor, default: f64| -> PyResult<Tensor> {
        let v = o
            .map(extract_scalar)
            .transpose()?
            .map_or(default, Scalar::to_f64);
        Ok(Tensor::scalar(Scalar::Float(v), like.dtype()))
    };
    let (m, s) = match (mean_t, std_t) {
        (Some(m), Some(s)) => (m, s),
        (Some(m), None) => {
            let s = number(std, &m, 1.0)?;
            check_std(core("normal", || s.item())?.to_f64())?;
            (m, s)
        }
        (None, s) => {
            let s = s.ok_or_else(|| type_err("normal(): expected a tensor mean or std"))?;
            (number(Some(mean), &s, 0.0)?, s)
        }
    };
    let device =
        ferrograd_core::device_scope::common_device([&m, &s]).map_err(crate::errors::to_py_err)?;
    let t = with_draws(generator.as_deref(), device, |draws| {
        core("normal", || Tensor::normal_from(&m, &s, draws))
    })?;
    wrap(py, t)
}

#[pyfunction]
#[pyo3(signature = (input, p=None, *, generator=None, out=None))]
pub fn bernoulli(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    p: Option<f64>,
    generator: Option<PyRef<'_, PyGenerator>>,
    out: Option<&Bound<'_, PyAny>>,
) -> Out {
    let _ = out;
    let t = with_draws(generator.as_deref(), input.t.device(), |draws| {
        core("bernoulli", || match p {
            Some(p) => Tensor::sampled(
                input.t.shape(),
                input.t.dtype(),
                draws,
                Distribution::Bernoulli { p },
            ),
            None => input.t.bernoulli(draws),
        })
    })?;
    wrap(py, t)
}

#[pyfunction]
#[pyo3(signature = (input, num_samples, replacement=false, *, generator=None, out=None))]
pub fn multinomial(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    num_samples: i64,
    replacement: bool,
    generator: Option<PyRef<'_, PyGenerator>>,
    out: Option<&Bound<'_, PyAny>>,
) -> Out {
    let _ = out;
    let n = to_sizes(&[num_samples])
        .map_err(|_| runtime_err("cannot sample n_sample <= 0 samples"))?[0];
    let t = with_draws(generator.as_deref(), input.t.device(), |draws| {
        core("multinomial", || input.t.multinomial(draws, n, replacement))
    })?;
    wrap(py, t)
}

fn like_sample(
    py: Python<'_>,
    op: &'static str,
    input: &PyTensor,
    dtype: Option<&Bound<'_, PyAny>>,
    dist: Distribution,
    device: Device,
    requires_grad: bool,
) -> Out {
    let dtype = extract_opt_dtype(dtype)?.unwrap_or(input.t.dtype());
    sample(
        py,
        op,
        input.t.shape(),
        dtype,
        None,
        dist,
        device,
        requires_grad,
    )
}

#[pyfunction]
#[pyo3(signature = (input, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None))]
pub fn rand_like(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    memory_format: Option<&Bound<'_, PyAny>>,
) -> Out {
    let _ = (layout, memory_format);
    let device = device_arg(device, input.t.device())?;
    like_sample(
        py,
        "rand_like",
        &input,
        dtype,
        Distribution::Uniform { from: 0.0, to: 1.0 },
        device,
        requires_grad,
    )
}

#[pyfunction]
#[pyo3(signature = (input, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None))]
pub fn randn_like(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    memory_format: Option<&Bound<'_, PyAny>>,
) -> Out {
    let _ = (layout, memory_format);
    let device = device_arg(device, input.t.device())?;
    like_sample(
        py,
        "randn_like",
        &input,
        dtype,
        Distribution::Normal {
            mean: 0.0,
            std: 1.0,
        },
        device,
        requires_grad,
    )
}

#[pyfunction]
#[pyo3(signature = (input, low, high=None, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None))]
#[allow(clippy::too_many_arguments)]
pub fn randint_like(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    low: i64,
    high: Option<i64>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    memory_format: Option<&Bound<'_, PyAny>>,
) -> Out {
    let _ = (layout, memory_format);
    let device = device_arg(device, input.t.device())?;
    let (from, to) = match high {
        Some(h) => (low, h),
        None => (0, low),
    };
    like_sample(
        py,
        "randint_like",
        &input,
        dtype,
        Distribution::IntegerRange { from, to },
        device,
        requires_grad,
    )
}
