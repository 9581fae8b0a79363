// The gradient of one GRU step (after rnn_cell.wgsl): thread t computes element (t / H, t % H).
// in0 = workspace, in1 = dh'; out0 = d gx, out1 = d gh, out2 = dh.
fn run(t: u32) {
    let ws = shape_info[2];
    let r = in0[at(ws, 5u, 0u, t)];
    let z = in0[at(ws, 5u, 1u, t)];
    let n = in0[at(ws, 5u, 2u, t)];
    let h_n = in0[at(ws, 5u, 3u, t)];
    let diff = in0[at(ws, 5u, 4u, t)];
    let dy = in1[shape_info[3] + t];
    let d_n = dy * (1.0 - z) * tanh_slope(n);
    let d_r = d_n * h_n * sigmoid_slope(r);
    let d_z = dy * diff * sigmoid_slope(z);
    out0[at(0u, 3u, 0u, t)] = d_r;
    out0[at(0u, 3u, 1u, t)] = d_z;
    out0[at(0u, 3u, 2u, t)] = d_n;
    out1[at(0u, 3u, 0u, t)] = d_r;
    out1[at(0u, 3u, 1u, t)] = d_z;
    out1[at(0u, 3u, 2u, t)] = d_n * r;
    out2[t] = dy * z;
}
