//! Compiled compute pipelines, cached by their WGSL source, and recording one dispatch.
//!
//! A kernel's shader is generated from a template (see `elementwise.rs`), so the source text
//! itself is the cache key (or, for the long templates, a short key standing for it: see
//! `Source`): the same op on the same dtypes compiles once per process. A shader that fails
//! to compile becomes a RuntimeError naming the kernel, never a crash.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::context::context;
use super::stream::record_with_meta;
use crate::error::{Error, Result};

/// Invocations per workgroup of every kernel (the `@workgroup_size` of the templates).
pub const WORKGROUP: u32 = 256;

static PIPELINES: Mutex<Option<HashMap<String, Arc<::wgpu::ComputePipeline>>>> = Mutex::new(None);

/// A kernel's WGSL: its text, or, for a kernel generated from a long template, a short key
/// that names the text and a way to write it out. Generating a template's text (thousands of
/// lines, with the math library) and hashing it cost more per op than the dispatch itself, so
/// a keyed kernel is looked up by its key and written out only to be compiled.
pub enum Source<'a> {
    Text(&'a str),
    Keyed(String, &'a dyn Fn() -> String),
}

impl<'a> From<&'a str> for Source<'a> {
    fn from(text: &'a str) -> Self {
        Source::Text(text)
    }
}

impl<'a> From<&'a String> for Source<'a> {
    fn from(text: &'a String) -> Self {
        Source::Text(text)
    }
}

impl Source<'_> {
    /// The pipeline cache's key: the text, or the key (marked so it cannot equal a text).
    fn cache_key(&self) -> Cow<'_, str> {
        match self {
            Source::Text(text) => Cow::Borrowed(text),
            Source::Keyed(key, _) => Cow::Owned(format!("\u{0}{key}")),
        }
    }
}

/// `template` with each placeholder replaced by its text.
pub fn fill(template: &str, pieces: &[(&str, &str)]) -> String {
    pieces
        .iter()
        .fold(template.to_string(), |text, (at, with)| {
            text.replace(at, with)
        })
}

/// The key of a template filled with `pieces` (see [`Source::Keyed`]): equal keys, equal texts.
pub fn template_key(template: &str, pieces: &[(&str, &str)]) -> String {
    let mut key = template.to_string();
    for (_, with) in pieces {
        key.push('\u{1}');
        key.push_str(with);
    }
    key
}

/// The pipeline for `source` (entry point `main`), compiled on first use.
/// The run-time checks our kernels are compiled with: all but the loop bounding (see `pipeline`).
fn trusted_loops() -> ::wgpu::ShaderRuntimeChecks {
    ::wgpu::ShaderRuntimeChecks {
        force_loop_bounding: false,
        ..::wgpu::ShaderRuntimeChecks::checked()
    }
}

fn pipeline(label: &str, source: &Source<'_>) -> Result<Arc<::wgpu::ComputePipeline>> {
    let mut cache = PIPELINES.lock().unwrap_or_else(|p| p.into_inner());
    let cache = cache.get_or_insert_with(HashMap::new);
    let key = source.cache_key();
    if let Some(p) = cache.get(&*key) {
        return Ok(p.clone());
    }
    let text = match source {
        Source::Text(text) => (*text).to_string(),
        Source::Keyed(_, write) => write(),
    };
    let source = text.as_str();
    let ctx = context()?;
    let scope = ctx.device.push_error_scope(::wgpu::ErrorFilter::Validation);
    let descriptor = ::wgpu::ShaderModuleDescriptor {
        label: Some(label),
        source: ::wgpu::ShaderSource::Wgsl(source.into()),
    };
    // SAFETY: every check stays on but the loop bounding. That one wraps each loop in a
    // counter so that a loop which never ends cannot be assumed away by the driver's compiler;
    // the counter also stops that compiler from unrolling our fixed-count loops (a matmul's
    // register block, a sort's steps), which then keep their arrays in slow local memory:
    // on an H200, turning it off took a 4096 x 4096 matmul from 0.67 to 2 TFLOP/s (and
    // writing its register block out unrolled, see matmul.rs, to 24). Every loop in our
    // kernels runs a count bounded by its sizes or constants, so none is endless.
    let module = unsafe {
        ctx.device
            .create_shader_module_trusted(descriptor, trusted_loops())
    };
    let pipeline = ctx
        .device
        .create_compute_pipeline(&::wgpu::ComputePipelineDescriptor {
            label: Some(label),
            layout: None,
            module: &module,
            entry_point: Some("main"),
            compilation_options: Default::default(),
            cache: None,
        });
    if let Some(err) = pollster::block_on(scope.pop()) {
        return Err(Error::runtime(format!(
            "wgpu: compiling the kernel '{label}' failed: {err}"
        )));
    }
    let pipeline = Arc::new(pipeline);
    cache.insert(key.into_owned(), pipeline.clone());
    Ok(pipeline)
}

/// The workgroup grid for `invocations`: along x up to the adapter's limit per dimension,
/// folded into y beyond it (kernels rebuild the flat index from both).
fn grid(label: &str, invocations: u64) -> Result<(u32, u32)> {
    let limit = u64::from(context()?.limits.max_compute_workgroups_per_dimension);
    let groups = invocations.div_ceil(u64::from(WORKGROUP)).max(1);
    let x = groups.min(limit);
    let y = groups.div_ceil(x);
    if y > limit {
        return Err(Error::runtime(format!(
            "wgpu: {label} over {invocations} elements needs more workgroups than the adapter \
             can launch"
        )));
    }
    Ok((x as u32, y as u32))
}

