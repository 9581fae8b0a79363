// out[o, j, i] = src[o, positions[j], i]: the slices of a dim at checked positions
// (index_select, an embedding's lookup), for a contiguous src of shape (outer, size, inner)
// and a contiguous out of shape (outer, n, inner). ELEMENT moves the bits of one element
// (u32, or vec2<u32> for 8-byte dtypes).
//
// shape_info: [threads, n, inner, size, src offset]

@group(0) @binding(0) var<storage, read_write> out: array<{{ELEMENT}}>;
@group(0) @binding(1) var<storage, read> src: array<{{ELEMENT}}>;
@group(0) @binding(2) var<storage, read> positions: array<u32>;
@group(0) @binding(3) var<storage, read> shape_info: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    // Grids wider than the adapter's limit fold into y (see kernel.rs).
    let t = gid.x + gid.y * groups.x * 256u;
    if t >= shape_info[0] {
        return;
    }
    let n = shape_info[1];
    let inner = shape_info[2];
    let i = t % inner;
    let j = (t / inner) % n;
    let o = t / (inner * n);
    out[t] = src[shape_info[4] + (o * shape_info[3] + positions[j]) * inner + i];
}
