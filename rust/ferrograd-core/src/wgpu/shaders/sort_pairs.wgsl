// The comparison of the sorting kernels (sort_step.wgsl, sort_chunk.wgsl): pairs ordered by
// key, then by index, so equal keys keep their order (a stable sort).
fn before(a: vec2<u32>, b: vec2<u32>) -> bool {
    return a.x < b.x || (a.x == b.x && a.y < b.y);
}

// Whether the pairs at lane positions i < i + gap, in a bitonic merge of blocks of `block`,
// must swap: the block sorts ascending when bit `block` of i is clear.
fn must_swap(a: vec2<u32>, b: vec2<u32>, i: u32, block: u32) -> bool {
    let ascending = (i & block) == 0u;
    return select(before(a, b), before(b, a), ascending);
}

// The first position of pair p in a step comparing positions `gap` apart.
fn pair_start(p: u32, gap: u32) -> u32 {
    return (p / gap) * 2u * gap + p % gap;
}
