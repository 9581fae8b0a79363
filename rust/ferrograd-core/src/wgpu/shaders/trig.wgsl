// Float32 trigonometric functions and their inverses, atan2 and hypot, for the elementwise op
// table (prepended to the map template after math.wgsl and int64.wgsl).
//
// WGSL's sin and cos have only an absolute error bound, and only on [-pi, pi]: beyond it they
// may return anything. sin_accurate and friends reduce the argument exactly in integer
// arithmetic (Payne and Hanek's method: x times 2/pi, keeping only the bits that matter), so
// sin(1e30) is as good as sin(1), then evaluate Taylor series on [-pi/4, pi/4].

// pi, pi/2 and pi/4 as a float32 plus the float32 nearest to the rest: HI + LO is exact to
// 2^-48 relative, so a result near them keeps its digits.
const PI_HI: f32 = 3.1415927410125732;
const PI_LO: f32 = -8.742277657347586e-08;
const PI2_HI: f32 = 1.5707963705062866;
const PI2_LO: f32 = -4.371138828673793e-08;
const PI4_HI: f32 = 0.7853981852531433;
const PI4_LO: f32 = -2.1855694143368964e-08;

// 32 bits of the binary fraction of 2/pi = 0.101000101111100110000011... starting after bit
// `start` (so start 0 gives the first 32); bits before the point count as zeros, which is
// what a negative start reads. 224 bits reach every float32 (its exponent is at most 127).
fn bits_of_two_over_pi(start: i32) -> u32 {
    var words = array<u32, 9>(
        0xa2f9836eu, 0x4e441529u, 0xfc2757d1u, 0xf534ddc0u,
        0xdb629599u, 0x3c439041u, 0xfe5163abu, 0xdebbc561u, 0u
    );
    let word = start >> 5u; // floor(start / 32), also below zero
    let shift = u32(start & 31);
    let high = select(0u, words[min(word, 8)], word >= 0);
    let low = select(0u, words[min(word + 1, 8)], word + 1 >= 0);
    if shift == 0u {
        return high;
    }
    return (high << shift) | (low >> (32u - shift));
}

// (quadrant, r) with |x| = quadrant pi/2 + r (mod 2 pi) and |r| <= pi/4, for a finite
// |x| >= pi/4. |x| = m 2^(e-23) with m a 24-bit integer; |x| 2/pi mod 4 needs only the 96 bits
// of 2/pi from bit e - 25 on: earlier bits add multiples of 4, later ones less than 2^-94. Their
// product with m is exact, in three words: two bits of quadrant, then 94 of fraction.
fn reduce_quarter_turns(x: f32) -> vec2<f32> {
    let bits = bitcast<u32>(x) & 0x7fffffffu;
    let e = i32(bits >> 23u) - 127;
    let m = (bits & 0x007fffffu) | 0x00800000u;
    let start = e - 25;
    let low = u32_mul_wide(m, bits_of_two_over_pi(start + 64));
    let mid = u32_mul_wide(m, bits_of_two_over_pi(start + 32));
    let w2 = low.x;
    let w1 = low.y + mid.x;
    let w0 = mid.y + m * bits_of_two_over_pi(start) + select(0u, 1u, w1 < mid.x);
    var quadrant = w0 >> 30u;
    // The fraction's first 64 bits; one of half a turn or more rounds up to the next quadrant,
    // leaving a negative fraction (two's complement).
    var f_hi = (w0 << 2u) | (w1 >> 30u);
    var f_lo = (w1 << 2u) | (w2 >> 30u);
    let negative = f_hi >= 0x80000000u;
    if negative {
        quadrant = quadrant + 1u;
        f_hi = ~f_hi;
        f_lo = ~f_lo + 1u;
        f_hi = f_hi + select(0u, 1u, f_lo == 0u);
    }
    // Normalise, then multiply by pi/2 (as 0xc90fdaa2 / 2^31) and round to 24 bits once.
    var shift = 0u;
    if f_hi == 0u {
        f_hi = f_lo;
        f_lo = 0u;
        shift = 32u;
    }
    let lz = countLeadingZeros(f_hi);
    if lz > 0u {
        f_hi = (f_hi << lz) | (f_lo >> (32u - lz));
    }
    shift = shift + lz;
    let product = u32_mul_wide(f_hi, 0xc90fdaa2u);
    let drop = 8u - countLeadingZeros(product.y); // keep the top 24 of the high word
    var mantissa = product.y >> drop;
    let rest = product.y & ((1u << drop) - 1u);
    let half = 1u << (drop - 1u);
    if rest > half || (rest == half && (product.x != 0u || (mantissa & 1u) == 1u)) {
        mantissa = mantissa + 1u;
    }
    // The fraction was f_hi 2^-(32 + shift) quarter turns, so r is product 2^-(63 + shift).
    let r = ldexp(f32(mantissa), i32(drop) - 31 - i32(shift));
    return vec2<f32>(f32(quadrant & 3u), select(r, -r, negative));
}

