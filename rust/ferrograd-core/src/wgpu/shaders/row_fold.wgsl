// Rows folded by the threads of a workgroup (softmax.wgsl, softmax_backward.wgsl): LANES
// threads share a row (the elements along a dim at one position of the others), each taking
// every LANES-th element, then fold their partial results in workgroup memory.

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

// The entry point: thread t of a workgroup takes lane t % LANES of its row, which starts at
// `first` in a contiguous (rows / inner, n, inner) block and holds `count` elements (0 past
// the last row, whose threads still take part in the folds' barriers, with nothing). The
// kernel's `run_row` does the work; shape_info starts [rows, n, inner].
@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) group_id: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) t: u32,
) {
    // Grids wider than the adapter's limit fold into y (see kernel.rs).
    let row = (group_id.x + group_id.y * groups.x) * PER_GROUP + t / LANES;
    let n = shape_info[1];
    let inner = shape_info[2];
    let first = (row / inner) * n * inner + row % inner;
    run_row(t, t % LANES, first, select(0u, n, row < shape_info[0]), inner);
}
