// int64 arithmetic for the elementwise op table (prepended to the map template): WGSL has no
// 64-bit integers, so a value is a vec2<u32> (low word, high word), as it lies in memory.
// Arithmetic wraps on overflow, as the CPU's does; two's complement makes the low 64 bits of a
// sum or product the same for signed and unsigned operands.

fn i64_is_negative(x: vec2<u32>) -> bool {
    return (x.y >> 31u) == 1u;
}

fn i64_lt(x: vec2<u32>, y: vec2<u32>) -> bool {
    let xh = bitcast<i32>(x.y);
    let yh = bitcast<i32>(y.y);
    return xh < yh || (xh == yh && x.x < y.x);
}

fn i64_add(x: vec2<u32>, y: vec2<u32>) -> vec2<u32> {
    let lo = x.x + y.x;
    return vec2<u32>(lo, x.y + y.y + select(0u, 1u, lo < x.x));
}

fn i64_neg(x: vec2<u32>) -> vec2<u32> {
    return i64_add(~x, vec2<u32>(1u, 0u));
}

// The full 64-bit product of two u32, from 16-bit halves.
fn u32_mul_wide(a: u32, b: u32) -> vec2<u32> {
    let ll = (a & 0xffffu) * (b & 0xffffu);
    let lh = (a & 0xffffu) * (b >> 16u);
    let hl = (a >> 16u) * (b & 0xffffu);
    let hh = (a >> 16u) * (b >> 16u);
    let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
    return vec2<u32>((ll & 0xffffu) | (mid << 16u), hh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u));
}

fn i64_mul(x: vec2<u32>, y: vec2<u32>) -> vec2<u32> {
    let p = u32_mul_wide(x.x, y.x);
    return vec2<u32>(p.x, p.y + x.x * y.y + x.y * y.x);
}
