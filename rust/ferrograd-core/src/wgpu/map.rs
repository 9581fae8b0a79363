//! The GPU's "one output element per thread" kernels: the template `shaders/map.wgsl`, filled
//! in by the elementwise ops (`elementwise.rs`, whose expressions may call the functions of
//! `shaders/math.wgsl`, `trig.wgsl`, `erf.wgsl`, `division.wgsl` and `int64.wgsl`), by copies,
//! casts and fills (`copy.rs`) and by random draws (`random.rs`, with `philox.wgsl`).
//!
//! Operands are read in place through their strides, so a view (transposed, stepped, expanded,
//! flipped) costs nothing extra. An op declines (returns false, and the caller runs its CPU
//! kernel) when an operand is too large for one binding or for 32-bit indices.

use std::borrow::Cow;

use super::bindings::{fits_bindings, input_buffer, output_buffer};
use super::kernel::{dispatch, fill, template_key, Source};
use super::map_quads::{element4, in_vec4s, vec4_of, QUADS_PER_THREAD, STORE_VEC4};
use crate::autograd::grad_mode::no_grad;
use crate::dtype::DType;
use crate::error::Result;
use crate::layout::Layout;
use crate::tensor::Tensor;

const TEMPLATE: &str = concat!(
    include_str!("shaders/float.wgsl"),
    include_str!("shaders/math.wgsl"),
    include_str!("shaders/int64.wgsl"),
    include_str!("shaders/trig.wgsl"),
    include_str!("shaders/erf.wgsl"),
    include_str!("shaders/gamma.wgsl"),
    include_str!("shaders/division.wgsl"),
    include_str!("shaders/philox.wgsl"),
    include_str!("shaders/half.wgsl"),
    include_str!("shaders/map.wgsl")
);

/// How a kernel sees the elements of an operand.
#[derive(Clone, Copy)]
pub enum View {
    /// As `array<T>` of this WGSL type, one element per array entry.
    Typed(&'static str),
    /// Elements narrower than a word, `bits` (8 or 16) wide, read out of an `array<u32>` (WGSL
    /// has no 8- or 16-bit type): as the `u32` of their bits, or as what `widen` (a WGSL
    /// function of those bits) makes of them: an f32 for a 16-bit float, an i32 for int16.
    Packed {
        bits: u32,
        widen: Option<&'static str>,
    },
}

impl View {
    /// One byte per element (bool, uint8, int8), read as a `u32`.
    pub const BYTES: View = View::Packed {
        bits: 8,
        widen: None,
    };
    /// Two bytes per element (int16, float16, bfloat16), read as the `u32` of their bits.
    pub const HALVES: View = View::Packed {
        bits: 16,
        widen: None,
    };

    /// The view of a dtype whose elements WGSL computes with, if any: 16-bit floats as the
    /// f32 they hold (`shaders/half.wgsl`), int16 as an i32.
    pub fn of(dtype: DType) -> Option<View> {
        let widened = |widen| View::Packed {
            bits: 16,
            widen: Some(widen),
        };
        match dtype {
            DType::F32 => Some(View::Typed("f32")),
            DType::I32 => Some(View::Typed("i32")),
            DType::Bool | DType::U8 | DType::I8 => Some(View::BYTES),
            DType::F16 => Some(widened("f16_to_f32")),
            DType::BF16 => Some(widened("bf16_to_f32")),
            DType::I16 => Some(widened("i16_to_i32")),
            _ => None,
        }
    }

    /// The view a kernel computes with: `of`, and int64 as the `vec2<u32>` that
    /// `shaders/int64.wgsl` computes with.
    pub fn computed(dtype: DType) -> Option<View> {
        match dtype {
            DType::I64 => View::bits(dtype),
            _ => View::of(dtype),
        }
    }

    /// The view that moves a dtype's bits unchanged (copies and fills).
    pub fn bits(dtype: DType) -> Option<View> {
        match dtype.size_in_bytes() {
            1 => Some(View::BYTES),
            2 => Some(View::HALVES),
            4 => Some(View::Typed("u32")),
            8 => Some(View::Typed("vec2<u32>")),
            _ => None,
        }
    }

    /// The dtype kernels compute a 16-bit dtype in (float32 for the 16-bit floats, int32 for
    /// int16: each holds every value exactly); any other dtype itself.
    pub fn computed_dtype(dtype: DType) -> DType {
        match dtype {
            DType::F16 | DType::BF16 => DType::F32,
            DType::I16 => DType::I32,
            d => d,
        }
    }

