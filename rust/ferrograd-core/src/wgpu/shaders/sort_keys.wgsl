// The first pass of a sort along a dim (see sort.rs): each lane's elements become (key, index)
// pairs whose unsigned order, key first and index second, is the sort's order. The lane is
// padded to a power of two with pairs that sort after every element.
//
// shape_info: [threads (lanes * padded), n, inner, padded, x offset, descending, dtype (0:
//              float32, 1: int32)]

// A 32-bit element as a key in ascending unsigned order: NaN above everything (all NaNs
// equal), -0 equal to +0, as the CPU's comparison has them.
fn ascending_key(bits: u32, dtype: u32) -> u32 {
    if dtype == 1u {
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

fn run(t: u32) {
    let n = shape_info[1];
    let inner = shape_info[2];
    let padded = shape_info[3];
    let lane = t / padded;
    let j = t % padded;
    if j >= n {
        pairs[t] = vec2<u32>(0xffffffffu, j);
        return;
    }
    let o = lane / inner;
    let i = lane % inner;
    let key = ascending_key(x[shape_info[4] + (o * n + j) * inner + i], shape_info[6]);
    // Descending: the complement reverses the order; equal keys still go by index.
    pairs[t] = vec2<u32>(select(key, ~key, shape_info[5] != 0u), j);
}
