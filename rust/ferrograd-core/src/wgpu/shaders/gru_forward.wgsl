// One GRU step (after rnn_cell.wgsl): thread t computes element (t / H, t % H).
// in0 = gx, in1 = gh, in2 = h; out0 = h', out1 = workspace.
fn run(t: u32) {
    let x = shape_info[2];
    let hg = shape_info[3];
    let r = sigmoid_accurate(in0[at(x, 3u, 0u, t)] + in1[at(hg, 3u, 0u, t)]);
    let z = sigmoid_accurate(in0[at(x, 3u, 1u, t)] + in1[at(hg, 3u, 1u, t)]);
    let h_n = in1[at(hg, 3u, 2u, t)];
    let n = tanh_accurate(in0[at(x, 3u, 2u, t)] + r * h_n);
    let diff = in2[shape_info[4] + t] - n;
    out0[t] = n + z * diff;
    out1[at(0u, 5u, 0u, t)] = r;
    out1[at(0u, 5u, 1u, t)] = z;
    out1[at(0u, 5u, 2u, t)] = n;
    out1[at(0u, 5u, 3u, t)] = h_n;
    out1[at(0u, 5u, 4u, t)] = diff;
}
