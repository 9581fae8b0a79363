// nll_loss's gradient: out[i, c, j] = coefs[p] grad[p] where c is the target of position
// p = i K + j, 0 elsewhere (and where the target is ignored, 0xffffffff); grad holds one value
// per position, or one for all (a reduced loss: shape_info[3] = 0). A body for threads.wgsl,
// which binds out, grad, targets, coefs and shape_info.
//
// shape_info: [threads (N C K), C, K, grad per position (0 or 1), grad offset]

fn run(t: u32) {
    let k = shape_info[2];
    let at = around_dim(t, shape_info[1], k); // (i, c, j)
    let p = at.x * k + at.z;
    var value = 0.0;
    if targets[p] == at.y {
        value = coefs[p] * grad[shape_info[4] + p * shape_info[3]];
    }
    out[t] = value;
}
