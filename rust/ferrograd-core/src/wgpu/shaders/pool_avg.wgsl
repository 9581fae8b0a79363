// Average pooling (after pooling.wgsl): thread t computes output t, its window's sum over the
// divisor; a window wholly in the padding gives 0, as on the CPU.

fn run(t: u32) {
    let plane = t / shape_info[2u];
    let win = windows_of(t % shape_info[2u]);
    let base = shape_info[3u] + plane * shape_info[1u];
    var sum = 0.0;
    for (var i = 0u; i < win[0].y; i = i + 1u) {
        for (var j = 0u; j < win[1].y; j = j + 1u) {
            for (var k = 0u; k < win[2].y; k = k + 1u) {
                sum = sum + input[base + position(win, i, j, k)];
            }
        }
    }
    let empty = win[0].y * win[1].y * win[2].y == 0u;
    out[t] = select(sum / divisor(win), 0.0, empty);
}