    /// The WGSL function that rounds a computed value of `dtype` back to the bits stored
    /// (16-bit floats and int16; see `shaders/half.wgsl`), if it needs one.
    pub fn narrow(dtype: DType) -> Option<&'static str> {
        match dtype {
            DType::F16 => Some("f32_to_f16"),
            DType::BF16 => Some("f32_to_bf16"),
            DType::I16 => Some("i32_to_i16"),
            _ => None,
        }
    }

    fn array(self) -> &'static str {
        match self {
            View::Typed(t) => t,
            View::Packed { .. } => "u32",
        }
    }

    /// The WGSL expression of element `p` of `array`; `atomic`: an array of atomics.
    fn load(self, array: &str, p: &str, atomic: bool) -> String {
        match self {
            View::Typed(_) => format!("{array}[{p}]"),
            View::Packed { bits, widen } => {
                let per_word = 32 / bits;
                let mask = (1u64 << bits) - 1;
                let word = format!("{array}[{p} / {per_word}u]");
                let word = if atomic {
                    format!("atomicLoad(&{word})")
                } else {
                    word
                };
                let raw = format!("(({word} >> (({p} % {per_word}u) * {bits}u)) & {mask:#x}u)");
                match widen {
                    Some(f) => format!("{f}({raw})"),
                    None => raw,
                }
            }
        }
    }
}

/// `t` cast to `dtype` outside any graph: a kernel's working copy of an input in a wider
/// dtype, or a result cast back from one (on the GPU: casts are map kernels).
pub(crate) fn cast_outside_graph(t: &Tensor, dtype: DType) -> Result<Tensor> {
    no_grad(|| t.to_dtype(dtype))
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
    pub target: &'a Tensor,
    /// How the kernel writes the output: `Typed` (a 4- or 8-byte type), or `Packed`, where
    /// `expr` is a u32 of which the low `bits` are stored (its `widen` is not used: an `expr`
    /// for a 16-bit float rounds its value with `View::narrow`).
    pub out: View,
    pub inputs: &'a [Input<'a>],
    pub expr: &'a str,
    pub extra: &'a [u32],
}

/// Word-sized elements each thread of the template's STORE_ELEMENT writes: several
/// independent loads in flight per thread keep a GPU's memory busier than one (on an H200, a
/// 64M-element add went from 50% to 65% of the bandwidth, and in vec4s to 73%).
const ELEMENTS_PER_THREAD: u64 = 4;

/// The template's STORE for word-sized outputs: thread t writes the elements t, t + T, t + 2T,
/// ... (T the threads launched), so that each load of a warp stays one coalesced run.
const STORE_ELEMENT: &str = "    let numel = shape_info[0];
    let threads = groups.x * groups.y * 256u;
    for (var j = 0u; j < 4u; j = j + 1u) { // ELEMENTS_PER_THREAD
        let i = thread + j * threads;
        if i >= numel {
            return;
        }
        out[{{OUT_POSITION}}] = element(i);
    }";

/// The template's STORE for outputs narrower than a word: each thread packs PER_WORD
/// elements of BITS bits into a word.
const STORE_PACKED: &str = "    let first = thread * {{PER_WORD}}u;
    let numel = shape_info[0];
    if first >= numel {
        return;
    }
    var word = 0u;
    for (var j = 0u; j < {{PER_WORD}}u; j = j + 1u) {
        if first + j < numel {
            word = word | ((element(first + j) & {{MASK}}u) << ({{BITS}}u * j));
        }
    }
    out[thread] = word;";

/// The template's STORE for narrow outputs that share words with elements they do not own (a
/// view): each thread writes its element alone, clearing and setting its bits with atomics so
/// that neighbours writing the rest of the word are never overwritten.
const STORE_PACKED_ATOMIC: &str = "    let i = thread;
    if i >= shape_info[0] {
        return;
    }
    let p = {{OUT_POSITION}};
    let shift = (p % {{PER_WORD}}u) * {{BITS}}u;
    // Computed first: an in-place op reads the bits cleared next.
    let value = element(i) & {{MASK}}u;
    atomicAnd(&out[p / {{PER_WORD}}u], ~({{MASK}}u << shift));
    atomicOr(&out[p / {{PER_WORD}}u], value << shift);";

