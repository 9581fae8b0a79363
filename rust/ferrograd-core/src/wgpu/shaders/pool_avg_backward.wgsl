// The gradient of average pooling (after pooling.wgsl): thread t computes input position t's
// gradient, the sum of the shares (gradient over divisor) of every window that holds it. A
// gather rather than a scatter, so no two threads write one element and no atomics are needed;
// the ranges table bounds the windows each thread looks at.

// Whether window `w` of axis `a` holds position x.
fn holds(a: u32, w: u32, x: u32) -> bool {
    let win = window(a, w);
    let step = axis_word(a, 1u);
    return x >= win.x && (x - win.x) % step == 0u && (x - win.x) / step < win.y;
}

fn range(a: u32, x: u32) -> vec2<u32> {
    let at = axis_word(a, 4u) + 2u * x;
    return vec2<u32>(shape_info[at], shape_info[at + 1u]);
}

fn run(t: u32) {
    let in_plane = shape_info[1u];
    let plane = t / in_plane;
    let pos = t % in_plane;
    let h_size = axis_word(1u, 0u);
    let w_size = axis_word(2u, 0u);
    let x = vec3<u32>(pos / (h_size * w_size), (pos / w_size) % h_size, pos % w_size);
    let nh = axis_word(1u, 2u);
    let nw = axis_word(2u, 2u);
    let base = shape_info[3u] + plane * shape_info[2u];
    let rd = range(0u, x.x);
    let rh = range(1u, x.y);
    let rw = range(2u, x.z);
    var sum = 0.0;
    for (var wd = rd.x; wd < rd.y; wd = wd + 1u) {
        if !holds(0u, wd, x.x) {
            continue;
        }
        for (var wh = rh.x; wh < rh.y; wh = wh + 1u) {
            if !holds(1u, wh, x.y) {
                continue;
            }
            for (var ww = rw.x; ww < rw.y; ww = ww + 1u) {
                if !holds(2u, ww, x.z) {
                    continue;
                }
                let win = array<vec3<u32>, 3>(window(0u, wd), window(1u, wh), window(2u, ww));
                sum = sum + grad[base + (wd * nh + wh) * nw + ww] / divisor(win);
            }
        }
    }
    out[t] = sum;
}
