// Float32 functions with PyTorch's accuracy and special values, for the elementwise op table
// (prepended to the map template after float.wgsl).
//
// WGSL's built-ins are not enough: Vulkan allows exp an error of 3 + 2|x| ulps, gives log
// only an absolute bound near 1 (so log(1 + tiny) has no correct digit) and leaves it
// undefined below 0, and drivers compute tanh from exp, losing every digit near 0. These
// reduce the argument exactly and evaluate short series, to within a few ulps everywhere.
// Infinities are tested by their bits, like NaN: WGSL lets compilers assume there are none.

const LN2_HI: f32 = 0.693145751953125; // ln 2 to 16 bits: k * LN2_HI is exact for |k| < 256
const LN2_LO: f32 = 1.428606765330187e-6; // ln 2 - LN2_HI
const INV_LN2: f32 = 1.4426950408889634;
const LOG10_2_HI: f32 = 0.301025390625; // log10(2) to 16 bits, as LN2_HI
const LOG10_2_LO: f32 = 4.605038981198018e-6;
const INV_LN10: f32 = 0.4342944819032518;

fn inf() -> f32 {
    return bitcast<f32>(0x7f800000u);
}

fn is_inf(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u;
}

// |x| with the sign of s (by bits: also for zeros and NaN).
fn with_sign(x: f32, s: f32) -> f32 {
    return bitcast<f32>((bitcast<u32>(x) & 0x7fffffffu) | (bitcast<u32>(s) & 0x80000000u));
}

// x * 2^k for k in [-300, 300], in two steps so that no intermediate power overflows.
fn scale2(x: f32, k: i32) -> f32 {
    let half = k / 2;
    return ldexp(ldexp(x, half), k - half);
}

// e^r for |r| <= ln(2) / 2: Taylor to degree 8 (the remainder is below 2^-30 relative).
fn exp_reduced(r: f32) -> f32 {
    var p = 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    return p * r + 1.0;
}

// e^x 2^j for |x| < 180, with no intermediate overflow. Cody and Waite's reduction: both
// products with k are exact, so r is x - k ln 2 to 2^-40.
fn exp_scaled(x: f32, j: i32) -> f32 {
    let k = round(x * INV_LN2);
    let r = (x - k * LN2_HI) - k * LN2_LO;
    return scale2(exp_reduced(r), i32(k) + j);
}

fn exp_accurate(x: f32) -> f32 {
    if is_nan(x) {
        return x;
    }
    if x > 88.72284 {
        return inf();
    }
    if x < -103.97208 {
        return 0.0;
    }
    return exp_scaled(x, 0);
}

// 2^x: the integer part is split off exactly, so the error does not grow with |x|.
fn exp2_accurate(x: f32) -> f32 {
    if is_nan(x) {
        return x;
    }
    if x >= 128.0 {
        return inf();
    }
    if x < -150.0 {
        return 0.0;
    }
    let k = round(x);
    return scale2(exp_reduced((x - k) * LN2_HI + (x - k) * LN2_LO), i32(k));
}

// ln(1 + f) for f in [sqrt(1/2) - 1, sqrt(2) - 1], from the series in s = f / (2 + f):
// ln(1 + f) = 2s + 2s^3/3 + 2s^5/5 + ..., arranged as fdlibm does so that the leading term
// f is added last. |s| < 0.172, so the terms after s^11 are below 2^-30 relative.
fn log1p_reduced(f: f32) -> f32 {
    let s = f / (2.0 + f);
    let z = s * s;
    let r = z * (2.0 / 3.0 + z * (2.0 / 5.0 + z * (2.0 / 7.0 + z * (2.0 / 9.0 + z * (2.0 / 11.0)))));
    let half_f2 = 0.5 * f * f;
    return f - (half_f2 - s * (half_f2 + r));
}

// Every logarithm's result where x is not finite and positive: NaN below 0 (WGSL leaves
// its log undefined there), -inf at 0, inf at inf. Tested on the bits: a GPU that flushes
// subnormals to zero (NVIDIA's) would take a subnormal x for 0, and -1e-40 for -0.
fn log_is_special(x: f32) -> bool {
    let bits = bitcast<u32>(x);
    return bits == 0u || bits >= 0x7f800000u; // +0, inf, NaN, and every negative (-0 too)
}