// sin r and cos r for |r| <= pi/4: Taylor to degree 11 and 12 (the remainders are below
// 2^-30 relative).
fn sin_reduced(r: f32) -> f32 {
    if r == 0.0 {
        return r; // -0.0 stays -0.0 (the series' rounding would add +0.0 to it)
    }
    let z = r * r;
    let p = -1.0 / 6.0 + z * (1.0 / 120.0 + z * (-1.0 / 5040.0 + z * (1.0 / 362880.0 + z * (-1.0 / 39916800.0))));
    return r + r * z * p;
}

fn cos_reduced(r: f32) -> f32 {
    let z = r * r;
    let p = 1.0 / 24.0 + z * (-1.0 / 720.0 + z * (1.0 / 40320.0 + z * (-1.0 / 3628800.0 + z * (1.0 / 479001600.0))));
    return (1.0 - 0.5 * z) + z * z * p;
}

// sin, cos and tan below pi/4 need no reduction (and keep -0.0); beyond, they are those of
// the quadrant's r, with the signs of |x|'s quadrant and of x.
fn sin_accurate(x: f32) -> f32 {
    if is_nan(x) || is_inf(x) {
        return nan();
    }
    if abs(x) <= PI4_HI {
        return sin_reduced(x);
    }
    let t = reduce_quarter_turns(x);
    let q = u32(t.x);
    let v = select(sin_reduced(t.y), cos_reduced(t.y), (q & 1u) == 1u);
    return select(v, -v, (q >= 2u) != (x < 0.0));
}

fn cos_accurate(x: f32) -> f32 {
    if is_nan(x) || is_inf(x) {
        return nan();
    }
    if abs(x) <= PI4_HI {
        return cos_reduced(x);
    }
    let t = reduce_quarter_turns(x);
    let q = u32(t.x);
    let v = select(cos_reduced(t.y), sin_reduced(t.y), (q & 1u) == 1u);
    return select(v, -v, q == 1u || q == 2u);
}

fn tan_accurate(x: f32) -> f32 {
    if is_nan(x) || is_inf(x) {
        return nan();
    }
    if abs(x) <= PI4_HI {
        return sin_reduced(x) / cos_reduced(x);
    }
    let t = reduce_quarter_turns(x);
    let s = sin_reduced(t.y);
    let c = cos_reduced(t.y);
    let v = select(s / c, -c / s, (u32(t.x) & 1u) == 1u);
    return select(v, -v, x < 0.0);
}

// atan t for |t| <= tan(pi/8): the series t - t^3/3 + t^5/5 ... to t^21 (the rest is below
// 2^-30 relative).
fn atan_series(t: f32) -> f32 {
    let z = t * t;
    var p = -1.0 / 21.0;
    p = p * z + 1.0 / 19.0;
    p = p * z - 1.0 / 17.0;
    p = p * z + 1.0 / 15.0;
    p = p * z - 1.0 / 13.0;
    p = p * z + 1.0 / 11.0;
    p = p * z - 1.0 / 9.0;
    p = p * z + 1.0 / 7.0;
    p = p * z - 1.0 / 5.0;
    p = p * z + 1.0 / 3.0;
    return t - t * z * p;
}

