//! Random-number state from Python: the `ferrograd.Generator` class (of the CPU or of the GPU)
//! and the functions that seed or snapshot the default generators (`manual_seed`, `seed`,
//! `get_rng_state`, ...). The samplers that draw from a generator live in `random_sampling.rs`
//! and `random_inplace.rs`; [`with_draws`] hands them the generator of their tensor's device.

use std::sync::{Arc, Mutex};

use ferrograd_core::random::{self, Generator, PhiloxGenerator, DEFAULT_RNG_SEED};
use ferrograd_core::tensor::Draws;
use ferrograd_core::{DType, Device, Tensor};
use pyo3::prelude::*;

use crate::errors::{core, runtime_err, type_err};
use crate::tensor::{device_arg, no_cuda_err, wrap, PyTensor};

type Out = PyResult<Py<PyTensor>>;

enum Handle {
    /// The process-wide CPU generator that `manual_seed` seeds.
    Default,
    Own(Arc<Mutex<Generator>>),
    /// The process-wide GPU generator (`ferrograd.wgpu.manual_seed` seeds it).
    DeviceDefault,
    DeviceOwn(Arc<Mutex<PhiloxGenerator>>),
}

/// `ferrograd.Generator`: a random number generator with its own state, for the CPU (PyTorch's
/// MT19937) or for the GPU (Philox, drawn by the GPU's kernels).
#[pyclass(name = "Generator", module = "ferrograd")]
pub struct PyGenerator {
    handle: Handle,
}

/// What seeding and snapshots need of either kind of generator.
trait Seeded {
    fn reseed(&mut self, seed: u64);
    fn first_seed(&self) -> u64;
    fn state(&self) -> Vec<u8>;
    fn restore(&mut self, state: &[u8]) -> Result<(), String>;
}

/// Both generators have these methods under the same names.
macro_rules! seeded {
    ($generator:ty) => {
        impl Seeded for $generator {
            fn reseed(&mut self, seed: u64) {
                self.manual_seed(seed);
            }
            fn first_seed(&self) -> u64 {
                self.initial_seed()
            }
            fn state(&self) -> Vec<u8> {
                self.get_state()
            }
            fn restore(&mut self, state: &[u8]) -> Result<(), String> {
                self.set_state(state)
            }
        }
    };
}

seeded!(Generator);
seeded!(PhiloxGenerator);

/// A poisoned lock still holds a valid generator.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl PyGenerator {
    fn cpu_lock(&self) -> Option<&Mutex<Generator>> {
        match &self.handle {
            Handle::Default => Some(random::default_generator()),
            Handle::Own(g) => Some(g.as_ref()),
            _ => None,
        }
    }

    fn gpu_lock(&self) -> Option<&Mutex<PhiloxGenerator>> {
        match &self.handle {
            Handle::DeviceDefault => Some(random::default_device_generator()),
            Handle::DeviceOwn(g) => Some(g.as_ref()),
            _ => None,
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut dyn Seeded) -> R) -> R {
        match (self.cpu_lock(), self.gpu_lock()) {
            (Some(g), _) => f(&mut *lock(g)),
            (None, Some(g)) => f(&mut *lock(g)),
            (None, None) => unreachable!("a generator is on the CPU or on the GPU"),
        }
    }

    fn home(&self) -> Device {
        match self.handle {
            Handle::Default | Handle::Own(_) => Device::Cpu,
            Handle::DeviceDefault | Handle::DeviceOwn(_) => Device::Wgpu(0),
        }
    }
}

/// Runs `f` with the generator a sampling op on `device` draws from: the given one, which must
/// belong to that device (PyTorch's error otherwise), or that device's default one.
pub(crate) fn with_draws<R>(
    generator: Option<&PyGenerator>,
    device: Device,
    f: impl FnOnce(Draws<'_>) -> PyResult<R>,
) -> PyResult<R> {
    let default = PyGenerator {
        handle: if device == Device::Cpu {
            Handle::Default
        } else {
            Handle::DeviceDefault
        },
    };
    let g = generator.unwrap_or(&default);
    if g.home().type_name() != device.type_name() {
        return Err(runtime_err(format!(
            "Expected a '{}' device type for generator but found '{}'",
            device.type_name(),
            g.home().type_name()
        )));
    }
    match (g.cpu_lock(), g.gpu_lock()) {
        (Some(m), _) => f(Draws::Cpu(&mut lock(m))),
        (None, Some(m)) => f(Draws::Wgpu(&mut lock(m))),
        (None, None) => unreachable!("a generator is on the CPU or on the GPU"),
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
    let bytes = g.with(|g| g.state());
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
    g.with(|g| g.restore(&bytes)).map_err(runtime_err)
}

#[pymethods]
impl PyGenerator {
    #[new]
    #[pyo3(signature = (device=None))]
    fn py_new(device: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let handle = match device_arg(device, Device::Cpu) {
            Ok(Device::Cpu) => Handle::Own(Arc::new(Mutex::new(Generator::new(DEFAULT_RNG_SEED)))),
            Ok(Device::Wgpu(_)) => {
                Handle::DeviceOwn(Arc::new(Mutex::new(PhiloxGenerator::new(DEFAULT_RNG_SEED))))
            }
            Err(_) if device.is_some_and(|d| d.to_string().starts_with("cuda")) => {
                return Err(no_cuda_err())
            }
            Err(e) => return Err(e),
        };
        Ok(PyGenerator { handle })
    }

    fn manual_seed<'py>(
        slf: PyRef<'py, Self>,
        seed: &Bound<'py, PyAny>,
    ) -> PyResult<PyRef<'py, Self>> {
        let s = seed_bits(seed)?;
        slf.with(|g| g.reseed(s));
        Ok(slf)
    }

    fn seed(&self) -> u64 {
        let s = random::nondeterministic_seed();
        self.with(|g| g.reseed(s));
        s
    }

    fn initial_seed(&self) -> u64 {
        self.with(|g| g.first_seed())
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
        crate::tensor::device_object(py, self.home())
    }
}

fn default_cpu() -> PyGenerator {
    PyGenerator {
        handle: Handle::Default,
    }
}

fn default_gpu() -> PyGenerator {
    PyGenerator {
        handle: Handle::DeviceDefault,
    }
}

/// `manual_seed(seed)`: seeds the default generators of every device (as PyTorch seeds the CPU's
/// and every CUDA device's) and returns the CPU's.
#[pyfunction]
pub fn manual_seed(seed: &Bound<'_, PyAny>) -> PyResult<PyGenerator> {
    let s = seed_bits(seed)?;
    default_gpu().with(|g| g.reseed(s));
    let g = default_cpu();
    g.with(|g| g.reseed(s));
    Ok(g)
}

/// `seed()`: a nondeterministic seed for every device's default generator, returned.
#[pyfunction]
pub fn seed() -> u64 {
    let s = default_cpu().seed();
    default_gpu().with(|g| g.reseed(s));
    s
}

#[pyfunction]
pub fn initial_seed() -> u64 {
    default_cpu().initial_seed()
}

#[pyfunction]
pub fn get_rng_state(py: Python<'_>) -> Out {
    state_tensor(py, &default_cpu())
}

#[pyfunction]
pub fn set_rng_state(new_state: PyRef<'_, PyTensor>) -> PyResult<()> {
    set_state(&default_cpu(), &new_state)
}

#[pyfunction]
pub fn _default_generator() -> PyGenerator {
    default_cpu()
}

/// The GPU's default generator, behind `ferrograd.wgpu.manual_seed` and friends.
#[pyfunction]
pub fn _wgpu_default_generator() -> PyGenerator {
    default_gpu()
}
