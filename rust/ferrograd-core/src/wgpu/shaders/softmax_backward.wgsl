// The gradients of softmax and log_softmax along a dim in one kernel (see softmax.rs), after
// row_fold.wgsl, from the forward's result y and the incoming gradient g (both contiguous):
// softmax: g y - y sum(g y); log_softmax: g - exp(y) sum(g), the sums along the row. These
// are the composed formula's operations in its order, in two reads of the row where the
// composed form took four passes over the whole tensor.
//
// shape_info: [rows, n, inner, y offset, g offset, log]

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read> shape_info: array<u32>;

fn run_row(t: u32, lane: u32, first: u32, count: u32, inner: u32) {
    let at_y = shape_info[3] + first;
    let at_g = shape_info[4] + first;
    let is_log = shape_info[5] != 0u;
    var total = 0.0;
    for (var j = lane; j < count; j = j + LANES) {
        let gj = g[at_g + j * inner];
        total = total + select(gj * y[at_y + j * inner], gj, is_log);
    }
    total = row_sum(t, lane, total);
    for (var j = lane; j < count; j = j + LANES) {
        let yj = y[at_y + j * inner];
        let gj = g[at_g + j * inner];
        if is_log {
            out[first + j * inner] = gj - exp_accurate(yj) * total;
        } else {
            out[first + j * inner] = gj * yj - yj * total;
        }
    }
}
