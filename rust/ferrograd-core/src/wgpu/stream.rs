//! Lazy submission: GPU commands are recorded into one pending command encoder and submitted
//! together, when a value must come back to the host, when `synchronize()` is called, or every
//! `FLUSH_EVERY` commands so the GPU never idles behind a long recording.

use std::sync::{Mutex, MutexGuard};

use super::context::{context, Context};
use crate::error::{Error, Result};

/// Commands recorded before the encoder is submitted anyway.
const FLUSH_EVERY: usize = 64;

struct Pending {
    encoder: Option<::wgpu::CommandEncoder>,
    commands: usize,
}

static PENDING: Mutex<Pending> = Mutex::new(Pending {
    encoder: None,
    commands: 0,
});

fn pending() -> MutexGuard<'static, Pending> {
    PENDING.lock().unwrap_or_else(|p| p.into_inner())
}

/// Records commands into the pending encoder (created if there is none).
pub fn record(f: impl FnOnce(&Context, &mut ::wgpu::CommandEncoder)) -> Result<()> {
    let ctx = context()?;
    ctx.check()?;
    let mut p = pending();
    let encoder = p.encoder.get_or_insert_with(|| {
        ctx.device
            .create_command_encoder(&::wgpu::CommandEncoderDescriptor { label: None })
    });
    f(ctx, encoder);
    p.commands += 1;
    if p.commands >= FLUSH_EVERY {
        submit(ctx, &mut p);
    }
    Ok(())
}

fn submit(ctx: &Context, p: &mut Pending) {
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
    ctx.device
        .poll(::wgpu::PollType::wait_indefinitely())
        .map_err(|e| Error::runtime(format!("wgpu: waiting for the GPU failed: {e}")))?;
    ctx.check()
}
