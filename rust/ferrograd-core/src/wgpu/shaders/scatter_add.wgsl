// dst[o, index, i] += src[o, j, i] for every element (o, j, i) of a contiguous src of shape
// (outer, n, inner), index being the int64 index[o * index_stride + j]: an index per element
// along a dim (scatter_add, the gradient of max pooling: index_stride n) or one index list
// shared by every o (index_add, the gradient of an embedding: index_stride 0). dst is
// (outer, dst_n, inner), contiguous from its offset. A body for threads.wgsl, which binds
// dst (as atomic<u32>), src, index (int64s as u32 pairs) and shape_info.
//
// Several threads may add to one element, so each add is atomic (atomic_add.wgsl). An index
// outside [0, dst_n) is skipped: the callers have checked theirs.
//
// shape_info: [threads, n, inner, dst_n, index_stride, src offset, index offset (in int64s),
//              dst offset]

fn run(t: u32) {
    let inner = shape_info[2];
    let c = around_dim(t, shape_info[1], inner);
    let o = c.x;
    let j = c.y;
    let i = c.z;
    let at = 2u * (shape_info[6] + o * shape_info[4] + j);
    let slot = index[at];
    if index[at + 1u] != 0u || slot >= shape_info[3] {
        return; // negative, or past the end
    }
    let p = shape_info[7] + (o * shape_info[3] + slot) * inner + i;
    atomic_add_to_dst(p, src[shape_info[5] + t]);
}
