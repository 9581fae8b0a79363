//! Copies between host memory and GPU buffers, ordered with the recorded kernels.
//!
//! An upload goes through a fresh staging buffer and a copy command recorded into the pending
//! encoder, rather than `Queue::write_buffer`: that one runs before every command not yet
//! submitted, so it could overwrite a pooled buffer that an earlier recorded kernel still reads.

use ::wgpu::util::DeviceExt;

use super::context::context;
use super::pool::GpuBuffer;
use super::stream::{flush, record, wait};
use crate::error::{Error, Result};
use crate::storage::CpuBuffer;

/// Copy commands move whole 32-bit words.
fn padded(nbytes: usize) -> u64 {
    (nbytes as u64).div_ceil(4) * 4
}

/// A new GPU buffer holding `bytes`.
pub fn upload(bytes: &[u8]) -> Result<GpuBuffer> {
    let gpu = GpuBuffer::new(bytes.len() as u64)?;
    upload_into(bytes, &gpu)?;
    Ok(gpu)
}

/// A new buffer holding `bytes`, for one kernel's input from the host. Not the pool's: a
/// pooled buffer dropped before its kernel is recorded goes back to the pool, and a later
/// upload into it would be recorded before the kernel reads it. wgpu keeps this one alive for
/// as long as a command uses it.
pub fn upload_for_kernel(bytes: &[u8]) -> Result<::wgpu::Buffer> {
    let ctx = context()?;
    let mut contents = bytes.to_vec();
    contents.resize((padded(bytes.len()) as usize).max(4), 0);
    Ok(ctx
        .device
        .create_buffer_init(&::wgpu::util::BufferInitDescriptor {
            label: Some("kernel input"),
            contents: &contents,
            usage: ::wgpu::BufferUsages::STORAGE,
        }))
}

/// Copies `bytes` to the start of `gpu`.
pub fn upload_into(bytes: &[u8], gpu: &GpuBuffer) -> Result<()> {
    if bytes.is_empty() {
        return Ok(());
    }
    let ctx = context()?;
    let size = padded(bytes.len());
    let mut contents = bytes.to_vec();
    contents.resize(size as usize, 0);
    let staging = ctx
        .device
        .create_buffer_init(&::wgpu::util::BufferInitDescriptor {
            label: Some("upload"),
            contents: &contents,
            usage: ::wgpu::BufferUsages::COPY_SRC,
        });
    record(|_, enc| enc.copy_buffer_to_buffer(&staging, 0, gpu.buffer(), 0, size))
}

/// Reads the first `nbytes` bytes of `gpu` into new host memory: submits what is pending and
/// waits for it.
pub fn download(gpu: &GpuBuffer, nbytes: usize) -> Result<CpuBuffer> {
    let mut host = CpuBuffer::uninit(nbytes)?;
    if nbytes == 0 {
        return Ok(host);
    }
    let ctx = context()?;
    let size = padded(nbytes);
    let staging = ctx.device.create_buffer(&::wgpu::BufferDescriptor {
        label: Some("download"),
        size,
        usage: ::wgpu::BufferUsages::MAP_READ | ::wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    record(|_, enc| enc.copy_buffer_to_buffer(gpu.buffer(), 0, &staging, 0, size))?;
    flush()?;
    let (tx, rx) = std::sync::mpsc::channel();
    staging.map_async(::wgpu::MapMode::Read, .., move |r| {
        let _ = tx.send(r);
    });
    wait(ctx)?;
    rx.recv()
        .map_err(|_| Error::runtime("wgpu: reading a GPU buffer back never completed"))?
        .map_err(|e| Error::runtime(format!("wgpu: reading a GPU buffer back failed: {e}")))?;
    {
        let view = staging
            .get_mapped_range(..)
            .map_err(|e| Error::runtime(format!("wgpu: mapping a GPU buffer failed: {e}")))?;
        host.as_bytes_mut().copy_from_slice(&view[..nbytes]);
    }
    staging.unmap();
    Ok(host)
}

/// Records a fill of `gpu`'s first `nbytes` (rounded up to words) with zeros.
pub fn clear(gpu: &GpuBuffer, nbytes: usize) -> Result<()> {
    if nbytes == 0 {
        return Ok(());
    }
    record(|_, enc| enc.clear_buffer(gpu.buffer(), 0, Some(padded(nbytes))))
}