fn log_special(x: f32) -> f32 {
    let bits = bitcast<u32>(x);
    if (bits & 0x7fffffffu) == 0u {
        return -inf();
    }
    return select(nan(), x, bits == 0x7f800000u);
}

// (k, ln m) with x = m 2^k and m in [sqrt(1/2), sqrt(2)), for a finite x > 0. k is exact, so
// log2 of a power of two is too. A subnormal's mantissa is normalised in integers, since a GPU
// that flushes subnormals would read the float as 0.
fn log_parts(x: f32) -> vec2<f32> {
    let bits = bitcast<u32>(x);
    var biased = i32(bits >> 23u);
    var fraction = bits & 0x007fffffu;
    if biased == 0 {
        let shift = countLeadingZeros(fraction) - 8u; // the leading 1 moves to bit 23
        fraction = (fraction << shift) & 0x007fffffu;
        biased = 1 - i32(shift);
    }
    var k = biased - 127;
    var m = bitcast<f32>(fraction | 0x3f800000u);
    if m > 1.4142135 {
        m = m * 0.5;
        k = k + 1;
    }
    return vec2<f32>(f32(k), log1p_reduced(m - 1.0));
}

fn log_accurate(x: f32) -> f32 {
    if log_is_special(x) {
        return log_special(x);
    }
    let p = log_parts(x);
    return p.x * LN2_HI + (p.y + p.x * LN2_LO);
}

fn log2_accurate(x: f32) -> f32 {
    if log_is_special(x) {
        return log_special(x);
    }
    let p = log_parts(x);
    return p.x + p.y * INV_LN2;
}

fn log10_accurate(x: f32) -> f32 {
    if log_is_special(x) {
        return log_special(x);
    }
    let p = log_parts(x);
    return p.x * LOG10_2_HI + (p.y * INV_LN10 + p.x * LOG10_2_LO);
}

// ln(1 + x): near 0 straight from the series, so 1 + x is never rounded. (Goldberg's
// ln(u) x / (u - 1) with u = 1 + x needs u - 1 computed exactly, and GPU compilers
// simplify it to x.) Elsewhere rounding 1 + x costs under an ulp of the result.
fn log1p_accurate(x: f32) -> f32 {
    if is_nan(x) {
        return x;
    }
    if x >= -0.29289323 && x <= 0.41421354 {
        return log1p_reduced(x); // keeps -0.0
    }
    return log_accurate(1.0 + x);
}

// e^x - 1 = (u - 1) x / ln(u) with u = e^x rounded (Kahan's method): u - 1 is exact, and
// the quotient corrects the rounding of u, given an accurate ln.
fn expm1_accurate(x: f32) -> f32 {
    if is_nan(x) {
        return x;
    }
    if x > 88.0 {
        return exp_accurate(x);
    }
    if x < -17.0 {
        return -1.0; // e^x is below half an ulp of 1
    }
    let u = exp_accurate(x);
    if u == 1.0 {
        return x;
    }
    let um1 = u - 1.0;
    return um1 * (x / log_accurate(u));
}

fn sigmoid_accurate(x: f32) -> f32 {
    return 1.0 / (1.0 + exp_accurate(-x));
}

fn tanh_accurate(x: f32) -> f32 {
    if is_nan(x) {
        return x;
    }
    let a = abs(x);
    if a > 10.0 {
        return with_sign(1.0, x); // 1 - tanh(10) is below half an ulp of 1
    }
    let e = expm1_accurate(2.0 * a);
    return with_sign(e / (e + 2.0), x);
}

fn sinh_accurate(x: f32) -> f32 {
    if is_nan(x) {
        return x;
    }
    let a = abs(x);
    if a > 80.0 {
        // e^a / 2, without e^a overflowing first.
        return with_sign(select(exp_scaled(a, -1), inf(), a > 90.0), x);
    }
    // expm1(a) - expm1(-a): the terms have opposite signs, so nothing cancels near 0.
    return with_sign(0.5 * (expm1_accurate(a) - expm1_accurate(-a)), x);
}

