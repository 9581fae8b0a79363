//! The map kernel (`map.rs`) four elements at a time: when every operand is a dense run of
//! 32-bit elements from a multiple of 4, each is bound as vec4s and a thread computes whole
//! quads, so that a load moves 16 bytes.

use super::map::{in_order_contiguous, reads_output_elsewhere, Map, View};
use crate::tensor::Tensor;

/// The template's STORE when every operand is read and written in vec4s (see `in_vec4s`):
/// thread t writes the quads t and t + T.
pub(super) const STORE_VEC4: &str = "    let quads = shape_info[0] / 4u;
    let threads = groups.x * groups.y * 256u;
    for (var j = 0u; j < 2u; j = j + 1u) { // QUADS_PER_THREAD
        let q = thread + j * threads;
        if q >= quads {
            return;
        }
        out[shape_info[2] / 4u + q] = element4(q);
    }";
pub(super) const QUADS_PER_THREAD: u64 = 2;

/// Whether the map can read and write its operands in vec4s, four elements at a time: all
/// 32-bit, each a dense row-major run from a multiple of 4 elements, and a multiple of 4 of
/// them. The commonest case (`a + b`, `x.exp()`, a copy) then moves 16 bytes per load, as a
/// GPU's memory prefers.
pub(super) fn in_vec4s(map: &Map<'_>, order: &[usize]) -> bool {
    let word = |v: View| matches!(v, View::Typed("f32" | "i32" | "u32"));
    let dense = |t: &Tensor| in_order_contiguous(t, order) && t.storage_offset() % 4 == 0;
    let n = map.target.numel();
    n % 4 == 0
        && word(map.out)
        && dense(map.target)
        && !reads_output_elsewhere(map)
        && map.inputs.iter().all(|i| {
            word(i.view) && dense(i.tensor) && i.flip.iter().all(|&d| i.tensor.shape()[d] <= 1)
        })
}

pub(super) fn vec4_of(t: &str) -> &'static str {
    match t {
        "f32" => "vec4<f32>",
        "i32" => "vec4<i32>",
        _ => "vec4<u32>",
    }
}

/// The template's ELEMENT in vec4s: `element4(q)`, output elements 4q to 4q + 3, from the
/// inputs' vec4s `x4`, `y4`, `z4` (`loads`), the op's expression applied to each lane.
pub(super) fn element4(value: &str, loads: &str, inputs: usize, expr: &str) -> String {
    let mut text = format!("fn element4(q: u32) -> vec4<{value}> {{\n{loads}");
    text.push_str(&format!("    var r: vec4<{value}>;\n"));
    for (c, lane) in ["x", "y", "z", "w"].iter().enumerate() {
        text.push_str(&format!("    {{\n        let i = 4u * q + {c}u;\n"));
        for var in ["x", "y", "z"].iter().take(inputs) {
            text.push_str(&format!("        let {var} = {var}4.{lane};\n"));
        }
        text.push_str(&format!("        r.{lane} = {expr};\n    }}\n"));
    }
    text.push_str("    return r;\n}\n");
    text
}
