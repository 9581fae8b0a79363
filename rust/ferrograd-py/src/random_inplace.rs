//! The in-place samplers on `ferrograd.Tensor`: `uniform_`, `normal_`, `random_`, `bernoulli_`
//! and `exponential_`. They are a separate `#[pymethods]` block of the one tensor class, kept
//! beside the other random code rather than in `tensor.rs`, since their checks mirror the
//! sampling factories'.

use ferrograd_core::tensor::Distribution;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::args::int_list;
use crate::errors::{core, runtime_err, type_err};
use crate::random::{with_draws, PyGenerator};
use crate::random_sampling::check_std;
use crate::tensor::PyTensor;

fn sample_in_place<'py>(
    slf: PyRef<'py, PyTensor>,
    op: &'static str,
    generator: Option<PyRef<'py, PyGenerator>>,
    dist: Distribution,
) -> PyResult<PyRef<'py, PyTensor>> {
    with_draws(generator.as_deref(), slf.t.device(), |draws| {
        core(op, || slf.t.sample_(draws, dist))
    })?;
    Ok(slf)
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (from_=0.0, to=1.0, *, generator=None))]
    fn uniform_<'py>(
        slf: PyRef<'py, Self>,
        from_: f64,
        to: f64,
        generator: Option<PyRef<'py, PyGenerator>>,
    ) -> PyResult<PyRef<'py, Self>> {
        if from_ > to {
            return Err(runtime_err(format!(
                "uniform_ expects to return a [from, to) range, but found from={from_} > to={to}"
            )));
        }
        sample_in_place(
            slf,
            "uniform_",
            generator,
            Distribution::Uniform { from: from_, to },
        )
    }

    #[pyo3(signature = (mean=0.0, std=1.0, *, generator=None))]
    fn normal_<'py>(
        slf: PyRef<'py, Self>,
        mean: f64,
        std: f64,
        generator: Option<PyRef<'py, PyGenerator>>,
    ) -> PyResult<PyRef<'py, Self>> {
        check_std(std)?;
        sample_in_place(
            slf,
            "normal_",
            generator,
            Distribution::Normal { mean, std },
        )
    }

    /// `random_()`, `random_(to)`, `random_(from, to)`.
    #[pyo3(signature = (*args, generator=None))]
    fn random_<'py>(
        slf: PyRef<'py, Self>,
        args: &Bound<'py, PyTuple>,
        generator: Option<PyRef<'py, PyGenerator>>,
    ) -> PyResult<PyRef<'py, Self>> {
        let bounds = int_list("random_", "from", args)?;
        let dist = match bounds.as_slice() {
            [] => Distribution::IntegerDefault,
            [to] => Distribution::IntegerRange { from: 0, to: *to },
            [from, to] => Distribution::IntegerRange {
                from: *from,
                to: *to,
            },
            _ => return Err(type_err("random_() takes at most 2 arguments")),
        };
        sample_in_place(slf, "random_", generator, dist)
    }

    #[pyo3(signature = (p=0.5, *, generator=None))]
    fn bernoulli_<'py>(
        slf: PyRef<'py, Self>,
        p: f64,
        generator: Option<PyRef<'py, PyGenerator>>,
    ) -> PyResult<PyRef<'py, Self>> {
        if !(0.0..=1.0).contains(&p) {
            return Err(runtime_err(format!(
                "bernoulli_ expects p to be in [0, 1], but got p={p}"
            )));
        }
        sample_in_place(slf, "bernoulli_", generator, Distribution::Bernoulli { p })
    }

    #[pyo3(signature = (lambd=1.0, *, generator=None))]
    fn exponential_<'py>(
        slf: PyRef<'py, Self>,
        lambd: f64,
        generator: Option<PyRef<'py, PyGenerator>>,
    ) -> PyResult<PyRef<'py, Self>> {
        let dtype = slf.t.dtype();
        if !dtype.is_floating_point() {
            let name = dtype
                .legacy_type_name()
                .trim_end_matches("Tensor")
                .to_string();
            return Err(runtime_err(format!(
                "Exponential distribution is a continuous probability distribution. dtype must be a floating point but you specified {name}"
            )));
        }
        if lambd <= 0.0 {
            return Err(runtime_err(format!(
                "exponential_ expects lambda > 0.0, but found lambda={lambd}"
            )));
        }
        sample_in_place(
            slf,
            "exponential_",
            generator,
            Distribution::Exponential { lambd },
        )
    }
}
