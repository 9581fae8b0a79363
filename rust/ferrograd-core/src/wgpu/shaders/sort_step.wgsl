// One step of a bitonic merge through global memory (see sort.rs), for gaps too wide for one
// workgroup: each thread compares and orders one pair of a lane's positions `gap` apart.
//
// shape_info: [threads (lanes * padded / 2), padded, block, gap]

fn run(t: u32) {
    let padded = shape_info[1];
    let half = padded / 2u;
    let lane = t / half;
    let i = pair_start(t % half, shape_info[3]);
    let at = lane * padded + i;
    let a = pairs[at];
    let b = pairs[at + shape_info[3]];
    if must_swap(a, b, i, shape_info[2]) {
        pairs[at] = b;
        pairs[at + shape_info[3]] = a;
    }
}
