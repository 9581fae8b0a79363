//! Random-number state from Python: the `ferrograd.Generator` class and the functions that seed
//! or snapshot the default generator (`manual_seed`, `seed`, `get_rng_state`, ...). The samplers
//! that draw from a generator live in `random_sampling.rs` and `random_inplace.rs`.

use std::sync::{Arc, Mutex};

use ferrograd_core::random::{self, Generator, DEFAULT_RNG_SEED};
use ferrograd_core::{DType, Tensor};
use pyo3::prelude::*;

use crate::errors::{core, runtime_err, type_err};
use crate::tensor::{wrap, PyTensor};

type Out = PyResult<Py<PyTensor>>;

enum Handle {
    /// The process-wide generator that `manual_seed` seeds.
    Default,
    Own(Arc<Mutex<Generator>>),
}

/// `ferrograd.Generator`: a random number generator with its own state.
#[pyclass(name = "Generator", module = "ferrograd")]
pub struct PyGenerator {
    handle: Handle,
}

impl PyGenerator {
    fn with<R>(&self, f: impl FnOnce(&mut Generator) -> R) -> R {
        let lock = match &self.handle {
            Handle::Default => random::default_generator(),
            Handle::Own(g) => g.as_ref(),
        };
        let mut g = lock.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut g)
    }
}

/// Runs `f` with the given generator, or the default one.
pub(crate) fn with_generator<R>(
    generator: Option<&PyGenerator>,
    f: impl FnOnce(&mut Generator) -> R,
) -> R {
    match generator {
        Some(g) => g.with(f),
        None => PyGenerator {
            handle: Handle::Default,
        }
        .with(f),
    }
}

/// PyTorch takes any Python int as a seed and keeps its low 64 bits.
fn seed_bits(seed: &Bound<'_, PyAny>) -> PyResult<u64> {
    let s: i128 = seed
        .extract()
        .map_err(|_| runtime_err("Overflow when unpacking long"))?;
    if s < i64::MIN as i128 || s > u64::MAX as i128 {
        return Err(runtime_err("Overflow when unpacking long"));
    }
    Ok(s as u64)
}

fn state_tensor(py: Python<'_>, g: &PyGenerator) -> Out {
    let bytes = g.with(|g| g.get_state());
    let n = bytes.len();
    wrap(py, core("get_state", || Tensor::from_vec(bytes, &[n]))?)
}

fn set_state(g: &PyGenerator, state: &PyTensor) -> PyResult<()> {
    if state.t.dtype() != DType::U8 {
        return Err(type_err(format!(
            "expected a ferrograd.ByteTensor, but got {}",
            state.t.dtype().legacy_type_name()
        )));
    }
    let bytes = core("set_state", || state.t.host_values::<u8>())?;
    g.with(|g| g.set_state(&bytes)).map_err(runtime_err)
}

#[pymethods]
impl PyGenerator {
    #[new]
    #[pyo3(signature = (device="cpu"))]
    fn py_new(device: &str) -> PyResult<Self> {
        if device != "cpu" {
            return Err(runtime_err(format!(
                "Generator: unsupported device '{device}'"
            )));
        }
        Ok(PyGenerator {
            handle: Handle::Own(Arc::new(Mutex::new(Generator::new(DEFAULT_RNG_SEED)))),
        })
    }

    fn manual_seed<'py>(
        slf: PyRef<'py, Self>,
        seed: &Bound<'py, PyAny>,
    ) -> PyResult<PyRef<'py, Self>> {
        let s = seed_bits(seed)?;
        slf.with(|g| g.manual_seed(s));
        Ok(slf)
    }

    fn seed(&self) -> u64 {
        let s = random::nondeterministic_seed();
        self.with(|g| g.manual_seed(s));
        s
    }

    fn initial_seed(&self) -> u64 {
        self.with(|g| g.initial_seed())
    }

    fn get_state(&self, py: Python<'_>) -> Out {
        state_tensor(py, self)
    }

    fn set_state<'py>(
        slf: PyRef<'py, Self>,
        new_state: PyRef<'py, PyTensor>,
    ) -> PyResult<PyRef<'py, Self>> {
        set_state(&slf, &new_state)?;
        Ok(slf)
    }

    #[getter]
    fn device<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::tensor::device_object(py, ferrograd_core::Device::Cpu)
    }
}

/// `manual_seed(seed)`: seeds the default generator and returns it.
#[pyfunction]
pub fn manual_seed(seed: &Bound<'_, PyAny>) -> PyResult<PyGenerator> {
    let s = seed_bits(seed)?;
    let g = PyGenerator {
        handle: Handle::Default,
    };
    g.with(|g| g.manual_seed(s));
    Ok(g)
}

#[pyfunction]
pub fn seed() -> u64 {
    PyGenerator {
        handle: Handle::Default,
    }
    .seed()
}

#[pyfunction]
pub fn initial_seed() -> u64 {
    PyGenerator {
        handle: Handle::Default,
    }
    .initial_seed()
}

#[pyfunction]
pub fn get_rng_state(py: Python<'_>) -> Out {
    state_tensor(
        py,
        &PyGenerator {
            handle: Handle::Default,
        },
    )
}

#[pyfunction]
pub fn set_rng_state(new_state: PyRef<'_, PyTensor>) -> PyResult<()> {
    set_state(
        &PyGenerator {
            handle: Handle::Default,
        },
        &new_state,
    )
}

#[pyfunction]
pub fn _default_generator() -> PyGenerator {
    PyGenerator {
        handle: Handle::Default,
    }
}
