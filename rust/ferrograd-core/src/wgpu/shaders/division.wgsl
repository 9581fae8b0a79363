// Float32 fmod, remainder and floor division, and int32 floor division and remainder, for the
// elementwise op table (prepended to the map template after math.wgsl), computed as the CPU
// computes them.
//
// A remainder of floats is always exactly representable, so fmod is exact in C and on the
// CPU; WGSL's `%` is x - y trunc(x / y), which is not (its quotient is rounded first). fmod
// here is long division on the significands instead: the divisor is subtracted from the
// dividend at each of the exponents between theirs, one bit at a time.

// (significand, exponent) of a finite nonzero |x|: |x| = s 2^(e - 150) with s in [2^23, 2^24)
// (a subnormal is normalised).
fn float_parts(bits: u32) -> vec2<i32> {
    let e = i32(bits >> 23u);
    let m = bits & 0x007fffffu;
    if e == 0 {
        let shift = countLeadingZeros(m) - 8u;
        return vec2<i32>(i32(m << shift), 1 - i32(shift));
    }
    return vec2<i32>(i32(m | 0x00800000u), e);
}

// C's fmod: x - n y for the integer n = trunc(x / y) taken exactly; the sign of x.
fn fmod_exact(x: f32, y: f32) -> f32 {
    let ax = bitcast<u32>(x) & 0x7fffffffu;
    let ay = bitcast<u32>(y) & 0x7fffffffu;
    if is_nan(x) || is_nan(y) || is_inf(x) || ay == 0u {
        return nan();
    }
    if ax < ay {
        return x; // |x| < |y|, also for y infinite
    }
    let px = float_parts(ax);
    let py = float_parts(ay);
    let divisor = u32(py.x);
    // r < 2 divisor throughout, so it fits in 25 bits.
    var r = u32(px.x);
    for (var e = px.y; e > py.y; e = e - 1) {
        if r >= divisor {
            r = r - divisor;
        }
        r = r << 1u;
    }
    if r >= divisor {
        r = r - divisor;
    }
    // r 2^(ey - 150) is exact: r has at most 24 bits.
    return with_sign(ldexp(f32(r), py.y - 150), x);
}

// Python's %: the remainder with the sign of the divisor (PyTorch's remainder).
fn remainder_float(x: f32, y: f32) -> f32 {
    let r = fmod_exact(x, y);
    if is_nan(r) {
        return r;
    }
    return select(r, r + y, r != 0.0 && (r < 0.0) != (y < 0.0));
}

// Python's // on floats (div with rounding_mode="floor"): (x - fmod(x, y)) / y is an integer
// up to the division's rounding, which rounding to the nearest integer removes.
fn floor_divide_float(x: f32, y: f32) -> f32 {
    if is_nan(x) || is_nan(y) {
        return nan();
    }
    let sign = (bitcast<u32>(x) ^ bitcast<u32>(y)) & 0x80000000u;
    if y == 0.0 {
        return select(bitcast<f32>(sign | 0x7f800000u), nan(), x == 0.0); // x / 0
    }
    if is_inf(x) {
        return nan();
    }
    let m = fmod_exact(x, y);
    var q = (x - m) / y;
    if m != 0.0 && (y < 0.0) != (m < 0.0) {
        q = q - 1.0;
    }
    if q == 0.0 {
        return bitcast<f32>(sign);
    }
    let f = floor(q);
    return select(f, f + 1.0, q - f > 0.5);
}

// int32 floor division and Python's remainder from WGSL's truncating / and %, which give the
// most negative value divided by -1 as itself (and remainder 0): it wraps, as on the CPU. The
// divisor is nonzero (the host checks).
fn i32_floor_adjusts(r: i32, y: i32) -> bool {
    return r != 0 && (r < 0) != (y < 0);
}

fn i32_div_floor(x: i32, y: i32) -> i32 {
    return select(x / y, x / y - 1, i32_floor_adjusts(x % y, y));
}

fn i32_remainder(x: i32, y: i32) -> i32 {
    return select(x % y, x % y + y, i32_floor_adjusts(x % y, y));
}
