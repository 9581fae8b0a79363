//! The device an op allocates its results on, and the check that an op's tensors share one.
//!
//! An op runs inside a scope for its inputs' device (PyTorch sets a device guard the same way
//! when it dispatches an op). Every storage created inside the scope, by the op's own kernel or
//! by the ops it is composed of, is created on that device, so an op written once for the CPU
//! returns GPU tensors for GPU inputs without naming a device anywhere.

use std::cell::Cell;

use crate::device::Device;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

thread_local! {
    static CURRENT: Cell<Device> = const { Cell::new(Device::Cpu) };
}

/// The device new storages are created on.
pub fn current() -> Device {
    CURRENT.with(Cell::get)
}

/// While alive, new storages are created on its device; dropping it restores the previous one.
pub struct DeviceScope {
    previous: Device,
}

impl DeviceScope {
    pub fn enter(device: Device) -> DeviceScope {
        DeviceScope {
            previous: CURRENT.with(|c| c.replace(device)),
        }
    }

    /// A scope for the common device of `tensors` (see [`common_device`]).
    pub fn of(tensors: &[&Tensor]) -> Result<DeviceScope> {
        DeviceScope::of_all(tensors.iter().copied())
    }

    /// `of` for tensors not already in a slice (optional ones, an op's operands): no vector is
    /// built on the op's path.
    pub fn of_all<'a>(tensors: impl IntoIterator<Item = &'a Tensor>) -> Result<DeviceScope> {
        Ok(DeviceScope::enter(common_device(tensors)?))
    }
}

impl Drop for DeviceScope {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.previous));
    }
}

/// The device the tensors of one op share. A 0-dim CPU tensor goes with GPU tensors (it acts as
/// a number, as in PyTorch); any other mix is PyTorch's error.
pub fn common_device<'a>(tensors: impl IntoIterator<Item = &'a Tensor>) -> Result<Device> {
    let mut found: Option<Device> = None;
    let mut cpu_scalar = false;
    for t in tensors {
        let d = t.device();
        if d == Device::Cpu && t.ndim() == 0 {
            cpu_scalar = true;
            continue;
        }
        match found {
            None => found = Some(d),
            Some(f) if f == d => {}
            Some(f) => return Err(mismatch(f, d)),
        }
    }
    Ok(found.unwrap_or(if cpu_scalar { Device::Cpu } else { current() }))
}

/// PyTorch's message for tensors of one op on two devices (the GPU named first, as there).
pub fn mismatch(a: Device, b: Device) -> Error {
    let (first, second) = if a == Device::Cpu { (b, a) } else { (a, b) };
    Error::runtime(format!(
        "Expected all tensors to be on the same device, but found at least two devices, {first} and {second}!"
    ))
}

impl Tensor {
    /// A scope that allocates on this tensor's device (for ops with one tensor input).
    pub fn device_scope(&self) -> DeviceScope {
        DeviceScope::enter(self.device())
    }
}
