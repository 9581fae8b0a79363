//! Math functions the standard library lacks or computes too slowly for a tensor kernel:
//! a vectorisable float32 `exp` and `tanh`, `erfinv` and `digamma`.

/// `e^x` for float32 without a library call, so loops over it vectorise.
///
/// Cody-Waite range reduction `x = n ln2 + r` with |r| <= ln2/2, a degree-7 Taylor polynomial
/// for `e^r` (truncation error below 1e-8, under float32's half ulp), and `2^n` built from
/// exponent bits in two halves so that results reaching the subnormal range are still right.
/// Branch-free: NaN flows through the arithmetic, ±inf are clamped into range first.
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    // ln 2 split so that n * LN2_HI is exact for |n| < 2^10.
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // Adding then subtracting 1.5 * 2^23 rounds to the nearest integer (ties to even) with
    // plain adds, which vectorise on every x86 level, unlike `round`.
    const ROUNDER: f32 = 12_582_912.0;
    let xc = x.clamp(-104.0, 89.0);
    let shifted = xc * LOG2E + ROUNDER;
    let n = shifted - ROUNDER;
    // The integer n sits in the low mantissa bits of `shifted`: reading it from the bits (not
    // with an `as` cast, which saturates and does not vectorise) keeps the loop in SIMD.
    let ni = shifted.to_bits() as i32 - ROUNDER.to_bits() as i32;
    let r = (xc - n * LN2_HI) - n * LN2_LO;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0
                    + r * (1.0 / 24.0
                        + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0)))))));
    let n1 = ni >> 1;
    let n2 = ni - n1;
    let s1 = f32::from_bits(((n1 + 127) as u32) << 23);
    let s2 = f32::from_bits(((n2 + 127) as u32) << 23);
    p * s1 * s2
}

/// `tanh(x)` for float32 without a library call, so loops over it vectorise (the library's
/// `tanhf` is a call per element, about ten times slower than `exp_f32`; LSTM and GRU steps
/// spend most of their elementwise time in it). Below 0.625 in magnitude an odd polynomial
/// (Cephes' coefficients for `tanhf`); above, `1 - 2 / (e^{2|x|} + 1)` with the sign put back,
/// where the subtraction no longer cancels. Within 3 ulp; branch-free, so NaN flows through
/// the second formula and ±inf give ±1.
#[inline(always)]
pub fn tanh_f32(x: f32) -> f32 {
    let ax = x.abs();
    let z = x * x;
    let small =
        (((((-5.704_988_7e-3 * z + 2.063_909e-2) * z - 5.373_971_6e-2) * z + 1.333_144_2e-1) * z
            - 3.333_328e-1)
            * z
            * x
            + x)
            // The sum loses the sign of -0.0; tanh is odd, so the sign is x's.
            .copysign(x);
    // tanh(10) rounds to 1 in float32: clamping there keeps e finite (a comparison, not
    // `min`, so NaN stays NaN).
    let clamped = if ax > 10.0 { 10.0 } else { ax };
    let e = exp_f32(2.0 * clamped);
    let big = (1.0 - 2.0 / (e + 1.0)).copysign(x);
    if ax < 0.625 {
        small
    } else {
        big
    }
}

/// The inverse error function. An initial guess from Giles' published polynomial
/// approximations ("Approximating the erfinv function", 2010), refined by two Newton steps on
/// `erf(x) - y`, which brings it to double precision.
pub fn erfinv(y: f64) -> f64 {
    if y.is_nan() || !(-1.0..=1.0).contains(&y) {
        return f64::NAN;
    }
    if y == 1.0 {
        return f64::INFINITY;
    }
    if y == -1.0 {
        return f64::NEG_INFINITY;
    }
    let w = -((1.0 - y) * (1.0 + y)).ln();
    let p = if w < 5.0 {
        let w = w - 2.5;
        [
            3.432_739_39e-7,
            -3.523_387_7e-6,
            -4.391_506_54e-6,
            2.185_808_7e-4,
            -1.253_725_03e-3,
            -4.177_681_64e-3,
            2.466_407_27e-1,
            1.501_409_41,
        ]
        .iter()
        .fold(2.810_226_36e-8, |p, c| c + p * w)
    } else {
        let w = w.sqrt() - 3.0;
        [
            1.009_505_58e-4,
            1.349_343_22e-3,
            -3.673_428_44e-3,
            5.739_507_73e-3,
            -7.622_461_3e-3,
            9.438_870_47e-3,
            1.001_674_06,
            2.832_976_82,
        ]
        .iter()
        .fold(-2.002_142_57e-4, |p, c| c + p * w)
    };
    let mut x = p * y;
    let two_over_sqrt_pi = std::f64::consts::FRAC_2_SQRT_PI;
    for _ in 0..2 {
        let slope = two_over_sqrt_pi * (-x * x).exp();
        if slope == 0.0 {
            break;
        }
        x -= (libm::erf(x) - y) / slope;
    }
    x
}

