// The float32 log-gamma and digamma functions, for the elementwise op table (prepended to the
// map template after math.wgsl and erf.wgsl). WGSL has neither.
//
// For x > 0 both are polynomials on a few intervals (least-squares fits with float32
// coefficients, within 2^-25 relative of the function they fit) and series in 1/x^2 for large
// x. Near the zeros in x > 0 (1 and 2 for lgamma, 1.4616 for digamma) the polynomials are
// multiplied by an exact x - 1, x - 2 or x - z (z the float32 nearest digamma's zero), so the
// results keep their relative accuracy there: for x > 0, lgamma is within 3 ulps and digamma
// within 2 ulps of the float64 functions at every float32. For x < 0 both reflect, with
// sin(pi x) and cot(pi x) as polynomials in the exact r = x - round(x), so that pi is never
// rounded into an argument. The reflection's two terms cancel near the negative zeros (one or
// two between each pair of poles), where the error is a few ulps of the terms rather than of
// the result.
//
// Shader compilers fold constants: (x - 1) - c becomes x minus one rounded constant. The shifts
// and centres here are short binary fractions, so that folding them is exact.

// ln Gamma(1 + t) / t for t in [-0.4, 0.6] (-Euler's constant at 0).
fn lgamma_near_1(t: f32) -> f32 {
    let u = t - 0.060546875;
    var p = -0.042190917;
    p = p * u + 0.07374383;
    p = p * u - 0.057569448;
    p = p * u + 0.050478857;
    p = p * u - 0.06652101;
    p = p * u + 0.083676375;
    p = p * u - 0.10099262;
    p = p * u + 0.12560438;
    p = p * u - 0.16307752;
    p = p * u + 0.22598642;
    p = p * u - 0.35574976;
    p = p * u + 0.7767489;
    p = p * u - 0.52882934;
    return p;
}

// ln Gamma(2 + s) / s for s in [-0.25, 1].
fn lgamma_near_2(s: f32) -> f32 {
    let u = s - 0.3681640625;
    var p = 1.7301543e-5;
    p = p * u - 6.408408e-5;
    p = p * u + 0.00016284827;
    p = p * u - 0.0004335304;
    p = p * u + 0.0012522949;
    p = p * u - 0.0038204053;
    p = p * u + 0.012692264;
    p = p * u - 0.049454104;
    p = p * u + 0.27999288;
    p = p * u + 0.5332842;
    return p;
}

// ln Gamma(x) for x in [1.25, 1.75], around its minimum (-0.1215 at 1.4616): no zero there.
fn lgamma_near_min(x: f32) -> f32 {
    let u = x - 1.4365234375;
    var p = 0.005780236;
    p = p * u - 0.012098689;
    p = p * u + 0.020074807;
    p = p * u - 0.035624724;
    p = p * u + 0.06891038;
    p = p * u - 0.15429097;
    p = p * u + 0.49520317;
    p = p * u - 0.024580296;
    p = p * u - 0.121178895;
    return p;
}

// ln Gamma(x) for x >= 3 by Stirling's formula: (x - 1/2)(ln x - 1) + (ln(2 pi) - 1)/2 + S / x,
// where S(1/x^2) is fitted on x >= 3 (its series, 1/12 - 1/(360 x^2) + ..., diverges). ln x - 1
// is (k ln 2 - 1) + ln m, whose first part is exact (LN2_HI has 16 bits), so nothing cancels
// near x = e. Infinite from 4.1e36 on, as on the CPU.
fn lgamma_stirling(x: f32) -> f32 {
    let parts = log_parts(x);
    let ln_x_minus_1 = (parts.x * LN2_HI - 1.0) + (parts.y + parts.x * LN2_LO);
    let z = 1.0 / (x * x); // 0 once x * x overflows
    var p = -0.00050697976;
    p = p * z + 0.00079386326;
    p = p * z - 0.002777998;
    p = p * z + 0.083333336;
    return (x - 0.5) * ln_x_minus_1 + (0.41893855 + p / x);
}

// ln Gamma(x) for a finite x > 0. Below 0.6 it is ln Gamma(1 + x) - ln x, where the logarithm is
// the larger term; x - 1 and x - 2 are exact on their intervals.
fn lgamma_positive(x: f32) -> f32 {
    if x < 0.6 {
        return x * lgamma_near_1(x) - log_accurate(x);
    }
    if x < 1.25 {
        let t = x - 1.0;
        return select(t * lgamma_near_1(t), 0.0, t == 0.0); // +0.0 at 1, not 0 times a negative
    }
    if x < 1.75 {
        return lgamma_near_min(x);
    }
    if x < 3.0 {
        let s = x - 2.0;
        return s * lgamma_near_2(s);
    }
    return lgamma_stirling(x);
}

// |x sin(pi x)| / pi for x < 0, from the exact r = |x - round(x)| <= 1/2: |x| r S(r^2) up to
// r = 1/4, S = sin(pi r) / (pi r), and |x| C(q^2) beyond, C = cos(pi q) / pi with the exact
// q = 1/2 - r. (trig.wgsl's sin of a rounded pi r, with pi's rounding and a division by pi,
// would cost lgamma up to 2 more ulps.)
fn abs_x_sin_pi_x_over_pi(x: f32) -> f32 {
    let r = abs(x - round(x));
    if r <= 0.25 {
        let z = r * r;
        var p = 0.025640003;
        p = p * z - 0.1907153;
        p = p * z + 0.8117414;
        p = p * z - 1.644934;
        p = p * z + 1.0;
        return (-x * r) * p;
    }
    let q = 0.5 - r;
    let z = q * q;
    var p = -0.0132925315;
    p = p * z - 0.4138377;
    p = p * z + 1.2914778;
    p = p * z - 1.5707904;
    p = p * z + 0.31830987;
    return -x * p;
}

