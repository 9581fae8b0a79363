// The last pass of a sort along a dim (see sort.rs): the first `kept` pairs of each lane
// become the result, each index's element read from the input (so NaN payloads and -0 come
// out as they went in) and the index as an int64.
//
// shape_info: [threads (lanes * kept), n, inner, padded, kept, x offset]

fn run(t: u32) {
    let n = shape_info[1];
    let inner = shape_info[2];
    let kept = shape_info[4];
    let lane = t / kept;
    let j = t % kept;
    let index = pair_index(pairs[lane * shape_info[3] + j]);
    let o = lane / inner;
    let i = lane % inner;
    let at = (o * kept + j) * inner + i;
    values[at] = x[shape_info[5] + (o * n + index) * inner + i];
    indices[at] = vec2<u32>(index, 0u);
}
