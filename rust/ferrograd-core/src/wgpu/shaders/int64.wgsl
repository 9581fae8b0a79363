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

// x < y for unsigned 64-bit values.
fn u64_less(x: vec2<u32>, y: vec2<u32>) -> bool {
    return x.y < y.y || (x.y == y.y && x.x < y.x);
}

// (x / m, x mod m) for unsigned 64-bit values (m > 0), as (quotient, remainder) words, by long
// division a bit at a time: the remainder doubles and takes the next bit of x, and m comes off
// whenever the remainder reaches it (also when the doubling carried out of 64 bits: the true
// value is then below 2 m, and the wrapping difference is it), setting that quotient bit.
fn u64_divmod(x: vec2<u32>, m: vec2<u32>) -> vec4<u32> {
    var q = vec2<u32>(0u);
    var r = vec2<u32>(0u);
    for (var b = 63i; b >= 0; b = b - 1i) {
        let word = select(x.x, x.y, b >= 32i);
        let bit = (word >> u32(b & 31i)) & 1u;
        let carry = r.y >> 31u;
        r = vec2<u32>((r.x << 1u) | bit, (r.y << 1u) | (r.x >> 31u));
        q = vec2<u32>(q.x << 1u, (q.y << 1u) | (q.x >> 31u));
        if carry == 1u || !u64_less(r, m) {
            r = i64_add(r, i64_neg(m));
            q.x = q.x | 1u;
        }
    }
    return vec4<u32>(q, r);
}

// Truncating signed division, as C's / and % (the remainder has the dividend's sign), as
// (quotient, remainder). The magnitude of the most negative value is 2^63 read unsigned, so
// its quotients wrap as the CPU's do. The divisor is nonzero (the host checks).
fn i64_divmod_trunc(x: vec2<u32>, y: vec2<u32>) -> vec4<u32> {
    let xn = i64_is_negative(x);
    let yn = i64_is_negative(y);
    let u = u64_divmod(select(x, i64_neg(x), xn), select(y, i64_neg(y), yn));
    return vec4<u32>(select(u.xy, i64_neg(u.xy), xn != yn), select(u.zw, i64_neg(u.zw), xn));
}

// Whether a truncated quotient must step down to the floor: a nonzero remainder whose sign
// differs from the divisor's.
fn i64_floor_adjusts(d: vec4<u32>, y: vec2<u32>) -> bool {
    return any(d.zw != vec2<u32>(0u)) && i64_is_negative(d.zw) != i64_is_negative(y);
}

fn i64_div_floor(x: vec2<u32>, y: vec2<u32>) -> vec2<u32> {
    let d = i64_divmod_trunc(x, y);
    return select(d.xy, i64_add(d.xy, vec2<u32>(0xffffffffu)), i64_floor_adjusts(d, y));
}

// Python's remainder: the sign of the divisor.
fn i64_remainder(x: vec2<u32>, y: vec2<u32>) -> vec2<u32> {
    let d = i64_divmod_trunc(x, y);
    return select(d.zw, i64_add(d.zw, y), i64_floor_adjusts(d, y));
}
