// The bitonic steps of a sort (see sort.rs) whose pairs lie within one chunk of a lane: a
// workgroup loads the chunk (CHUNK pairs, set by the pair type) into workgroup memory, runs
// them, and stores it back. For each block size from `first` to `last` (doubling), the gaps
// from min(block, chunk) / 2 down to 1.
//
// shape_info: [workgroups (lanes * chunks per lane), padded, chunk, first, last]

@group(0) @binding(0) var<storage, read_write> pairs: array<Pair>;
@group(0) @binding(1) var<storage, read> shape_info: array<u32>;

var<workgroup> held: array<Pair, CHUNK>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    // Grids wider than the adapter's limit fold into y (see kernel.rs); a whole workgroup
    // leaves or stays, so the barriers below are reached by all of its threads.
    let group = wid.x + wid.y * groups.x;
    if group >= shape_info[0] {
        return;
    }
    let padded = shape_info[1];
    let chunk = shape_info[2];
    let start = group * chunk;
    // The chunk's first position within its lane: block bits above the chunk come from it.
    let lane_start = start % padded;
    for (var p = lid; p < chunk; p = p + 256u) {
        held[p] = pairs[start + p];
    }
    workgroupBarrier();
    for (var block = shape_info[3]; block <= shape_info[4]; block = block * 2u) {
        for (var gap = min(block, chunk) / 2u; gap > 0u; gap = gap / 2u) {
            for (var p = lid; p < chunk / 2u; p = p + 256u) {
                let i = pair_start(p, gap);
                let a = held[i];
                let b = held[i + gap];
                if must_swap(a, b, lane_start + i, block) {
                    held[i] = b;
                    held[i + gap] = a;
                }
            }
            workgroupBarrier();
        }
    }
    for (var p = lid; p < chunk; p = p + 256u) {
        pairs[start + p] = held[p];
    }
}
