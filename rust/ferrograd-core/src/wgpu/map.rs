//! The GPU's "one output element per thread" kernels: the template `shaders/map.wgsl`, filled
//! in by the elementwise ops (`elementwise.rs`) and by copies, casts and fills (`copy.rs`).
//!
//! Operands are read in place through their strides, so a view (transposed, stepped, expanded,
//! flipped) costs nothing extra. An op declines (returns false, and the caller runs its CPU
//! kernel) when an operand is too large for one binding or for 32-bit indices.

use super::kernel::dispatch;
use crate::device::Device;
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;

const TEMPLATE: &str = include_str!("shaders/map.wgsl");

/// How a kernel sees the elements of an operand.
#[derive(Clone, Copy)]
pub enum View {
    /// As `array<T>` of this WGSL type, one element per array entry.
    Typed(&'static str),
    /// One byte per element, read out of an `array<u32>` as a `u32` (bool, uint8, int8: WGSL
    /// has no 8-bit type).
    Bytes,
}

impl View {
    /// The view of a dtype whose elements WGSL computes with, if any.
    pub fn of(dtype: DType) -> Option<View> {
        match dtype {
            DType::F32 => Some(View::Typed("f32")),
            DType::I32 => Some(View::Typed("i32")),
            DType::Bool | DType::U8 | DType::I8 => Some(View::Bytes),
            _ => None,
        }
    }

    /// The view that moves a dtype's bits unchanged (copies and fills), if any: 8-bit and
    /// 16-bit elements cannot be written one per thread.
    pub fn bits(dtype: DType) -> Option<View> {
        match dtype.size_in_bytes() {
            4 => Some(View::Typed("u32")),
            8 => Some(View::Typed("vec2<u32>")),
            _ => None,
        }
    }

    fn array(self) -> &'static str {
        match self {
            View::Typed(t) => t,
            View::Bytes => "u32",
        }
    }

    fn load(self, array: &str, p: &str) -> String {
        match self {
            View::Typed(_) => format!("{array}[{p}]"),
            View::Bytes => format!("(({array}[{p} / 4u] >> (({p} % 4u) * 8u)) & 0xffu)"),
        }
    }
}

/// An input of a map kernel.
pub struct Input<'a> {
    pub tensor: &'a Tensor,
    /// Dims read backwards (`flip`).
    pub flip: &'a [usize],
    pub view: View,
}

impl<'a> Input<'a> {
    pub fn new(tensor: &'a Tensor, view: View) -> Self {
        Input {
            tensor,
            flip: &[],
            view,
        }
    }
}

/// One map kernel: `out[i] = expr`, with the inputs loaded into `x`, `y` and `z`, and `extra`
/// words readable as `extra(k)`.
pub struct Map<'a> {
    pub name: &'a str,
    pub out: &'a Tensor,
    /// The WGSL element type of the output's array (a 4- or 8-byte type).
    pub out_type: &'static str,
    pub inputs: &'a [Input<'a>],
    pub expr: &'a str,
    pub extra: &'a [u32],
}

/// An operand's offset and strides as u32 words, with its flipped dims walked backwards: the
/// offset moves to the dim's last element and the stride is negated, wrapped to u32.
fn walk(t: &Tensor, flip: &[usize]) -> Option<(u32, Vec<u32>)> {
    let word = |v: usize| u32::try_from(v).ok();
    // The furthest element must be addressable with 32-bit indices.
    word(t.layout().storage_extent())?;
    let mut offset = t.layout().offset();
    let mut strides = Vec::with_capacity(t.ndim());
    for (d, (&n, &s)) in t.shape().iter().zip(t.strides()).enumerate() {
        if flip.contains(&d) {
            offset += n.saturating_sub(1) * s;
            strides.push(word(s)?.wrapping_neg());
        } else {
            strides.push(word(s)?);
        }
    }
    Some((word(offset)?, strides))
}

