// The gradient of one LSTM step (after rnn_cell.wgsl): thread t computes element (t / H, t % H).
// in0 = workspace, in1 = c, in2 = dh', in3 = dc'; out0 = d gates, out1 = dc.
fn run(t: u32) {
    let ws = shape_info[2];
    let i = in0[at(ws, 5u, 0u, t)];
    let f = in0[at(ws, 5u, 1u, t)];
    let g = in0[at(ws, 5u, 2u, t)];
    let o = in0[at(ws, 5u, 3u, t)];
    let th = in0[at(ws, 5u, 4u, t)];
    let dh = in2[shape_info[4] + t];
    let dcn = in3[shape_info[5] + t] + dh * o * tanh_slope(th);
    out0[at(0u, 4u, 0u, t)] = dcn * g * sigmoid_slope(i);
    out0[at(0u, 4u, 1u, t)] = dcn * in1[shape_info[3] + t] * sigmoid_slope(f);
    out0[at(0u, 4u, 2u, t)] = dcn * i * tanh_slope(g);
    out0[at(0u, 4u, 3u, t)] = dh * th * sigmoid_slope(o);
    out1[t] = dcn * f;
}