// atan |x| in three ranges: directly below tan(pi/8); pi/4 + atan((a - 1) / (a + 1)) up to
// tan(3 pi/8); pi/2 - atan(1/a) beyond (1/inf is 0, so inf gives pi/2).
fn atan_accurate(x: f32) -> f32 {
    if is_nan(x) {
        return x;
    }
    let a = abs(x);
    var r: f32;
    if a <= 0.41421356 {
        r = atan_series(a);
    } else if a <= 2.4142137 {
        r = PI4_HI + (atan_series((a - 1.0) / (a + 1.0)) + PI4_LO);
    } else {
        r = PI2_HI + (PI2_LO - atan_series(1.0 / a));
    }
    return with_sign(r, x);
}

// asin t for |t| <= sqrt(1/2): the series t + t^3/6 + 3t^5/40 + ... to t^45 (the rest is
// below 2^-30 relative).
fn asin_series(t: f32) -> f32 {
    let z = t * t;
    var p = 0.0026578706382072899;
    p = p * z + 0.0028461784011089422;
    p = p * z + 0.0030578216492580307;
    p = p * z + 0.0032970595034734847;
    p = p * z + 0.0035692053938259345;
    p = p * z + 0.0038809645588376692;
    p = p * z + 0.0042409070936793631;
    p = p * z + 0.0046601434869150962;
    p = p * z + 0.0051533096823199042;
    p = p * z + 0.0057400376708419235;
    p = p * z + 0.0064472103118896484;
    p = p * z + 0.0073125258735988451;
    p = p * z + 0.0083903358096168155;
    p = p * z + 0.0097616095291940789;
    p = p * z + 0.011551800896139706;
    p = p * z + 0.01396484375;
    p = p * z + 0.017352764423076923;
    p = p * z + 0.022372159090909091;
    p = p * z + 0.030381944444444444;
    p = p * z + 0.044642857142857143;
    p = p * z + 0.075;
    p = p * z + 0.16666666666666667;
    return t + t * z * p;
}

// asin of |x| in [sqrt(1/2), 1]: pi/2 - 2 asin(sqrt((1 - |x|) / 2)), whose 1 - |x| is exact.
fn asin_of_large(a: f32) -> f32 {
    return PI2_HI - (2.0 * asin_series(sqrt(0.5 * (1.0 - a))) - PI2_LO);
}

fn asin_accurate(x: f32) -> f32 {
    if is_nan(x) || abs(x) > 1.0 {
        return nan();
    }
    let a = abs(x);
    return with_sign(select(asin_series(a), asin_of_large(a), a > 0.70710678), x);
}

fn acos_accurate(x: f32) -> f32 {
    if is_nan(x) || abs(x) > 1.0 {
        return nan();
    }
    if x > 0.70710678 {
        return 2.0 * asin_series(sqrt(0.5 * (1.0 - x)));
    }
    if x < -0.70710678 {
        return PI_HI - (2.0 * asin_series(sqrt(0.5 * (1.0 + x))) - PI_LO);
    }
    return PI2_HI - (asin_series(x) - PI2_LO);
}

// C's atan2: the angle of the point (x, y), in (-pi, pi], with C's signed zeros and
// infinities. The ratio taken is at most 1, so it never overflows.
fn atan2_accurate(y: f32, x: f32) -> f32 {
    if is_nan(x) || is_nan(y) {
        return nan();
    }
    let ax = abs(x);
    let ay = abs(y);
    var a: f32;
    if is_inf(ax) && is_inf(ay) {
        a = PI4_HI;
    } else if ay > ax {
        a = PI2_HI - (atan_accurate(ax / ay) - PI2_LO);
    } else if ay == 0.0 {
        a = 0.0;
    } else {
        a = atan_accurate(ay / ax);
    }
    if (bitcast<u32>(x) >> 31u) == 1u {
        a = PI_HI - (a - PI_LO); // the left half-plane, -0.0 included
    }
    return with_sign(a, y);
}

// sqrt(x^2 + y^2) without overflow or underflow in the squares; infinite if either is, even
// with a NaN (C's hypot).
fn hypot_accurate(x: f32, y: f32) -> f32 {
    let ax = abs(x);
    let ay = abs(y);
    if is_inf(ax) || is_inf(ay) {
        return inf();
    }
    if is_nan(x) || is_nan(y) {
        return nan();
    }
    let big = max(ax, ay);
    if big == 0.0 {
        return 0.0;
    }
    let r = min(ax, ay) / big;
    return big * sqrt(1.0 + r * r);
}
