// One reduction (sum, mean, prod, max, min, with the position of the extreme) over some dims
// of a strided float32 tensor, max or min of int32 or int64, or a sum of integers or bools
// into int64 (int64 is a vec2<u32>, see int64.wgsl). Each output element is reduced by LANES threads of one
// workgroup: lane l folds the elements l, l + LANES, ... (counting row-major over the reduced
// dims), then the lanes fold their partial results pairwise through workgroup memory.
// Many small reductions use few lanes each (a workgroup then serves 256 / LANES outputs); one
// long reduction uses all 256. A few long reductions (the sum of a whole tensor, a bias
// gradient's sum over all but one dim) would leave most of a GPU idle: they are split in
// PARTS, each a workgroup whose lanes take every (LANES PARTS)-th element from their own, and
// the parts' results (with their positions) are reduced by a second pass of this kernel.
//
// An accumulator carries a value and the position it came from, so max/min return PyTorch's
// index: the first occurrence, NaN counting as the largest and as the smallest.
//
// Filled in by reduce.rs: LANES, PARTS, the bindings and STORE, VALUE (the type accumulated), READ
// (the input element at position p, as a VALUE), LOAD (that element x into an Acc), IDENTITY,
// COMBINE (two Accs into one, in terms of a and b).
//
// shape_info: [outputs, reduced count, kept ndim, reduced ndim, input offset,
//              kept shape, kept strides, reduced shape, reduced strides, mean's divisor]

{{BINDINGS}}

const LANES: u32 = {{LANES}}u;
const PER_GROUP: u32 = 256u / LANES;
const PARTS: u32 = {{PARTS}}u;

struct Acc {
    v: {{VALUE}},
    i: u32,
}

var<workgroup> partial_v: array<{{VALUE}}, 256>;
var<workgroup> partial_i: array<u32, 256>;

// Where the elements of output o start in the input.
fn kept_position(o: u32) -> u32 {
    let ndim = shape_info[2];
    var rest = o;
    var pos = shape_info[4];
    var d = ndim;
    loop {
        if d == 0u {
            break;
        }
        d = d - 1u;
        let size = shape_info[5u + d];
        pos = pos + (rest % size) * shape_info[5u + ndim + d];
        rest = rest / size;
    }
    return pos;
}

// The offset of reduced element r from its output's start.
fn reduced_offset(r: u32) -> u32 {
    let kept = shape_info[2];
    let ndim = shape_info[3];
    let at = 5u + 2u * kept;
    var rest = r;
    var pos = 0u;
    var d = ndim;
    loop {
        if d == 0u {
            break;
        }
        d = d - 1u;
        let size = shape_info[at + d];
        pos = pos + (rest % size) * shape_info[at + ndim + d];
        rest = rest / size;
    }
    return pos;
}

// The count a mean divides by: the original reduction's, also in the pass over its parts.
fn mean_divisor() -> f32 {
    return f32(shape_info[5u + 2u * (shape_info[2] + shape_info[3])]);
}

fn combine(a: Acc, b: Acc) -> Acc {
{{COMBINE}}
}

@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) group_id: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) t: u32,
) {
    // Grids wider than the adapter's limit fold into y (see kernel.rs).
    let group = group_id.x + group_id.y * groups.x;
    let part = group % PARTS;
    let o = (group / PARTS) * PER_GROUP + t / LANES;
    let lane = t % LANES;
    let outputs = shape_info[0];
    let count = shape_info[1];
    var acc = {{IDENTITY}};
    if o < outputs {
        let start = kept_position(o);
        for (var r = part * LANES + lane; r < count; r = r + LANES * PARTS) {
            let p = start + reduced_offset(r);
            let x = {{READ}};
            acc = combine(acc, {{LOAD}});
        }
    }
    if LANES > 1u {
        partial_v[t] = acc.v;
        partial_i[t] = acc.i;
        workgroupBarrier();
        for (var step = LANES / 2u; step > 0u; step = step / 2u) {
            if lane < step {
                let c = combine(Acc(partial_v[t], partial_i[t]), Acc(partial_v[t + step], partial_i[t + step]));
                partial_v[t] = c.v;
                partial_i[t] = c.i;
            }
            workgroupBarrier();
        }
        acc = Acc(partial_v[t], partial_i[t]);
    }
    if lane == 0u && o < outputs {
{{STORE}}
    }
}