// ln |Gamma(x)|, +inf at the poles (0 and the negative integers, which every float below -2^23
// is) and at both infinities.
fn lgamma_accurate(x: f32) -> f32 {
    if is_nan(x) {
        return x;
    }
    if is_subnormal(x) {
        // ln Gamma(x) = -ln |x| to float32's precision; tested first, since a GPU that
        // flushes subnormals would take x for 0, a pole.
        return -log_accurate(abs_bits(x));
    }
    if is_inf(x) || (x <= 0.0 && floor(x) == x) {
        return inf();
    }
    if x > 0.0 {
        return lgamma_positive(x);
    }
    if x > -0.4 {
        return x * lgamma_near_1(x) - log_accurate(-x); // ln Gamma(1 + x) - ln |x|, both > 0
    }
    // Reflection: |Gamma(x) Gamma(-x)| = pi / |x sin(pi x)|.
    return -log_accurate(abs_x_sin_pi_x_over_pi(x)) - lgamma_positive(-x);
}

// digamma's zero in x > 0 (1.4616321449683623) rounded to float32, minus 1.5 (exactly), and
// digamma there.
const DIGAMMA_ZERO_MINUS_1_5: f32 = -0.038367867;
const DIGAMMA_AT_ZERO: f32 = -1.2036052e-8;

// digamma(1.5 + u) for u in [-1/2, 1/2]: (u - z) P(u) + digamma(1.5 + z), z the constant above.
// u - z is exact near the zero, so the result keeps its relative accuracy there. (Not the zero as
// a float32 plus a correction: shader compilers fold (x - 1.5) - hi - lo into x minus one rounded
// constant. Folding 1.5 + z is exact.)
fn digamma_near_zero(u: f32) -> f32 {
    var p = -0.006423105;
    p = p * u + 0.009717176;
    p = p * u - 0.011975859;
    p = p * u + 0.017872935;
    p = p * u - 0.026880443;
    p = p * u + 0.040679216;
    p = p * u - 0.061937246;
    p = p * u + 0.09500057;
    p = p * u - 0.1484041;
    p = p * u + 0.24054201;
    p = p * u - 0.42362744;
    p = p * u + 0.9510559;
    return (u - DIGAMMA_ZERO_MINUS_1_5) * p + DIGAMMA_AT_ZERO;
}

// digamma(x) for x >= 2: ln x - 1/(2x) - S / x^2, where S(1/x^2) is fitted on x >= 2 (its
// series is 1/12 - 1/(120 x^2) + ...). ln x's exact part k ln 2 is added last.
fn digamma_large(x: f32) -> f32 {
    let parts = log_parts(x);
    let z = 1.0 / (x * x);
    var p = -0.0047182823;
    p = p * z + 0.0054027275;
    p = p * z - 0.0040395297;
    p = p * z + 0.003968953;
    p = p * z - 0.00833358;
    p = p * z + 0.083333336;
    return parts.x * LN2_HI + ((parts.y + parts.x * LN2_LO) - (0.5 / x + z * p));
}

// pi cot(pi r) for 0 < |r| <= 1/2, from the exact r: 1/r - r C(r^2) up to |r| = 1/4, and
// pi tan(pi q) = q T(q^2) with q = 1/2 - |r| (exact) beyond. (pi times trig.wgsl's cos / sin
// of a rounded pi r would cost up to 3 ulps where this term dominates: near the poles.)
fn cot_pi(r: f32) -> f32 {
    let a = abs(r);
    if a <= 0.25 {
        let u = r * r - 0.03125;
        var p = 2.35003;
        p = p * u + 2.2821465;
        p = p * u + 2.2353196;
        p = p * u + 2.2979512;
        p = p * u + 3.3595636;
        return 1.0 / r - r * p;
    }
    let q = 0.5 - a;
    let u = q * q - 0.02972412109375;
    var p = 397399.22;
    p = p * u + 82267.78;
    p = p * u + 17470.38;
    p = p * u + 3855.2876;
    p = p * u + 849.5926;
    p = p * u + 187.31644;
    p = p * u + 41.699795;
    p = p * u + 10.963255;
    return with_sign(q * p, r);
}

// digamma(x) = Gamma'(x) / Gamma(x), with PyTorch's values at the poles: -inf at +0, +inf at
// -0, NaN at the negative integers and -inf.
fn digamma_accurate(x: f32) -> f32 {
    if is_nan(x) {
        return x;
    }
    if is_subnormal(x) {
        // -1/x (the rest, digamma(1 + x), is below its last bit), with x scaled by 2^24 in
        // integers first: a GPU that flushes subnormals would take x for 0, a pole.
        let scaled = with_sign(f32(bitcast<u32>(x) & 0x007fffffu) * bitcast<f32>(0x01000000u), x);
        return -(1.0 / scaled) * 16777216.0;
    }
    if x == 0.0 {
        return with_sign(inf(), -x);
    }
    if x < 0.0 {
        if is_inf(x) || floor(x) == x {
            return nan();
        }
        // Reflection: digamma(x) = digamma(1 - x) - pi cot(pi x), where 1 - x is 1.5 + u with
        // the exact u = -(x + 1/2) below 2.
        var d: f32;
        if x > -1.0 {
            d = digamma_near_zero(-(x + 0.5));
        } else {
            d = digamma_large(1.0 - x);
        }
        return d - cot_pi(x - round(x));
    }
    if is_inf(x) {
        return x;
    }
    if x < 1.0 {
        return digamma_near_zero(x - 0.5) - 1.0 / x; // digamma(1 + x) - 1/x
    }
    if x < 2.0 {
        return digamma_near_zero(x - 1.5);
    }
    return digamma_large(x);
}
