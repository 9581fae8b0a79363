// Copies b's slice for k0 (DEPTH rows from k0, TILE columns from col0) into workgroup memory,
// one element per load (see matmul_load_a.wgsl).
fn load_b_slice(thread: u32, k0: u32, col0: u32, start: u32) {
    for (var e = 0u; e < LOADS; e = e + 1u) {
        let index = thread + THREADS * e;
        {{B_SLICE}}
        let gk = k0 + r;
        let gc = col0 + c;
        var v = 0.0;
        if gk < k_end && gc < shape_info[1] {
            v = b[start + gk * shape_info[8] + gc * shape_info[9]];
        }
        b_slice[r * TILE + c] = v;
    }
}
