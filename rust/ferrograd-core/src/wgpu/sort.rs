//! Sorting along a dim on the GPU (`sort`, `argsort`, `msort`, `topk`): a bitonic sort of each
//! lane (the elements along the dim at one position of the others). `sort_runs.rs` builds
//! `mode` and `unique` on the sorted lanes.
//!
//! The first pass turns each element into a (key, index) pair whose unsigned order is the
//! sort's (`shaders/sort_keys.wgsl`: NaN greatest, -0 equal to +0, the complement for a
//! descending sort), so the index breaks ties and the sort is stable, as the CPU's is. A pair
//! holds a one-word key for 4-byte dtypes (float32, int32: `sort_pair32.wgsl`) and a two-word
//! key for 8-byte ones (int64, float64: `sort_pair64.wgsl`). A lane is padded to a power of
//! two `padded` with pairs that sort last. The merge steps whose compared positions lie
//! within one chunk of a lane run in workgroup memory (`sort_chunk.wgsl`); wider ones run one
//! dispatch per step through global memory (`sort_step.wgsl`). The last pass writes the
//! first `kept` values and indices (`sort_write.wgsl`). 1- and 2-byte dtypes are sorted
//! widened (`widened`).

use super::bindings::{around_dim, dense_operand, fits_bindings, input_buffer, output_buffer};
use super::kernel::{dispatch, dispatch_groups, folded_groups, per_thread_source};
use super::map::{cast_outside_graph, View};
use crate::device_scope::DeviceScope;
use crate::dtype::DType;
use crate::error::Result;
use crate::shape::contiguous_strides;
use crate::tensor::Tensor;

const PAIR32: &str = include_str!("shaders/sort_pair32.wgsl");
const PAIR64: &str = include_str!("shaders/sort_pair64.wgsl");
const PAIRS: &str = include_str!("shaders/sort_pairs.wgsl");
const KEYS: &str = include_str!("shaders/sort_keys.wgsl");
const STEP: &str = include_str!("shaders/sort_step.wgsl");
const CHUNK: &str = include_str!("shaders/sort_chunk.wgsl");
const WRITE: &str = include_str!("shaders/sort_write.wgsl");

/// How a dtype's elements become sort pairs.
#[derive(Clone, Copy)]
pub(super) struct PairKind {
    /// The pair type and its key functions (`sort_pair32.wgsl` or `sort_pair64.wgsl`).
    source: &'static str,
    /// The WGSL type an element is read and written as.
    pub element: &'static str,
    /// 32-bit words per pair.
    words: usize,
    /// Pairs one workgroup sorts in its memory (`CHUNK` of the pair type).
    chunk: usize,
    /// Whether the elements are floats (an all-ones key is a NaN, unequal to every element).
    pub is_float: bool,
}

impl PairKind {
    pub fn of(dtype: DType) -> Option<PairKind> {
        let narrow = |is_float| PairKind {
            source: PAIR32,
            element: "u32",
            words: 2,
            chunk: 1024,
            is_float,
        };
        let wide = |is_float| PairKind {
            source: PAIR64,
            element: "vec2<u32>",
            words: 4,
            chunk: 512,
            is_float,
        };
        Some(match dtype {
            DType::F32 => narrow(true),
            DType::I32 => narrow(false),
            DType::F64 => wide(true),
            DType::I64 => wide(false),
            _ => return None,
        })
    }

    /// A kernel's source: the pair type, the comparisons, then `parts`; `bindings` as in
    /// [`per_thread_source`], where the type `Pair` names the pairs.
    pub fn source(&self, parts: &[&str], bindings: &[(&str, &str, &str)]) -> String {
        let mut all = vec![self.source, PAIRS];
        all.extend_from_slice(parts);
        per_thread_source(&all, bindings)
    }

    /// The source of a kernel that writes elements picked from sorted lanes and their int64
    /// indices (`body`; bound: values, indices, pairs, the input).
    pub fn picking_source(&self, body: &str) -> String {
        self.source(
            &[body],
            &[
                ("values", "read_write", self.element),
                ("indices", "read_write", "vec2<u32>"),
                ("pairs", "read", "Pair"),
                ("x", "read", self.element),
            ],
        )
    }
}

/// A tensor's lanes along a dim as (key, index) pairs in GPU memory, sorted or in the input's
/// order, with what the passes after the sort read.
pub(super) struct Lanes {
    pub kind: PairKind,
    /// The input, dense, and its buffer (later passes read elements at their indices).
    pub x: Tensor,
    pub input: ::wgpu::Buffer,
    /// `lanes * padded` pairs, lane after lane (the tensor holds their memory).
    _scratch: Tensor,
    pub pairs: ::wgpu::Buffer,
    pub lanes: usize,
    pub n: usize,
    pub inner: usize,
    pub padded: usize,
}

