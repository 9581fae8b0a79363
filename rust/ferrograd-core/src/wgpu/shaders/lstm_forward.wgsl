// One LSTM step (after rnn_cell.wgsl): thread t computes element (t / H, t % H).
// in0 = gates, in1 = c; out0 = h', out1 = c', out2 = workspace.
fn run(t: u32) {
    let i = sigmoid_accurate(in0[at(shape_info[2], 4u, 0u, t)]);
    let f = sigmoid_accurate(in0[at(shape_info[2], 4u, 1u, t)]);
    let g = tanh_accurate(in0[at(shape_info[2], 4u, 2u, t)]);
    let o = sigmoid_accurate(in0[at(shape_info[2], 4u, 3u, t)]);
    let cn = f * in1[shape_info[3] + t] + i * g;
    let th = tanh_accurate(cn);
    out1[t] = cn;
    out0[t] = o * th;
    out2[at(0u, 5u, 0u, t)] = i;
    out2[at(0u, 5u, 1u, t)] = f;
    out2[at(0u, 5u, 2u, t)] = g;
    out2[at(0u, 5u, 3u, t)] = o;
    out2[at(0u, 5u, 4u, t)] = th;
}