/// The digamma function ψ(x) = Γ'(x)/Γ(x), with PyTorch's values at the poles: ψ(±0) = ∓inf,
/// NaN at the negative integers.
pub fn digamma(mut x: f64) -> f64 {
    if x == 0.0 {
        return f64::INFINITY.copysign(-x);
    }
    if x < 0.0 {
        if x == x.floor() {
            return f64::NAN;
        }
        // Reflection: ψ(x) = ψ(1 - x) - π / tan(π x).
        let pi = std::f64::consts::PI;
        return digamma(1.0 - x) - pi / (pi * x).tan();
    }
    // Recurrence ψ(x) = ψ(x + 1) - 1/x until the asymptotic series is accurate.
    let mut result = 0.0;
    while x < 10.0 {
        result -= 1.0 / x;
        x += 1.0;
    }
    // ψ(x) ~ ln x - 1/(2x) - Σ B_2k / (2k x^2k).
    let inv2 = 1.0 / (x * x);
    let series = [
        1.0 / 12.0,
        -1.0 / 120.0,
        1.0 / 252.0,
        -1.0 / 240.0,
        1.0 / 132.0,
        -691.0 / 32760.0,
        1.0 / 12.0,
    ]
    .iter()
    .rev()
    .fold(0.0, |acc, c| (acc + c) * inv2);
    result + x.ln() - 0.5 / x - series
}

/// acosh, NaN below 1: the libm crate answers x <= -2 as if it were |x| (its range test reads
/// the magnitude's bits), where C and PyTorch give NaN.
pub fn acosh_f32(x: f32) -> f32 {
    if x < 1.0 {
        f32::NAN
    } else {
        libm::acoshf(x)
    }
}

/// acosh on float64, NaN below 1 (see `acosh_f32`).
pub fn acosh_f64(x: f64) -> f64 {
    if x < 1.0 {
        f64::NAN
    } else {
        libm::acosh(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_exp_is_within_two_ulps() {
        let mut x = -103.0f32;
        while x < 88.7 {
            let want = (x as f64).exp();
            let got = exp_f32(x) as f64;
            let ulp = f32::EPSILON as f64 * want.max(f32::MIN_POSITIVE as f64);
            assert!(
                (got - want).abs() <= 2.0 * ulp,
                "exp({x}) = {got}, want {want}"
            );
            x += 0.0137;
        }
        assert_eq!(exp_f32(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp_f32(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp_f32(0.0), 1.0);
        assert!(exp_f32(f32::NAN).is_nan());
        assert_eq!(exp_f32(89.0), f32::INFINITY);
    }

    #[test]
    fn fast_tanh_is_within_three_ulps() {
        let mut x = -12.0f32;
        while x < 12.0 {
            let want = (x as f64).tanh();
            let got = tanh_f32(x) as f64;
            let ulp = f32::EPSILON as f64 * want.abs().max(f32::MIN_POSITIVE as f64);
            assert!(
                (got - want).abs() <= 3.0 * ulp,
                "tanh({x}) = {got}, want {want}"
            );
            x += 0.000_731;
        }
        // Below 2^-12 in magnitude, tanh(x) rounds to x itself in float32.
        for tiny in [1e-30f32, -3e-8, 2e-4] {
            assert_eq!(tanh_f32(tiny), tiny);
        }
        assert_eq!(tanh_f32(f32::INFINITY), 1.0);
        assert_eq!(tanh_f32(f32::NEG_INFINITY), -1.0);
        assert_eq!(tanh_f32(0.0).to_bits(), 0.0f32.to_bits());
        assert_eq!(tanh_f32(-0.0).to_bits(), (-0.0f32).to_bits());
        assert!(tanh_f32(f32::NAN).is_nan());
    }

    #[test]
    fn erfinv_inverts_erf() {
        for &y in &[-0.999_999, -0.9, -0.3, 0.0, 1e-10, 0.5, 0.97, 0.999_999_9] {
            let x = erfinv(y);
            assert!((libm::erf(x) - y).abs() < 1e-15, "erfinv({y}) = {x}");
        }
        assert_eq!(erfinv(1.0), f64::INFINITY);
        assert!(erfinv(1.5).is_nan());
    }

    #[test]
    fn digamma_known_values() {
        // ψ(1) = -γ, ψ(1/2) = -γ - 2 ln 2, ψ(-1.5) = ψ(2.5) - π/tan(-1.5π) = 0.7031566...
        let gamma = 0.577_215_664_901_532_9;
        assert!((digamma(1.0) + gamma).abs() < 1e-14);
        assert!((digamma(0.5) + gamma + 2.0 * 2f64.ln()).abs() < 1e-14);
        assert!((digamma(-1.5) - 0.703_156_640_645_243_2).abs() < 1e-13);
        assert_eq!(digamma(0.0), f64::NEG_INFINITY);
        assert_eq!(digamma(-0.0), f64::INFINITY);
        assert!(digamma(-2.0).is_nan());
    }
}
