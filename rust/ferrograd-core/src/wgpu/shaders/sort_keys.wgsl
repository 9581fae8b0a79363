// The first pass of a sort along a dim (see sort.rs): each lane's elements become pairs whose
// order, key first and index second, is the sort's order (`element_pair` of the pair type).
// The lane is padded to a power of two with pairs that sort after every element.
//
// shape_info: [threads (lanes * padded), n, inner, padded, x offset, descending, is float]

fn run(t: u32) {
    let n = shape_info[1];
    let inner = shape_info[2];
    let padded = shape_info[3];
    let lane = t / padded;
    let j = t % padded;
    if j >= n {
        pairs[t] = padding_pair(j);
        return;
    }
    let o = lane / inner;
    let i = lane % inner;
    let bits = x[shape_info[4] + (o * n + j) * inner + i];
    pairs[t] = element_pair(bits, shape_info[6] != 0u, shape_info[5] != 0u, j);
}
