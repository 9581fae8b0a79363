// Output elements over strided operands: the template of the elementwise ops, copies, casts
// and fills. Element i counts row-major over the output's shape; each operand finds its element through its own offset and strides (a
// broadcast operand has stride 0, a flipped dim a negative stride wrapped to u32, which the
// wrapping u32 arithmetic below undoes), so views are read in place, never copied.
//
// Filled in by map.rs: the operand bindings, OPERANDS (the output and each input), ELEMENT
// (the function `element(i)` computing output element i: where each operand's element is, a
// contiguous operand skipping the strided walk, the loads of the inputs into x, y and z, and
// the value stored, an op's row of a WGSL op table; or, when every operand is a dense run of
// 32-bit elements aligned to 4, `element4(q)` computing elements 4q to 4q + 3 from one vec4
// load of each input), and STORE: a few elements per thread, or, for an output narrower than a word (bool
// and other bytes, 16-bit types), the elements of one u32 word per thread, since a thread
// cannot write less than a word; a narrow view that shares its words with elements it does
// not own clears and sets its own bits with atomics instead.
//
// shape_info: [numel, ndim, offset of each operand (output first), shape, strides of each
//              operand, extra words (a fill value)]

{{BINDINGS}}
@group(0) @binding({{META_BINDING}}) var<storage, read> shape_info: array<u32>;

const OPERANDS: u32 = {{OPERANDS}}u;

// Where element i of `operand` lives in its buffer.
fn position(i: u32, operand: u32) -> u32 {
    let ndim = shape_info[1];
    let shape_at = 2u + OPERANDS;
    let strides_at = shape_at + ndim * (1u + operand);
    var rest = i;
    var pos = shape_info[2u + operand];
    var d = ndim;
    loop {
        if d == 0u {
            break;
        }
        d = d - 1u;
        let size = shape_info[shape_at + d];
        pos = pos + (rest % size) * shape_info[strides_at + d];
        rest = rest / size;
    }
    return pos;
}

// Extra word k after the layouts.
fn extra(k: u32) -> u32 {
    return shape_info[2u + OPERANDS + shape_info[1] * (1u + OPERANDS) + k];
}

{{ELEMENT}}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    // Grids wider than the adapter's limit fold into y (see kernel.rs).
    let thread = gid.x + gid.y * groups.x * 256u;
{{STORE}}
}
