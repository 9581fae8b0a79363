// One axis of a separable resampling (see resample.rs): output position j along the axis is
// the weighted sum of the input positions its entries name, entries starts[j] to
// starts[j + 1] of (sources, weights). An upsampling's taps and their adjoint (each input
// position gathering the outputs it fed) both take this form, so neither needs atomics.
//
// shape_info: [threads, input size along the axis, output size, inner, x offset]

fn run(t: u32) {
    let at = around_dim(t, shape_info[2], shape_info[3]);
    let j = at.y;
    let base = shape_info[4] + at.x * shape_info[1] * shape_info[3] + at.z;
    var total = 0.0;
    for (var e = starts[j]; e < starts[j + 1u]; e = e + 1u) {
        total = total + weights[e] * x[base + sources[e] * shape_info[3]];
    }
    out[t] = total;
}
