// The helpers of one LSTM or GRU step's elementwise part and its gradient (after
// threads.wgsl, float.wgsl and math.wgsl; before the kernel body: lstm_forward.wgsl,
// lstm_backward.wgsl, gru_forward.wgsl or gru_backward.wgsl). Thread t computes element
// (b, j) = (t / H, t % H) of the batch. Every operand is contiguous and row-major, read from its offset in shape_info; the layouts and the order of operations are
// the CPU kernel's (`cpu/rnn_cell.rs`):
// - LSTM: gates (B, 4H) in the order i, f, g, o; the workspace row is [i, f, g, o, tanh(c')].
// - GRU: gx, gh (B, 3H) in the order r, z, n; the workspace row is [r, z, n, gh_n, h - n].
//
// shape_info: [threads, H, the offset of each input in binding order]

fn hidden() -> u32 {
    return shape_info[1];
}

// Element j of part k of row b of a buffer whose rows hold `parts` parts of H values.
fn at(offset: u32, parts: u32, k: u32, t: u32) -> u32 {
    let h = hidden();
    return offset + (t / h) * parts * h + k * h + t % h;
}

fn sigmoid_slope(s: f32) -> f32 {
    return s * (1.0 - s);
}

fn tanh_slope(v: f32) -> f32 {
    return 1.0 - v * v;
}