/// Records one dispatch of the kernel `source` over `invocations` threads: `buffers` bound at
/// 0, 1, ... in order, then `meta` (the layouts, as 32-bit words) at the next binding.
pub fn dispatch<'a>(
    label: &str,
    source: impl Into<Source<'a>>,
    buffers: &[&::wgpu::Buffer],
    meta: &[u32],
    invocations: u64,
) -> Result<()> {
    let (x, y) = grid(label, invocations)?;
    dispatch_groups(label, source, buffers, meta, [x, y, 1])
}

const PER_THREAD: &str = include_str!("shaders/threads.wgsl");

/// The source of a kernel with one thread per element: `threads.wgsl` with `bindings`
/// (name, access, element type) declared at 0, 1, ..., then `parts` (helpers and a body
/// defining `run(t)`).
pub fn per_thread_source(parts: &[&str], bindings: &[(&str, &str, &str)]) -> String {
    let declared: String = bindings
        .iter()
        .enumerate()
        .map(|(i, (name, access, ty))| {
            format!("@group(0) @binding({i}) var<storage, {access}> {name}: array<{ty}>;\n")
        })
        .collect();
    let frame = PER_THREAD
        .replace("{{BINDINGS}}", &declared)
        .replace("{{META_BINDING}}", &bindings.len().to_string());
    std::iter::once(frame.as_str())
        .chain(parts.iter().copied())
        .collect::<Vec<&str>>()
        .join("\n")
}

/// The grid for `count` workgroups of one-per-item kernels: along x up to the adapter's
/// limit, folded into y (the kernel rebuilds its index as `x + y * groups.x` and leaves past
/// `count`).
pub fn folded_groups(count: u32) -> Result<[u32; 3]> {
    let limit = context()?.limits.max_compute_workgroups_per_dimension;
    let x = count.clamp(1, limit);
    Ok([x, count.div_ceil(x), 1])
}

/// How many parts to split each of `groups` workgroups' long loops (of `length` steps) into,
/// so that `busy` workgroups run and a large GPU is not left mostly idle: 1 when there are
/// that many already, else enough parts, each at least `min_part` steps long. Reductions with
/// few outputs and products with few output tiles are split so.
pub fn split_parts(groups: usize, length: usize, busy: usize, min_part: usize) -> usize {
    if groups >= busy {
        return 1;
    }
    busy.div_ceil(groups).min(length / min_part).max(1)
}

/// Whether a grid of `groups` workgroups can be launched in one dispatch.
pub fn groups_fit(groups: [u64; 3]) -> Result<bool> {
    let limit = u64::from(context()?.limits.max_compute_workgroups_per_dimension);
    Ok(groups.iter().all(|&g| g <= limit))
}

/// As [`dispatch`], for a kernel that lays out its own grid of `groups` workgroups (tiled
/// kernels: one workgroup per output tile); the caller has checked it with [`groups_fit`].
pub fn dispatch_groups<'a>(
    label: &str,
    source: impl Into<Source<'a>>,
    buffers: &[&::wgpu::Buffer],
    meta: &[u32],
    groups: [u32; 3],
) -> Result<()> {
    let ctx = context()?;
    let most = ctx.limits.max_storage_buffer_binding_size;
    if let Some(big) = buffers.iter().find(|b| b.size() > most) {
        return Err(Error::runtime(format!(
            "wgpu: {label} needs a tensor of {} bytes in one binding, more than the adapter \
             allows ({most} bytes); split it, or run this op on the CPU",
            big.size()
        )));
    }
    let pipeline = pipeline(label, &source.into())?;
    let layout = pipeline.get_bind_group_layout(0);
    record_with_meta(meta, |ctx, encoder, meta_binding| {
        let mut entries: Vec<::wgpu::BindGroupEntry<'_>> = buffers
            .iter()
            .enumerate()
            .map(|(i, b)| ::wgpu::BindGroupEntry {
                binding: i as u32,
                resource: b.as_entire_binding(),
            })
            .collect();
        entries.push(::wgpu::BindGroupEntry {
            binding: buffers.len() as u32,
            resource: meta_binding,
        });
        let bind_group = ctx.device.create_bind_group(&::wgpu::BindGroupDescriptor {
            label: Some(label),
            layout: &layout,
            entries: &entries,
        });
        let mut pass = encoder.begin_compute_pass(&::wgpu::ComputePassDescriptor {
            label: Some(label),
            timestamp_writes: None,
        });
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups(groups[0], groups[1], groups[2]);
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wgpu::gpu_present;

    #[test]
    fn grids_past_the_adapters_limit_fold_into_y() -> Result<()> {
        if !gpu_present() {
            return Ok(());
        }
        let limit = u64::from(context()?.limits.max_compute_workgroups_per_dimension);
        let per_group = u64::from(WORKGROUP);
        assert_eq!(grid("test", 5 * per_group)?, (5, 1));
        let (x, y) = grid("test", (limit + 5) * per_group)?;
        assert_eq!((u64::from(x), y), (limit, 2));
        let err = grid("test", (limit * limit + 1) * per_group).expect_err("too many groups");
        assert!(err
            .to_string()
            .contains("more workgroups than the adapter can launch"));
        Ok(())
    }

    #[test]
    fn a_kernel_that_does_not_compile_is_an_error_not_a_crash() -> Result<()> {
        if !gpu_present() {
            return Ok(());
        }
        let broken = "@compute @workgroup_size(1) fn main() { let x: u32 = 1.5; }";
        let err = pipeline("broken", &Source::Text(broken)).expect_err("invalid WGSL");
        assert!(err
            .to_string()
            .contains("compiling the kernel 'broken' failed"));
        // The device goes on working.
        let fine = "@compute @workgroup_size(1) fn main() { let x: u32 = 1u; }";
        pipeline("fine", &Source::Text(fine))?;
        context()?.check()
    }
}
