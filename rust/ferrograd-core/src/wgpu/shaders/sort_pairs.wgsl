// The comparison of the sorting kernels (sort_step.wgsl, sort_chunk.wgsl), after the pair
// type of sort_pair32.wgsl or sort_pair64.wgsl: pairs ordered by key, then by index, so equal
// keys keep their order (a stable sort).
fn before(a: Pair, b: Pair) -> bool {
    return key_before(a, b) || (key_equal(a, b) && pair_index(a) < pair_index(b));
}

// Whether the pairs at lane positions i < i + gap, in a bitonic merge of blocks of `block`,
// must swap: the block sorts ascending when bit `block` of i is clear.
fn must_swap(a: Pair, b: Pair, i: u32, block: u32) -> bool {
    let ascending = (i & block) == 0u;
    return select(before(a, b), before(b, a), ascending);
}

// The first position of pair p in a step comparing positions `gap` apart.
fn pair_start(p: u32, gap: u32) -> u32 {
    return (p / gap) * 2u * gap + p % gap;
}

// Whether two sorted pairs hold equal elements: equal keys, but never two NaNs (`is_float`:
// an all-ones key is a NaN), which are unequal as on the CPU.
fn same_element(a: Pair, b: Pair, is_float: bool) -> bool {
    return key_equal(a, b) && !(is_float && key_is_all_ones(a));
}
