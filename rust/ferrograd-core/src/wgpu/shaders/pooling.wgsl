// Pooling over the (D, H, W) planes of a contiguous [planes, D, H, W] float32 tensor: the
// part every pooling kernel shares (after threads.wgsl, before pool_max.wgsl, pool_avg.wgsl
// or pool_avg_backward.wgsl). The windows come as a table built from the CPU's description of
// them (`cpu::pool::Grid`), so one kernel serves plain, padded, dilated, ceil-mode and
// adaptive pooling of every rank (a 1-d or 2-d pooling has leading axes of size one).
//
// shape_info: [threads, in_plane, out_plane, input offset, has divisor override, override,
//        per axis (D, H, W): size, step (dilation), windows, where its windows are, where
//        its ranges are;
//        the windows: begin, count, divisor (its factor of an average's divisor);
//        the ranges: per input position, the first and past-the-last window that may hold it]

fn axis_word(a: u32, k: u32) -> u32 {
    return shape_info[6u + a * 5u + k];
}

fn window(a: u32, w: u32) -> vec3<u32> {
    let at = axis_word(a, 3u) + 3u * w;
    return vec3<u32>(shape_info[at], shape_info[at + 1u], shape_info[at + 2u]);
}

// The windows (one per axis) of output position o of a plane.
fn windows_of(o: u32) -> array<vec3<u32>, 3> {
    let nh = axis_word(1u, 2u);
    let nw = axis_word(2u, 2u);
    return array<vec3<u32>, 3>(window(0u, o / (nh * nw)), window(1u, (o / nw) % nh), window(2u, o % nw));
}

// An average's divisor: the override, or the product of the axes' factors.
fn divisor(win: array<vec3<u32>, 3>) -> f32 {
    if shape_info[4u] != 0u {
        return f32(bitcast<i32>(shape_info[5u]));
    }
    return f32(win[0].z * win[1].z * win[2].z);
}

// The in-plane position of element (i, j, k) of a window.
fn position(win: array<vec3<u32>, 3>, i: u32, j: u32, k: u32) -> u32 {
    let d = win[0].x + i * axis_word(0u, 1u);
    let h = win[1].x + j * axis_word(1u, 1u);
    let w = win[2].x + k * axis_word(2u, 1u);
    return (d * axis_word(1u, 0u) + h) * axis_word(2u, 0u) + w;
}
