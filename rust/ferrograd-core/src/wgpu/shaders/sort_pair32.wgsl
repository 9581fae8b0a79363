// The pairs of a sort of 4-byte elements (float32, int32; see sort.rs): (key, index), two
// words, 1024 of them to a workgroup's chunk (8 KiB of workgroup memory).
alias Pair = vec2<u32>;
const CHUNK: u32 = 1024u;

fn key_before(a: Pair, b: Pair) -> bool {
    return a.x < b.x;
}

fn key_equal(a: Pair, b: Pair) -> bool {
    return a.x == b.x;
}

fn pair_index(p: Pair) -> u32 {
    return p.y;
}

// The key of every NaN of an ascending float sort (and of int32's greatest value).
fn key_is_all_ones(p: Pair) -> bool {
    return p.x == 0xffffffffu;
}

// A padding pair at lane position j: after every element, ties broken by position.
fn padding_pair(j: u32) -> Pair {
    return Pair(0xffffffffu, j);
}

// A 4-byte element as a key in ascending unsigned order: NaN above everything (all NaNs
// equal), -0 equal to +0, as the CPU's comparison has them.
fn ascending_key(bits: u32, is_float: bool) -> u32 {
    if !is_float {
        return bits ^ 0x80000000u;
    }
    if (bits & 0x7fffffffu) > 0x7f800000u {
        return 0xffffffffu;
    }
    if bits == 0x80000000u {
        return 0x80000000u;
    }
    // Negative floats reverse their order as integers; all bits flip, which also puts them
    // below the positives, whose sign bit is set instead.
    return select(bits | 0x80000000u, ~bits, (bits & 0x80000000u) != 0u);
}

// Element `bits` at lane position j as a pair; descending: the complement reverses the order
// while equal keys still go by position.
fn element_pair(bits: u32, is_float: bool, descending: bool, j: u32) -> Pair {
    let key = ascending_key(bits, is_float);
    return Pair(select(key, ~key, descending), j);
}
