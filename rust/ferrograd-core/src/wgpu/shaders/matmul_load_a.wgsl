// Copies a's slice for k0 (TILE rows from row0, DEPTH columns from k0) into workgroup memory,
// one element per load, through a's strides; A_SLICE (see matmul.rs) maps the loading
// threads so that neighbours read neighbouring addresses. Outside the matrix, zero.
fn load_a_slice(thread: u32, k0: u32, row0: u32, start: u32) {
    for (var e = 0u; e < LOADS; e = e + 1u) {
        let index = thread + THREADS * e;
        {{A_SLICE}}
        let gr = row0 + r;
        let gk = k0 + c;
        var v = 0.0;
        if gr < shape_info[0] && gk < k_end {
            v = a[start + gr * shape_info[6] + gk * shape_info[7]];
        }
        a_slice[c * TILE + r] = v;
    }
}
