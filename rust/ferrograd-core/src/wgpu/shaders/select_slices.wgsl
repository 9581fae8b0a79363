// out[o, j, i] = src[o, positions[j], i]: the slices of a dim at checked positions
// (index_select, an embedding's lookup), for a contiguous src of shape (outer, size, inner)
// and a contiguous out of shape (outer, n, inner). A body for threads.wgsl, which binds out,
// src (as u32, or vec2<u32> for 8-byte dtypes: the bits move unchanged), positions and
// shape_info.
//
// shape_info: [threads, n, inner, size, src offset]

fn run(t: u32) {
    let inner = shape_info[2];
    let c = around_dim(t, shape_info[1], inner); // (o, j, i)
    out[t] = src[shape_info[4] + (c.x * shape_info[3] + positions[c.y]) * inner + c.z];
}
