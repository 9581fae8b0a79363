// The walks under every indexing op (cpu/gather.rs): thread t is position t, row-major, of a
// walk shape; its element of one operand lies at base + sum(coordinate * stride), plus, for
// the indexed operand, offsets[sum(coordinate * offset stride)] (the indexed positions,
// computed and checked on the host). Bodies for threads.wgsl.
//
// shape_info: [threads, ndim, indexed base, value base,
//              shape[ndim], strides[ndim], offset strides[ndim], value strides[ndim]]

// (where the indexed operand's element lies, where the other operand's does) for thread t.
fn walk_positions(t: u32) -> vec2<u32> {
    let n = shape_info[1];
    var rest = t;
    var indexed = shape_info[2];
    var value = shape_info[3];
    var o = 0u;
    for (var d = n; d > 0u; d = d - 1u) {
        let k = 4u + d - 1u;
        let size = shape_info[k];
        let c = rest % size;
        rest = rest / size;
        indexed = indexed + c * shape_info[k + n];
        o = o + c * shape_info[k + 2u * n];
        value = value + c * shape_info[k + 3u * n];
    }
    return vec2<u32>(indexed + offsets[o], value);
}
