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

// int64 to float32, rounded to nearest (ties to even) as the CPU's cast: the magnitude's top
// 24 bits, rounded by the rest.
fn i64_to_f32(x: vec2<u32>) -> f32 {
    let negative = i64_is_negative(x);
    let m = select(x, i64_neg(x), negative); // the magnitude (2^63 for the minimum, as u64)
    if m.y == 0u && m.x < 0x01000000u {
        return select(f32(m.x), -f32(m.x), negative); // exact
    }
    // Normalise the 64 bits so that the top one is set, keeping 32 below as the rest.
    let lz = select(countLeadingZeros(m.y), 32u + countLeadingZeros(m.x), m.y == 0u);
    var hi: u32;
    var lo: u32;
    if lz >= 32u {
        hi = m.x << (lz - 32u);
        lo = 0u;
    } else if lz == 0u {
        hi = m.y;
        lo = m.x;
    } else {
        hi = (m.y << lz) | (m.x >> (32u - lz));
        lo = m.x << lz;
    }
    var mantissa = hi >> 8u;
    let rest = hi & 0xffu;
    if rest > 0x80u || (rest == 0x80u && (lo != 0u || (mantissa & 1u) == 1u)) {
        mantissa = mantissa + 1u;
    }
    let r = ldexp(f32(mantissa), 40 - i32(lz));
    return select(r, -r, negative);
}

// float32 to int64, truncating as the CPU's cast: NaN and values out of range give the minimum.
fn f32_to_i64(x: f32) -> vec2<u32> {
    if is_nan(x) || !(x >= -9223372036854775808.0 && x < 9223372036854775808.0) {
        return vec2<u32>(0u, 0x80000000u);
    }
    let a = abs(trunc(x));
    let hi = floor(a * 2.3283064365386963e-10); // a / 2^32, exact
    let magnitude = vec2<u32>(u32(a - hi * 4294967296.0), u32(hi));
    return select(magnitude, i64_neg(magnitude), x < 0.0);
}
