// softmax and log_softmax along a dim in one kernel (see softmax.rs), after row_fold.wgsl:
// LANES threads of a workgroup share a row. They find its max (NaN if it holds one), then the
// sum of exp(x - max), then write exp(x - max) * (1 / sum), or (x - max) - log(sum), the CPU
// kernel's order of operations.
// The row is read three times and written once, where the composed form took five passes.
//
// shape_info: [rows, n, inner, x offset, log]

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> shape_info: array<u32>;

fn run_row(t: u32, lane: u32, first: u32, count: u32, inner: u32) {
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
