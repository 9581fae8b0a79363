// The pairs of a sort of 8-byte elements (int64, float64; see sort.rs): (key high word, key
// low word, index, unused), four words, 512 of them to a workgroup's chunk (8 KiB of
// workgroup memory, as for 4-byte elements).
alias Pair = vec4<u32>;
const CHUNK: u32 = 512u;

fn key_before(a: Pair, b: Pair) -> bool {
    return a.x < b.x || (a.x == b.x && a.y < b.y);
}

fn key_equal(a: Pair, b: Pair) -> bool {
    return a.x == b.x && a.y == b.y;
}

fn pair_index(p: Pair) -> u32 {
    return p.z;
}

// The key of every NaN of an ascending float sort (and of int64's greatest value).
fn key_is_all_ones(p: Pair) -> bool {
    return (p.x & p.y) == 0xffffffffu;
}

fn padding_pair(j: u32) -> Pair {
    return Pair(0xffffffffu, 0xffffffffu, j, 0u);
}

// An 8-byte element (low word, high word) as a (high, low) key in ascending unsigned order,
// as `ascending_key` of sort_pair32.wgsl does for 4-byte ones.
fn ascending_key(bits: vec2<u32>, is_float: bool) -> vec2<u32> {
    if !is_float {
        return vec2<u32>(bits.y ^ 0x80000000u, bits.x);
    }
    let magnitude = bits.y & 0x7fffffffu;
    if magnitude > 0x7ff00000u || (magnitude == 0x7ff00000u && bits.x != 0u) {
        return vec2<u32>(0xffffffffu);
    }
    if bits.y == 0x80000000u && bits.x == 0u {
        return vec2<u32>(0x80000000u, 0u);
    }
    if (bits.y & 0x80000000u) != 0u {
        return vec2<u32>(~bits.y, ~bits.x);
    }
    return vec2<u32>(bits.y | 0x80000000u, bits.x);
}

fn element_pair(bits: vec2<u32>, is_float: bool, descending: bool, j: u32) -> Pair {
    let key = ascending_key(bits, is_float);
    let ordered = select(key, ~key, descending);
    return Pair(ordered.x, ordered.y, j, 0u);
}
