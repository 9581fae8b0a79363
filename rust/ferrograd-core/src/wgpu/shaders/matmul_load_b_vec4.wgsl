// load_b_slice (see matmul_load_b.wgsl) for a row-major `b` whose rows, start and n are
// multiples of 4 elements, bound as vec4s: each load brings four neighbouring columns.
fn load_b_slice(thread: u32, k0: u32, col0: u32, start: u32) {
    for (var e = 0u; e < LOADS / 4u; e = e + 1u) {
        let q = thread + THREADS * e;
        let r = q / (TILE / 4u);
        let c = (q % (TILE / 4u)) * 4u;
        let gk = k0 + r;
        let gc = col0 + c;
        var v = vec4<f32>(0.0);
        if gk < k_end && gc < shape_info[1] {
            v = b[(start + gk * shape_info[8] + gc) / 4u];
        }
        let at = r * TILE + c;
        b_slice[at] = v.x;
        b_slice[at + 1u] = v.y;
        b_slice[at + 2u] = v.z;
        b_slice[at + 3u] = v.w;
    }
}
