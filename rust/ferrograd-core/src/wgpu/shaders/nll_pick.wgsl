// nll_loss's forward: out[p] = coefs[p] x[i, targets[p], j] for the target position p = i K + j
// of a contiguous (N, C, K) input x of log-probabilities; 0 where the target is ignored
// (targets[p] = 0xffffffff), without reading x (which may be -inf there). A body for
// threads.wgsl, which binds out, x, targets, coefs and shape_info.
//
// shape_info: [threads (N K), C, K, x offset]

fn run(p: u32) {
    let t = targets[p];
    if t == 0xffffffffu {
        out[p] = 0.0;
        return;
    }
    let k = shape_info[2];
    out[p] = coefs[p] * x[shape_info[3] + ((p / k) * shape_info[1] + t) * k + p % k];
}
