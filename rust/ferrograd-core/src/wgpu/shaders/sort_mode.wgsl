// `mode` along a dim from sorted lanes (see sort.rs): a thread walks one lane's pairs, whose
// equal elements lie side by side, and keeps the first longest run (so the smallest value on
// ties, as the CPU); the result is the run's last element, the greatest index holding it.
// NaNs are never equal (`same_element`), so each is a run of one, as on the CPU.
//
// shape_info: [threads (lanes), n, inner, padded, x offset, is float]

fn run(lane: u32) {
    let n = shape_info[1];
    let is_float = shape_info[5] != 0u;
    let start = lane * shape_info[3];
    var best = 0u;
    var best_end = 0u;
    var length = 0u;
    for (var j = 0u; j < n; j = j + 1u) {
        length = length + 1u;
        if j + 1u == n || !same_element(pairs[start + j], pairs[start + j + 1u], is_float) {
            if length > best {
                best = length;
                best_end = j;
            }
            length = 0u;
        }
    }
    let index = pair_index(pairs[start + best_end]);
    let inner = shape_info[2];
    values[lane] = x[shape_info[4] + ((lane / inner) * n + index) * inner + lane % inner];
    indices[lane] = vec2<u32>(index, 0u);
}
