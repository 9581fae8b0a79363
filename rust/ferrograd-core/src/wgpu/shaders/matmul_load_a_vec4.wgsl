// load_a_slice (see matmul_load_a.wgsl) for a row-major `a` whose rows, start and k are
// multiples of 4 elements, bound as vec4s: each load brings four neighbouring columns of one
// row, so a quarter of the loads. Since k is a multiple of 4, a vec4 is all inside the matrix
// or all outside (k_end, a part's end, is a multiple of DEPTH or k).
fn load_a_slice(thread: u32, k0: u32, row0: u32, start: u32) {
    for (var e = 0u; e < LOADS / 4u; e = e + 1u) {
        let q = thread + THREADS * e;
        let r = q / (DEPTH / 4u);
        let c = (q % (DEPTH / 4u)) * 4u;
        let gr = row0 + r;
        let gk = k0 + c;
        var v = vec4<f32>(0.0);
        if gr < shape_info[0] && gk < k_end {
            v = a[(start + gr * shape_info[6] + gk) / 4u];
        }
        a_slice[c * TILE + r] = v.x;
        a_slice[(c + 1u) * TILE + r] = v.y;
        a_slice[(c + 2u) * TILE + r] = v.z;
        a_slice[(c + 3u) * TILE + r] = v.w;
    }
}
