// The first pass of `unique` (see sort.rs): over one lane of pairs (sorted, or in the input's
// order for `unique_consecutive`), 1 where an element starts a run of equal ones, else 0.
// A running sum of the flags then numbers the runs.
//
// shape_info: [threads (n), is float]

fn run(i: u32) {
    let same = i > 0u && same_element(pairs[i - 1u], pairs[i], shape_info[1] != 0u);
    flags[i] = select(1u, 0u, same);
}