impl Lanes {
    /// The pairs of `t`'s lanes along `dim`, `sorted` (ascending, or `descending`) or in the
    /// input's order. None when the GPU does not sort this dtype or these sizes. `t` holds
    /// at least one element.
    pub fn new(t: &Tensor, dim: usize, descending: bool, sorted: bool) -> Result<Option<Lanes>> {
        let Some(kind) = PairKind::of(t.dtype()) else {
            return Ok(None);
        };
        let Some(x) = dense_operand(t)? else {
            return Ok(None);
        };
        let (lanes, n, inner) = around_dim(t.shape(), dim);
        let padded = n.next_power_of_two();
        // The pairs' words are counted in 32 bits (the input's offsets already are: it is a
        // dense operand).
        if u32::try_from(lanes * padded * kind.words).is_err() {
            return Ok(None);
        }
        let scratch = Tensor::uninit_dense(&[lanes * padded * kind.words], &[1], DType::I32)?;
        if !fits_bindings(&[&scratch])? {
            return Ok(None);
        }
        let pairs = output_buffer(&scratch, false)?;
        let input = input_buffer(&x)?;
        let lanes_of = Lanes {
            kind,
            x,
            input,
            _scratch: scratch,
            pairs,
            lanes,
            n,
            inner,
            padded,
        };
        let pair_count = (lanes * padded) as u32;
        let keys = kind.source(
            &[KEYS],
            &[("pairs", "read_write", "Pair"), ("x", "read", kind.element)],
        );
        let meta = [
            pair_count,
            n as u32,
            inner as u32,
            padded as u32,
            lanes_of.x.storage_offset() as u32,
            u32::from(descending),
            u32::from(kind.is_float),
        ];
        dispatch(
            "sort_keys",
            &keys,
            &[&lanes_of.pairs, &lanes_of.input],
            &meta,
            u64::from(pair_count),
        )?;
        if sorted {
            lanes_of.sort()?;
        }
        Ok(Some(lanes_of))
    }

    /// The bitonic merges of every lane's pairs.
    fn sort(&self) -> Result<()> {
        let padded = self.padded;
        let pair_count = (self.lanes * padded) as u32;
        let chunk = padded.min(self.kind.chunk);
        let chunks = pair_count / chunk as u32;
        let chunk_source = format!("{}\n{PAIRS}\n{CHUNK}", self.kind.source);
        let run_chunks = |first: usize, last: usize| {
            let meta = [
                chunks,
                padded as u32,
                chunk as u32,
                first as u32,
                last as u32,
            ];
            dispatch_groups(
                "sort_chunk",
                &chunk_source,
                &[&self.pairs],
                &meta,
                folded_groups(chunks)?,
            )
        };
        // Every chunk sorted on its own, alternately ascending and descending (bitonic).
        run_chunks(2, chunk)?;
        let step = self
            .kind
            .source(&[STEP], &[("pairs", "read_write", "Pair")]);
        let mut block = chunk * 2;
        while block <= padded {
            let mut gap = block / 2;
            while gap >= chunk {
                let meta = [pair_count / 2, padded as u32, block as u32, gap as u32];
                dispatch(
                    "sort_step",
                    &step,
                    &[&self.pairs],
                    &meta,
                    u64::from(pair_count / 2),
                )?;
                gap /= 2;
            }
            run_chunks(block, block)?;
            block *= 2;
        }
        Ok(())
    }
}

/// `t` cast to the dtype its 1- or 2-byte dtype sorts as: one holding each value exactly and
/// in the same order (int32 for bool, uint8, int8 and int16; float32 for the 16-bit floats,
/// NaN payloads and -0 kept), cast on the GPU. None for the dtypes the GPU sorts as they are.
pub(crate) fn widened(t: &Tensor) -> Result<Option<Tensor>> {
    let wide = match t.dtype() {
        DType::Bool | DType::U8 | DType::I8 => DType::I32,
        d => View::computed_dtype(d),
    };
    if wide == t.dtype() {
        return Ok(None);
    }
    Ok(Some(cast_outside_graph(t, wide)?))
}

/// The values and int64 indices of the first `kept` elements of each lane of `t` along `dim`
/// once sorted (ascending, or `descending`; stable), as new contiguous tensors. None when the
/// GPU does not sort this dtype or these sizes.
pub fn sort(
    t: &Tensor,
    dim: usize,
    descending: bool,
    kept: usize,
) -> Result<Option<(Tensor, Tensor)>> {
    if let Some(wide) = widened(t)? {
        let found = sort(&wide, dim, descending, kept)?;
        let back = |(v, i)| Ok((cast_outside_graph(&v, t.dtype())?, i));
        return found.map(back).transpose();
    }
    let mut out_shape = t.shape().to_vec();
    out_shape[dim] = kept;
    let _on = DeviceScope::enter(t.device());
    let new = |dtype| Tensor::uninit_dense(&out_shape, &contiguous_strides(&out_shape), dtype);
    let (values, indices) = (new(t.dtype())?, new(DType::I64)?);
    if values.numel() == 0 {
        // Still None for a dtype the GPU does not sort, so the caller's checks run as before.
        return Ok(PairKind::of(t.dtype()).map(|_| (values, indices)));
    }
    let Some(lanes) = Lanes::new(t, dim, descending, true)? else {
        return Ok(None);
    };
    let write = lanes.kind.picking_source(WRITE);
    let out_values = output_buffer(&values, false)?;
    let out_indices = output_buffer(&indices, false)?;
    let threads = (lanes.lanes * kept) as u32;
    let meta = [
        threads,
        lanes.n as u32,
        lanes.inner as u32,
        lanes.padded as u32,
        kept as u32,
        lanes.x.storage_offset() as u32,
    ];
    dispatch(
        "sort_write",
        &write,
        &[&out_values, &out_indices, &lanes.pairs, &lanes.input],
        &meta,
        u64::from(threads),
    )?;
    Ok(Some((values, indices)))
}
