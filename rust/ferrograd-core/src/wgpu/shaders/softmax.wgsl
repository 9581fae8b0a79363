// softmax and log_softmax along a dim in one kernel (see softmax.rs): LANES threads of a
// workgroup share a row (the elements along the dim at one position of the others). They
// find its max (NaN if it holds one), then the sum of exp(x - max), then write
// exp(x - max) * (1 / sum), or (x - max) - log(sum), the CPU kernel's order of operations.
// The row is read three times and written once, where the composed form took five passes.
//
// shape_info: [rows, n, inner, x offset, log]

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> shape_info: array<u32>;

const LANES: u32 = {{LANES}}u;
const PER_GROUP: u32 = 256u / LANES;

var<workgroup> partial: array<f32, 256>;

// The larger of two values, NaN if either is.
fn max_nan(a: f32, b: f32) -> f32 {
    if is_nan(a) || is_nan(b) {
        return nan();
    }
    return max(a, b);
}

// The max of the values of thread t's row, each of its LANES threads holding one.
fn row_max(t: u32, lane: u32, v: f32) -> f32 {
    partial[t] = v;
    workgroupBarrier();
    for (var step = LANES / 2u; step > 0u; step = step / 2u) {
        if lane < step {
            partial[t] = max_nan(partial[t], partial[t + step]);
        }
        workgroupBarrier();
    }
    let folded = partial[t - lane];
    workgroupBarrier();
    return folded;
}

// The sum of the values of thread t's row (see row_max).
fn row_sum(t: u32, lane: u32, v: f32) -> f32 {
    partial[t] = v;
    workgroupBarrier();
    for (var step = LANES / 2u; step > 0u; step = step / 2u) {
        if lane < step {
            partial[t] = partial[t] + partial[t + step];
        }
        workgroupBarrier();
    }
    let folded = partial[t - lane];
    workgroupBarrier();
    return folded;
}

@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) group_id: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) t: u32,
) {
    // Grids wider than the adapter's limit fold into y (see kernel.rs).
    let group = group_id.x + group_id.y * groups.x;
    let row = group * PER_GROUP + t / LANES;
    let lane = t % LANES;
    let n = shape_info[1];
    let inner = shape_info[2];
    // Threads past the last row still take part in the folds (their barriers), with nothing.
    let count = select(0u, n, row < shape_info[0]);
    let first = (row / inner) * n * inner + row % inner;
    let at = shape_info[3] + first;
    var largest = bitcast<f32>(0xff800000u);
    for (var j = lane; j < count; j = j + LANES) {
        largest = max_nan(largest, x[at + j * inner]);
    }
    largest = row_max(t, lane, largest);
    var total = 0.0;
    for (var j = lane; j < count; j = j + LANES) {
        total = total + exp_accurate(x[at + j * inner] - largest);
    }
    total = row_sum(t, lane, total);
    let log_total = log_accurate(total);
    let inverse = 1.0 / total;
    for (var j = lane; j < count; j = j + LANES) {
        let z = x[at + j * inner] - largest;
        if shape_info[4] != 0u {
            out[first + j * inner] = z - log_total;
        } else {
            out[first + j * inner] = exp_accurate(z) * inverse;
        }
    }
}
