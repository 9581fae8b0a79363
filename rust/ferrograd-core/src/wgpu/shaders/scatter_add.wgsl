// dst[o, index, i] += src[o, j, i] for every element (o, j, i) of a contiguous src of shape
// (outer, n, inner), index being the int64 index[o * index_stride + j]: an index per element
// along a dim (scatter_add, the gradient of max pooling: index_stride n) or one index list
// shared by every o (index_add, the gradient of an embedding: index_stride 0). dst is
// (outer, dst_n, inner), contiguous from the start of its storage.
//
// Several threads may add to one element, so each add is a compare-and-swap loop on the
// float's bits (WGSL has no float atomics); the order of the adds, and so the rounding of a
// sum of several, varies from run to run, as with PyTorch's CUDA kernels. An index outside
// [0, dst_n) is skipped: the callers have checked theirs.
//
// shape_info: [threads, n, inner, dst_n, index_stride, src offset, index offset (in int64s)]

@group(0) @binding(0) var<storage, read_write> dst: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> index: array<u32>;
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
    let at = 2u * (shape_info[6] + o * shape_info[4] + j);
    let slot = index[at];
    if index[at + 1u] != 0u || slot >= shape_info[3] {
        return; // negative, or past the end
    }
    let p = shape_info[7] + (o * shape_info[3] + slot) * inner + i;
    let v = src[shape_info[5] + t];
    var old = atomicLoad(&dst[p]);
    loop {
        let swapped = atomicCompareExchangeWeak(&dst[p], old, bitcast<u32>(bitcast<f32>(old) + v));
        if swapped.exchanged {
            break;
        }
        old = swapped.old_value;
    }
}
