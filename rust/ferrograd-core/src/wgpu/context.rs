//! The one GPU device of the process: its adapter, device, queue and limits, created on first use
//! and kept until the process exits.
//!
//! The context lives in a `static`, which Rust never drops: some drivers crash when a device is
//! destroyed during interpreter shutdown, so we simply never destroy it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::error::{Error, Result};

/// The GPU device with what it can do.
pub struct Context {
    pub device: ::wgpu::Device,
    pub queue: ::wgpu::Queue,
    pub info: ::wgpu::AdapterInfo,
    pub limits: ::wgpu::Limits,
    pub features: ::wgpu::Features,
    /// Set by the driver's device-lost callback; every later GPU call fails with an error.
    lost: Arc<AtomicBool>,
    /// The first validation error reported outside an error scope, kept for the next check.
    uncaptured: Arc<Mutex<Option<String>>>,
}

static CONTEXT: OnceLock<std::result::Result<Context, String>> = OnceLock::new();

/// The context, created on first call; an error (no adapter, device request refused) is
/// remembered, so asking again is cheap.
pub fn context() -> Result<&'static Context> {
    if !crate::cpu::fork_guard::threads_usable() {
        // A GPU device does not survive fork(): the child has a copy of the parent's handles
        // but none of the driver's threads or mappings.
        return Err(Error::runtime(
            "wgpu: the GPU cannot be used in a forked child process (a DataLoader worker \
             started with fork); keep GPU work in the main process, or start workers with \
             multiprocessing_context='spawn'",
        ));
    }
    CONTEXT
        .get_or_init(create)
        .as_ref()
        .map_err(|msg| Error::runtime(msg.clone()))
}

/// Whether a GPU adapter can be used (creates the context if needed).
pub fn is_available() -> bool {
    context().is_ok()
}

/// Adapters ranked by how much faster than the CPU they are likely to be: a discrete GPU first,
/// a software rasteriser (Mesa's lavapipe, used in CI) last, and only on request.
fn rank(kind: ::wgpu::DeviceType) -> u8 {
    match kind {
        ::wgpu::DeviceType::DiscreteGpu => 0,
        ::wgpu::DeviceType::IntegratedGpu => 1,
        ::wgpu::DeviceType::VirtualGpu => 2,
        ::wgpu::DeviceType::Cpu => 3,
        ::wgpu::DeviceType::Other => 4,
    }
}

/// The variable that lets a software adapter serve as the GPU.
pub const SOFTWARE_ENV: &str = "FERROGRAD_WGPU_SOFTWARE";

/// Whether a software adapter may be used. Not by default: the usual `"wgpu" if
/// wgpu.is_available() else "cpu"` would then pick a device a hundred times slower than the
/// CPU backend on a machine whose only "GPU" is Mesa's software driver.
fn software_allowed() -> bool {
    std::env::var(SOFTWARE_ENV).is_ok_and(|v| v == "1")
}

/// Optional features we use when the adapter has them: f16 and f64 arithmetic, 64-bit integers.
fn wanted_features() -> ::wgpu::Features {
    ::wgpu::Features::SHADER_F16 | ::wgpu::Features::SHADER_F64 | ::wgpu::Features::SHADER_INT64
}

fn create() -> std::result::Result<Context, String> {
    let instance =
        ::wgpu::Instance::new(::wgpu::InstanceDescriptor::new_without_display_handle_from_env());
    let adapters = pollster::block_on(instance.enumerate_adapters(::wgpu::Backends::all()));
    let adapter = adapters
        .into_iter()
        .filter(|a| {
            a.get_downlevel_capabilities()
                .flags
                .contains(::wgpu::DownlevelFlags::COMPUTE_SHADERS)
        })
        .min_by_key(|a| rank(a.get_info().device_type))
        .ok_or_else(|| {
            "wgpu: no GPU adapter found (on Linux without a GPU, install Mesa's software Vulkan \
             driver: apt-get install mesa-vulkan-drivers libvulkan1)"
                .to_string()
        })?;
    let info = adapter.get_info();
    if info.device_type == ::wgpu::DeviceType::Cpu && !software_allowed() {
        // (The message reaches Python as is_available() == False, and as the error of
        // `.to("wgpu")`.)
        return Err(format!(
            "wgpu: the only adapter is a software renderer ('{}'), which runs GPU kernels on the \
             CPU far more slowly than ferrograd's CPU backend, so it is not used; set \
             {SOFTWARE_ENV}=1 to use it anyway (to test the GPU path without a GPU)",
            info.name
        ));
    }
    let limits = adapter.limits();
    let features = adapter.features() & wanted_features();
    let descriptor = ::wgpu::DeviceDescriptor {
        label: Some("ferrograd"),
        required_features: features,
        required_limits: limits.clone(),
        experimental_features: ::wgpu::ExperimentalFeatures::disabled(),
        memory_hints: ::wgpu::MemoryHints::Performance,
        trace: ::wgpu::Trace::Off,
    };
    let (device, queue) = pollster::block_on(adapter.request_device(&descriptor))
        .map_err(|e| format!("wgpu: the adapter '{}' refused a device: {e}", info.name))?;
    let lost = Arc::new(AtomicBool::new(false));
    let flag = lost.clone();
    device.set_device_lost_callback(move |_, _| flag.store(true, Ordering::SeqCst));
    let uncaptured = Arc::new(Mutex::new(None));
    let slot = uncaptured.clone();
    device.on_uncaptured_error(Arc::new(move |e: ::wgpu::Error| {
        let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert_with(|| e.to_string());
    }));
    Ok(Context {
        device,
        queue,
        info,
        limits,
        features,
        lost,
        uncaptured,
    })
}

impl Context {
    /// An error if the device was lost or reported a validation error since the last check.
    pub fn check(&self) -> Result<()> {
        if self.lost.load(Ordering::SeqCst) {
            return Err(Error::runtime(
                "wgpu: the GPU device was lost (driver reset or crash); GPU tensors are gone",
            ));
        }
        let mut slot = self.uncaptured.lock().unwrap_or_else(|p| p.into_inner());
        match slot.take() {
            Some(msg) => Err(Error::runtime(format!("wgpu: {msg}"))),
            None => Ok(()),
        }
    }

    /// Whether the adapter is a software renderer (used only on request).
    pub fn is_software(&self) -> bool {
        self.info.device_type == ::wgpu::DeviceType::Cpu
    }

    pub fn supports_f64(&self) -> bool {
        self.features.contains(::wgpu::Features::SHADER_F64)
    }

    /// The adapter's name, as `get_device_name()` reports it.
    pub fn name(&self) -> String {
        format!("{} ({:?})", self.info.name, self.info.backend)
    }
}
