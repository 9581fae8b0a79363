// The sum of a split matmul's parts (see matmul.wgsl): out[e] = alpha * (the SPLIT partial
// products at e) (+ beta * out[e]). A body for threads.wgsl, which binds out, parts and
// shape_info; parts holds (batch, SPLIT, m * n) values.
//
// shape_info: [threads (batch m n), m n, SPLIT, alpha bits, beta bits, has beta]

fn run(t: u32) {
    let plane = shape_info[1];
    let split = shape_info[2];
    let first = (t / plane) * split * plane + t % plane;
    var sum = 0.0;
    for (var p = 0u; p < split; p = p + 1u) {
        sum = sum + parts[first + p * plane];
    }
    var v = bitcast<f32>(shape_info[3]) * sum;
    if shape_info[5] != 0u {
        v = v + bitcast<f32>(shape_info[4]) * out[t];
    }
    out[t] = v;
}
