//! Lazy submission: GPU commands are recorded into one pending command encoder and submitted
//! together, when a value must come back to the host, when `synchronize()` is called, or every
//! `FLUSH_EVERY` commands so the GPU never idles behind a long recording.
//!
//! The kernels' `shape_info` words of one batch share one buffer (`MetaArena`): each dispatch
//! binds its own aligned range, and the words are written with the batch's submission. A
//! buffer per dispatch cost an allocation and a mapping each time; the arenas themselves are
//! reused once the GPU has finished their batch, so a loop that synchronizes after every op
//! (a benchmark, a training step) allocates none.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::context::{context, Context};
use crate::error::{Error, Result};

/// Commands recorded before the encoder is submitted anyway.
const FLUSH_EVERY: usize = 64;

struct Pending {
    encoder: Option<::wgpu::CommandEncoder>,
    commands: usize,
    meta: Option<MetaArena>,
    /// The arena buffers of submitted batches, free once the GPU has finished them.
    submitted: Vec<::wgpu::Buffer>,
    /// Arena buffers free for the next batch.
    free: Vec<::wgpu::Buffer>,
}

/// How long `wait` checks for the GPU to finish before it blocks.
const SPIN: Duration = Duration::from_micros(200);

/// Arena buffers kept for reuse (64 KiB each); more are dropped.
const KEPT_ARENAS: usize = 8;

/// Bytes of the batch's `shape_info` buffer; a batch that would overflow it is submitted
/// first. Larger than any kernel's words (a few hundred bytes) times `FLUSH_EVERY`.
const META_BYTES: u64 = 64 * 1024;

/// The `shape_info` words of the dispatches recorded in the pending batch.
struct MetaArena {
    buffer: ::wgpu::Buffer,
    bytes: Vec<u8>,
}

static PENDING: Mutex<Pending> = Mutex::new(Pending {
    encoder: None,
    commands: 0,
    meta: None,
    submitted: Vec::new(),
    free: Vec::new(),
});

fn pending() -> MutexGuard<'static, Pending> {
    PENDING.lock().unwrap_or_else(|p| p.into_inner())
}

/// Records commands into the pending encoder (created if there is none).
pub fn record(f: impl FnOnce(&Context, &mut ::wgpu::CommandEncoder)) -> Result<()> {
    let ctx = context()?;
    ctx.check()?;
    record_into(ctx, &mut pending(), |encoder| f(ctx, encoder));
    Ok(())
}

/// Records a dispatch whose `shape_info` is `meta`: `f` gets the binding of the words in the
/// batch's arena (the encoder it records into is the one they are written for).
pub fn record_with_meta(
    meta: &[u32],
    f: impl FnOnce(&Context, &mut ::wgpu::CommandEncoder, ::wgpu::BindingResource<'_>),
) -> Result<()> {
    let ctx = context()?;
    ctx.check()?;
    // Bindings of runtime-sized arrays must hold at least one element.
    let size = (meta.len() as u64 * 4).max(4);
    if size > META_BYTES {
        return Err(Error::runtime(format!(
            "wgpu: a kernel's layout takes {size} bytes, more than a batch holds ({META_BYTES})"
        )));
    }
    let align = u64::from(ctx.limits.min_storage_buffer_offset_alignment).max(4);
    let mut p = pending();
    let used = p.meta.as_ref().map_or(0, |m| m.bytes.len() as u64);
    if used.div_ceil(align) * align + size > META_BYTES {
        submit(ctx, &mut p);
    }
    if p.meta.is_none() {
        let buffer = p.free.pop().unwrap_or_else(|| {
            ctx.device.create_buffer(&::wgpu::BufferDescriptor {
                label: Some("meta"),
                size: META_BYTES,
                usage: ::wgpu::BufferUsages::STORAGE | ::wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        });
        p.meta = Some(MetaArena {
            buffer,
            bytes: Vec::new(),
        });
    }
    let arena = p.meta.as_mut().expect("the arena was just made");
    let offset = (arena.bytes.len() as u64).div_ceil(align) * align;
    arena.bytes.resize(offset as usize, 0);
    arena
        .bytes
        .extend(meta.iter().flat_map(|w| w.to_le_bytes()));
    arena.bytes.resize((offset + size) as usize, 0);
    let buffer = arena.buffer.clone();
    let binding = ::wgpu::BindingResource::Buffer(::wgpu::BufferBinding {
        buffer: &buffer,
        offset,
        size: std::num::NonZeroU64::new(size),
    });
    record_into(ctx, &mut p, |encoder| f(ctx, encoder, binding));
    Ok(())
}

/// Runs `f` on the pending encoder (created if there is none), and submits the batch once it
/// holds `FLUSH_EVERY` commands.
fn record_into(ctx: &Context, p: &mut Pending, f: impl FnOnce(&mut ::wgpu::CommandEncoder)) {
    let encoder = p.encoder.get_or_insert_with(|| {
        ctx.device
            .create_command_encoder(&::wgpu::CommandEncoderDescriptor { label: None })
    });
    f(encoder);
    p.commands += 1;
    if p.commands >= FLUSH_EVERY {
        submit(ctx, p);
    }
}

fn submit(ctx: &Context, p: &mut Pending) {
    // The words go first: a write is carried out before the next submission's commands.
    if let Some(arena) = p.meta.take() {
        ctx.queue.write_buffer(&arena.buffer, 0, &arena.bytes);
        if p.submitted.len() < KEPT_ARENAS {
            p.submitted.push(arena.buffer);
        }
    }
    if let Some(encoder) = p.encoder.take() {
        ctx.queue.submit([encoder.finish()]);
    }
    p.commands = 0;
}

/// Submits everything recorded so far (without waiting for it).
pub fn flush() -> Result<()> {
    let ctx = context()?;
    submit(ctx, &mut pending());
    ctx.check()
}

/// Submits everything recorded and waits until the GPU has finished it (`synchronize()`).
pub fn synchronize() -> Result<()> {
    let ctx = context()?;
    submit(ctx, &mut pending());
    wait(ctx)
}

/// Blocks until the GPU is idle; a device error becomes a RuntimeError.
pub(crate) fn wait(ctx: &Context) -> Result<()> {
    // The arenas submitted before the wait are free after it (not those another thread
    // submits meanwhile).
    let finished = std::mem::take(&mut pending().submitted);
    let failed =
        |e: ::wgpu::PollError| Error::runtime(format!("wgpu: waiting for the GPU failed: {e}"));
    // Checked in a loop for a while first: a blocking wait wakes up tens of microseconds
    // after the GPU is done, which costs a short kernel (an add of 64M floats takes 0.2 ms on
    // an H200) a good part of its time; CUDA's synchronize spins first too.
    let start = Instant::now();
    loop {
        if ctx
            .device
            .poll(::wgpu::PollType::Poll)
            .map_err(failed)?
            .is_queue_empty()
        {
            break;
        }
        if start.elapsed() > SPIN {
            ctx.device
                .poll(::wgpu::PollType::wait_indefinitely())
                .map_err(failed)?;
            break;
        }
        std::hint::spin_loop();
    }
    let mut p = pending();
    let room = KEPT_ARENAS.saturating_sub(p.free.len());
    p.free.extend(finished.into_iter().take(room));
    drop(p);
    ctx.check()
}
