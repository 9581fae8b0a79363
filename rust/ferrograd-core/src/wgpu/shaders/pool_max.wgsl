// Max pooling (after pooling.wgsl): thread t computes output t, its window's largest value
// and that value's in-plane position. A later value takes over only when strictly larger or
// NaN, so NaN propagates and ties keep the first maximum, as on the CPU.

fn run(t: u32) {
    let plane = t / shape_info[2u];
    let win = windows_of(t % shape_info[2u]);
    let base = shape_info[3u] + plane * shape_info[1u];
    var best = 0.0;
    var best_at = 0u;
    var seen = false;
    for (var i = 0u; i < win[0].y; i = i + 1u) {
        for (var j = 0u; j < win[1].y; j = j + 1u) {
            for (var k = 0u; k < win[2].y; k = k + 1u) {
                let at = position(win, i, j, k);
                let v = input[base + at];
                if !seen || v > best || is_nan(v) {
                    best = v;
                    best_at = at;
                    seen = true;
                }
            }
        }
    }
    values[t] = best;
    // An int64 index as two words; an empty window's is -1, as on the CPU.
    indices[2u * t] = select(0xffffffffu, best_at, seen);
    indices[2u * t + 1u] = select(0xffffffffu, 0u, seen);
}