/// The template's `shape_info` words: all operands share the output's shape.
fn shape_info(map: &Map<'_>) -> Option<Vec<u32>> {
    let shape = map.out.shape();
    let word = |v: usize| u32::try_from(v).ok();
    let mut walks = vec![walk(map.out, &[])?];
    for input in map.inputs {
        walks.push(walk(input.tensor, input.flip)?);
    }
    let mut words = vec![word(map.out.numel())?, word(shape.len())?];
    words.extend(walks.iter().map(|(offset, _)| *offset));
    for &d in shape {
        words.push(word(d)?);
    }
    for (_, strides) in &walks {
        words.extend(strides);
    }
    words.extend(map.extra);
    Some(words)
}

/// An input's GPU buffer. A CPU input (a 0-dim tensor, which PyTorch lets GPU ops take as a
/// number) is uploaded for this one kernel.
pub(crate) fn input_buffer(t: &Tensor) -> Result<::wgpu::Buffer> {
    if t.device() == Device::Cpu {
        let guard = t.storage().read();
        return Ok(super::transfer::upload(guard.cpu()?.as_bytes())?
            .buffer()
            .clone());
    }
    let mut guard = t.storage().write_gpu();
    Ok(guard.wgpu_mut()?.gpu()?.buffer().clone())
}

/// Whether every tensor's storage fits one shader binding.
pub fn fits_bindings(tensors: &[&Tensor]) -> Result<bool> {
    let most = super::context()?.limits.max_storage_buffer_binding_size as usize;
    Ok(tensors.iter().all(|t| t.storage().nbytes() <= most))
}

/// The WGSL expression for where element `i` of operand `k` lives: its offset plus `i` when it
/// is contiguous (so the common case skips the per-dim divisions; a separate pipeline), else
/// the strided walk.
fn locate(t: &Tensor, flip: &[usize], k: usize) -> String {
    if t.is_contiguous() && flip.iter().all(|&d| t.shape()[d] <= 1) {
        format!("shape_info[{}u] + i", 2 + k)
    } else {
        format!("position(i, {k}u)")
    }
}

/// Records the kernel; false (nothing done) when an operand is too large for it.
pub fn run(map: &Map<'_>) -> Result<bool> {
    let all: Vec<&Tensor> = std::iter::once(map.out)
        .chain(map.inputs.iter().map(|i| i.tensor))
        .collect();
    if !fits_bindings(&all)? {
        return Ok(false);
    }
    let Some(words) = shape_info(map) else {
        return Ok(false);
    };
    // The output is bound read-write; an input sharing its storage (an in-place op) is read
    // from that same binding, since one buffer cannot be bound twice where one is writable.
    let out_buffer = {
        let mut guard = map.out.storage().write_gpu();
        guard.wgpu_mut()?.gpu_mut()?.buffer().clone()
    };
    let out_type = map.out_type;
    let mut bindings =
        format!("@group(0) @binding(0) var<storage, read_write> out: array<{out_type}>;\n");
    let mut buffers = vec![out_buffer];
    let mut loads = String::new();
    for (k, (input, var)) in map.inputs.iter().zip(["x", "y", "z"]).enumerate() {
        let array = if input.tensor.storage().same(map.out.storage()) {
            "out".to_string()
        } else {
            let binding = buffers.len();
            buffers.push(input_buffer(input.tensor)?);
            let ty = input.view.array();
            bindings.push_str(&format!(
                "@group(0) @binding({binding}) var<storage, read> in{k}: array<{ty}>;\n"
            ));
            format!("in{k}")
        };
        let p = format!("p{k}");
        loads.push_str(&format!(
            "    let {p} = {};\n    let {var} = {};\n",
            locate(input.tensor, input.flip, k + 1),
            input.view.load(&array, &p)
        ));
    }
    let source = TEMPLATE
        .replace("{{OUT_POSITION}}", &locate(map.out, &[], 0))
        .replace("{{BINDINGS}}", &bindings)
        .replace("{{META_BINDING}}", &buffers.len().to_string())
        .replace("{{OPERANDS}}", &all.len().to_string())
        .replace("{{LOADS}}", &loads)
        .replace("{{EXPR}}", map.expr);
    let refs: Vec<&::wgpu::Buffer> = buffers.iter().collect();
    dispatch(map.name, &source, &refs, &words, u64::from(words[0]))?;
    Ok(true)
}
