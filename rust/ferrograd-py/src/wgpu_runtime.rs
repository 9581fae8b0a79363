//! The GPU runtime's functions behind `ferrograd.wgpu`: availability, the device's name,
//! synchronisation and the memory figures.

use ferrograd_core::wgpu;
use pyo3::prelude::*;

use crate::errors::{core, to_py_err};

/// Whether a GPU adapter can be used (the first call creates the device).
#[pyfunction]
fn _wgpu_is_available(py: Python<'_>) -> bool {
    py.detach(wgpu::is_available)
}

/// 1 when a GPU adapter can be used, else 0 (wgpu gives the process one device).
#[pyfunction]
fn _wgpu_device_count(py: Python<'_>) -> usize {
    usize::from(py.detach(wgpu::is_available))
}

/// The adapter's name and graphics API, e.g. `NVIDIA H200 (Vulkan)`.
#[pyfunction]
fn _wgpu_get_device_name(py: Python<'_>) -> PyResult<String> {
    let ctx = py.detach(wgpu::context).map_err(to_py_err)?;
    Ok(ctx.name())
}

/// Waits until the GPU has finished every command recorded so far.
#[pyfunction]
fn _wgpu_synchronize(py: Python<'_>) -> PyResult<()> {
    py.detach(|| core("synchronize", wgpu::synchronize))
}

#[pyfunction]
fn _wgpu_memory_allocated() -> u64 {
    wgpu::memory_allocated()
}

#[pyfunction]
fn _wgpu_max_memory_allocated() -> u64 {
    wgpu::max_memory_allocated()
}

#[pyfunction]
fn _wgpu_memory_reserved() -> u64 {
    wgpu::memory_reserved()
}

#[pyfunction]
fn _wgpu_reset_peak_memory_stats() {
    wgpu::reset_peak_memory_stats()
}

/// Whether the adapter in use is a software renderer (for tests).
#[pyfunction]
fn _wgpu_is_software(py: Python<'_>) -> PyResult<bool> {
    let ctx = py.detach(wgpu::context).map_err(to_py_err)?;
    Ok(ctx.is_software())
}

/// How many times an op has read GPU data back because it has no GPU kernel (for tests).
#[pyfunction]
fn _wgpu_fallback_count() -> u64 {
    wgpu::fallback::fallback_count()
}

#[pyfunction]
fn _wgpu_empty_cache() {
    wgpu::empty_cache()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_wgpu_is_available, m)?)?;
    m.add_function(wrap_pyfunction!(_wgpu_fallback_count, m)?)?;
    m.add_function(wrap_pyfunction!(_wgpu_is_software, m)?)?;
    m.add_function(wrap_pyfunction!(_wgpu_device_count, m)?)?;
    m.add_function(wrap_pyfunction!(_wgpu_get_device_name, m)?)?;
    m.add_function(wrap_pyfunction!(_wgpu_synchronize, m)?)?;
    m.add_function(wrap_pyfunction!(_wgpu_memory_allocated, m)?)?;
    m.add_function(wrap_pyfunction!(_wgpu_max_memory_allocated, m)?)?;
    m.add_function(wrap_pyfunction!(_wgpu_memory_reserved, m)?)?;
    m.add_function(wrap_pyfunction!(_wgpu_reset_peak_memory_stats, m)?)?;
    m.add_function(wrap_pyfunction!(_wgpu_empty_cache, m)?)?;
    Ok(())
}