fn cosh_accurate(x: f32) -> f32 {
    if is_nan(x) {
        return x;
    }
    let a = abs(x);
    if a > 80.0 {
        return select(exp_scaled(a, -1), inf(), a > 90.0);
    }
    let e = exp_accurate(a);
    return 0.5 * (e + 1.0 / e);
}

// The inverse hyperbolic functions, from their logarithms, arranged so that nothing cancels:
// log1p near the small end, and ln(2a) = ln a + ln 2 where a^2 would overflow.
fn asinh_accurate(x: f32) -> f32 {
    if is_nan(x) {
        return x;
    }
    let a = abs(x);
    var r: f32;
    if a > 4096.0 {
        r = log_accurate(a) + LN2_HI + LN2_LO; // 1 / a^2 is below half an ulp there
    } else if a >= 2.0 {
        r = log_accurate(2.0 * a + 1.0 / (sqrt(a * a + 1.0) + a));
    } else {
        let a2 = a * a;
        r = log1p_accurate(a + a2 / (1.0 + sqrt(1.0 + a2)));
    }
    return with_sign(r, x);
}

fn acosh_accurate(x: f32) -> f32 {
    if is_nan(x) || x < 1.0 {
        return nan();
    }
    if x > 4096.0 {
        return log_accurate(x) + LN2_HI + LN2_LO;
    }
    if x >= 2.0 {
        return log_accurate(2.0 * x - 1.0 / (x + sqrt(x * x - 1.0)));
    }
    let t = x - 1.0; // exact
    return log1p_accurate(t + sqrt(2.0 * t + t * t));
}

fn atanh_accurate(x: f32) -> f32 {
    if is_nan(x) || abs(x) > 1.0 {
        return nan();
    }
    let a = abs(x);
    if a == 1.0 {
        return with_sign(inf(), x);
    }
    // 1 - a is exact from 0.5 on; below, the quotient's rounding is damped by a.
    let r = select(0.5 * log1p_accurate(2.0 * a / (1.0 - a)), 0.5 * log1p_accurate(2.0 * a + 2.0 * a * a / (1.0 - a)), a < 0.5);
    return with_sign(r, x);
}

// |x|^n for an integer n >= 0, by repeated squaring (exact up to the products' roundings).
fn pow_int(x: f32, n: u32) -> f32 {
    var base = x;
    var result = 1.0;
    var rest = n;
    loop {
        if rest == 0u {
            break;
        }
        if (rest & 1u) == 1u {
            result = result * base;
        }
        base = base * base;
        rest = rest >> 1u;
    }
    return result;
}

// C's pow, which PyTorch's is: special cases of zero, one, NaN and infinities included.
fn pow_accurate(x: f32, y: f32) -> f32 {
    if y == 0.0 || x == 1.0 {
        return 1.0; // even for NaN
    }
    if is_nan(x) || is_nan(y) {
        return nan();
    }
    let ax = abs(x);
    let y_is_int = is_inf(y) || trunc(y) == y;
    let odd = y_is_int && !is_inf(y) && abs(y) < 16777216.0 && (i32(trunc(abs(y))) & 1) == 1;
    if x < 0.0 && !is_inf(x) && !y_is_int {
        return nan();
    }
    if is_inf(y) {
        if ax == 1.0 {
            return 1.0;
        }
        return select(0.0, inf(), (ax > 1.0) == (y > 0.0));
    }
    var magnitude: f32;
    if ax == 0.0 || is_inf(x) {
        magnitude = select(0.0, inf(), (ax == 0.0) == (y < 0.0));
    } else {
        magnitude = exp_accurate(y * log_accurate(ax));
        if y_is_int && abs(y) <= 64.0 {
            // Exact up to the products' roundings, unless |x|^|y| leaves the float range
            // while |x|^y does not (a negative y).
            let p = pow_int(ax, u32(abs(y)));
            if y > 0.0 {
                magnitude = p;
            } else if p != 0.0 && !is_inf(p) {
                magnitude = 1.0 / p;
            }
        }
    }
    // A negative base (or -0.0) keeps its sign under an odd integer power.
    return select(magnitude, with_sign(magnitude, x), odd);
}