/// An operand's offset and strides as u32 words, with its flipped dims walked backwards: the
/// offset moves to the dim's last element and the stride is negated, wrapped to u32.
/// Dims are taken in `order` (see [`count_order`]).
fn walk(t: &Tensor, flip: &[usize], order: &[usize]) -> Option<(u32, Vec<u32>)> {
    let word = |v: usize| u32::try_from(v).ok();
    // The furthest element must be addressable with 32-bit indices.
    word(t.layout().storage_extent())?;
    let mut offset = t.layout().offset();
    let mut strides = Vec::with_capacity(t.ndim());
    for &d in order {
        let (n, s) = (t.shape()[d], t.strides()[d]);
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
fn shape_info(map: &Map<'_>, order: &[usize]) -> Option<Vec<u32>> {
    let shape = map.target.shape();
    let word = |v: usize| u32::try_from(v).ok();
    let mut walks = vec![walk(map.target, &[], order)?];
    for input in map.inputs {
        walks.push(walk(input.tensor, input.flip, order)?);
    }
    let mut words = vec![word(map.target.numel())?, word(shape.len())?];
    words.extend(walks.iter().map(|(offset, _)| *offset));
    for &d in order {
        words.push(word(shape[d])?);
    }
    for (_, strides) in &walks {
        words.extend(strides);
    }
    words.extend(map.extra);
    Some(words)
}

/// The WGSL expression for where element `i` of operand `k` lives: its offset plus `i` when it
/// is contiguous (so the common case skips the per-dim divisions; a separate pipeline), else
/// the strided walk.
fn locate(t: &Tensor, flip: &[usize], k: usize, order: &[usize]) -> String {
    if in_order_contiguous(t, order) && flip.iter().all(|&d| t.shape()[d] <= 1) {
        format!("shape_info[{}u] + i", 2 + k)
    } else {
        format!("position(i, {k}u)")
    }
}

/// The order in which the kernel counts elements (outer dim first), and whether its threads
/// write whole words of a narrow (packed) output. Row-major, except for a narrow output that
/// is every element of the words it lies in, with no input reading them: its memory order, so
/// that a dense output in any dim order (`to(bool)` keeps a transposed input's order) is
/// walked word by word. Every operand is read in the same order, which leaves an elementwise result
/// unchanged.
fn count_order(map: &Map<'_>) -> (Vec<usize>, bool) {
    let t = map.target;
    let row_major: Vec<usize> = (0..t.ndim()).collect();
    if let View::Typed(_) = map.out {
        return (row_major, false);
    }
    let mut order = row_major.clone();
    // Stable: dims of equal stride keep their order.
    order.sort_by_key(|&d| std::cmp::Reverse(t.strides()[d]));
    let owns_words = in_order_contiguous(t, &order)
        && t.storage_offset() == 0
        && t.storage().nbytes() == t.numel() * t.dtype().size_in_bytes()
        && !reads_output_elsewhere(map);
    if owns_words {
        (order, true)
    } else {
        (row_major, false)
    }
}

/// Whether an input shares the output's storage (an in-place op).
fn aliases_output(map: &Map<'_>, input: &Input<'_>) -> bool {
    input.tensor.storage().same(map.target.storage())
}

/// Whether an input reads the output's storage at other elements than the ones a thread
/// writes (another layout): a thread packing a word, or setting its bits alone, could then
/// read bits another thread is writing. Reading back one's own elements (`x.mul_(y)`) is safe.
pub(super) fn reads_output_elsewhere(map: &Map<'_>) -> bool {
    let t = map.target;
    map.inputs.iter().any(|i| {
        aliases_output(map, i)
            && (!i.flip.is_empty()
                || i.tensor.shape() != t.shape()
                || i.tensor.strides() != t.strides()
                || i.tensor.storage_offset() != t.storage_offset())
    })
}

/// Whether `t`, its dims taken in `order`, is contiguous.
pub(super) fn in_order_contiguous(t: &Tensor, order: &[usize]) -> bool {
    let pick = |v: &[usize]| order.iter().map(|&d| v[d]).collect::<Vec<usize>>();
    Layout::new(pick(t.shape()), pick(t.strides()), t.storage_offset()).is_contiguous()
}

/// The template's ELEMENT for one element: `element(i)`, output element i, from the inputs
/// loaded into x, y and z (LOADS) by the op's expression (EXPR) of type VALUE.
const ELEMENT: &str = "fn element(i: u32) -> {{VALUE}} {
{{LOADS}}    return {{EXPR}};
}
";

/// Records the kernel; false (nothing done) when an operand is too large for it.
pub fn run(map: &Map<'_>) -> Result<bool> {
    let all: Vec<&Tensor> = std::iter::once(map.target)
        .chain(map.inputs.iter().map(|i| i.tensor))
        .collect();
    if !fits_bindings(&all)? {
        return Ok(false);
    }
    let (order, whole_words) = count_order(map);
    let Some(words) = shape_info(map, &order) else {
        return Ok(false);
    };
    let numel = u64::from(words[0]);
    let quads = in_vec4s(map, &order);
    let (value, out_type, store, invocations, bits) = match map.out {
        View::Typed(t) if quads => {
            let quads = numel / 4;
            (
                t,
                vec4_of(t),
                STORE_VEC4,
                quads.div_ceil(QUADS_PER_THREAD),
                32,
            )
        }
        View::Typed(t) => (t, t, STORE_ELEMENT, numel.div_ceil(ELEMENTS_PER_THREAD), 32),
        View::Packed { bits, .. } if whole_words => {
            let per_word = u64::from(32 / bits);
            ("u32", "u32", STORE_PACKED, numel.div_ceil(per_word), bits)
        }
        View::Packed { bits, .. } => {
            // An element at a time, its word read atomically where an in-place op reads it.
            if reads_output_elsewhere(map) {
                return Ok(false);
            }
            ("u32", "atomic<u32>", STORE_PACKED_ATOMIC, numel, bits)
        }
    };
    // Only a narrow output's store has its width to fill in (no text built per op otherwise).
    let store: Cow<'_, str> = if bits == 32 {
        Cow::Borrowed(store)
    } else {
        let mask = format!("{:#x}", (1u64 << bits) - 1);
        let (per_word, bits) = ((32 / bits).to_string(), bits.to_string());
        let pieces = [
            ("{{PER_WORD}}", per_word.as_str()),
            ("{{BITS}}", &bits),
            ("{{MASK}}", &mask),
        ];
        Cow::Owned(fill(store, &pieces))
    };
    // The output is bound read-write; an input sharing its storage (an in-place op) is read
    // from that same binding, since one buffer cannot be bound twice where one is writable.
    // A view is written in part, so the rest of its storage must stay.
    let out_buffer = output_buffer(map.target, true)?;
    let mut bindings =
        format!("@group(0) @binding(0) var<storage, read_write> out: array<{out_type}>;\n");
    let mut buffers = vec![out_buffer];
    let mut loads = String::new();
    let atomic_output = out_type.starts_with("atomic");
    for (k, (input, var)) in map.inputs.iter().zip(["x", "y", "z"]).enumerate() {
        let aliased = aliases_output(map, input);
        let array = if aliased {
            "out".to_string()
        } else {
            let binding = buffers.len();
            buffers.push(input_buffer(input.tensor)?);
            let ty = match input.view {
                View::Typed(t) if quads => vec4_of(t),
                view => view.array(),
            };
            bindings.push_str(&format!(
                "@group(0) @binding({binding}) var<storage, read> in{k}: array<{ty}>;\n"
            ));
            format!("in{k}")
        };
        if quads {
            // Operand k + 1's offset, a multiple of 4 elements.
            let at = 3 + k;
            loads.push_str(&format!(
                "    let {var}4 = {array}[shape_info[{at}] / 4u + q];\n"
            ));
            continue;
        }
        let p = format!("p{k}");
        loads.push_str(&format!(
            "    let {p} = {};\n    let {var} = {};\n",
            locate(input.tensor, input.flip, k + 1, &order),
            input.view.load(&array, &p, aliased && atomic_output)
        ));
    }
    // The scalar element is filled in from its pieces only when its pipeline is compiled.
    let element: Cow<'_, str> = if quads {
        element4(value, &loads, map.inputs.len(), map.expr).into()
    } else {
        ELEMENT.into()
    };
    let out_position = locate(map.target, &[], 0, &order);
    let (meta_binding, operands) = (buffers.len().to_string(), all.len().to_string());
    let pieces = [
        ("{{STORE}}", store.as_ref()),
        ("{{OUT_POSITION}}", &out_position),
        ("{{BINDINGS}}", &bindings),
        ("{{META_BINDING}}", &meta_binding),
        ("{{OPERANDS}}", &operands),
        ("{{ELEMENT}}", &element),
        ("{{VALUE}}", value),
        ("{{LOADS}}", &loads),
        ("{{EXPR}}", map.expr),
    ];
    let write = || fill(TEMPLATE, &pieces);
    let refs: Vec<&::wgpu::Buffer> = buffers.iter().collect();
    let source = Source::Keyed(template_key("map", &pieces), &write);
    dispatch(map.name, source, &refs, &words, invocations)?;
    Ok(true)
}
