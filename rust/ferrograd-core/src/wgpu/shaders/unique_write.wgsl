// The last pass of `unique` (see sort.rs): position i of the lane belongs to run
// `runs[i] - 1` (the running sum of the flags). The first element of each run gives the run's
// value and start, every element its input position's inverse, and the last position the end
// of the last run (so the counts are the differences of neighbouring starts).
//
// shape_info: [threads (n), x offset]

fn run(i: u32) {
    let g = runs[i].x - 1u;
    let index = pair_index(pairs[i]);
    inverse[index] = vec2<u32>(g, 0u);
    if flags[i] != 0u {
        values[g] = x[shape_info[1] + index];
        starts[g] = vec2<u32>(i, 0u);
    }
    if i + 1u == shape_info[0] {
        starts[g + 1u] = vec2<u32>(shape_info[0], 0u);
    }
}
