//! One-lane replicas of `log256_ps` and `sincos256_ps` from PyTorch's `avx_mathfun.h` (the
//! Cephes-derived polynomials its AVX2 normal fill uses), including the multiply-adds GCC fuses.
//!
//! Every AVX operation there is lane-wise, so evaluating one float at a time with the same
//! IEEE operations gives the same bits. GCC compiles the intrinsics with `-ffp-contract=fast`:
//! a product whose only use is an addition or subtraction becomes a fused multiply-add, the
//! first such product winning when two feed one sum. The `mul_add` calls below are exactly
//! those fusions; every other product and sum rounds on its own.

// Float constants that C defines from double literals: each is written here as the same f64
// (shortest spelling) and rounded to f32 the way the C initialiser does.
const SQRTHF: f32 = std::f64::consts::FRAC_1_SQRT_2 as f32;
const LOG_P: [f32; 9] = [
    7.0376836292E-2_f64 as f32,
    -1.1514610310E-1_f64 as f32,
    1.1676998740E-1_f64 as f32,
    -1.2420140846E-1_f64 as f32,
    1.4249322787E-1_f64 as f32,
    -1.6668057665E-1_f64 as f32,
    2.0000714765E-1_f64 as f32,
    -2.4999993993E-1_f64 as f32,
    3.3333331174E-1_f64 as f32,
];
const LOG_Q1: f32 = -2.12194440e-4_f64 as f32;
const LOG_Q2: f32 = 0.693359375_f64 as f32;
const MIN_NORM_POS: f32 = f32::MIN_POSITIVE;

const MINUS_DP1: f32 = -0.78515625_f64 as f32;
const MINUS_DP2: f32 = -2.418_756_484_985_351_6e-4_f64 as f32;
const MINUS_DP3: f32 = -3.774_894_977_445_941e-8_f64 as f32;
const SIN_P: [f32; 3] = [
    -1.9515295891E-4_f64 as f32,
    8.3321608736E-3_f64 as f32,
    -1.6666654611E-1_f64 as f32,
];
const COS_P: [f32; 3] = [
    2.443315711809948E-005_f64 as f32,
    -1.388731625493765E-003_f64 as f32,
    4.166664568298827E-002_f64 as f32,
];
const FOPI: f32 = 1.27323954473516_f64 as f32; // 4 / pi

const SIGN: u32 = 0x8000_0000;

/// Natural log of a positive float, as `log256_ps` computes it (NaN for `x <= 0`).
pub(crate) fn log_ps(x: f32) -> f32 {
    let invalid = x <= 0.0;
    // `_mm256_max_ps(x, min)` returns the second operand unless the first is larger.
    let x = if x > MIN_NORM_POS { x } else { MIN_NORM_POS };
    let bits = x.to_bits();
    let exponent = (bits >> 23) as i32 - 0x7f;
    // Mantissa with the exponent of 0.5: x = m * 2^(exponent + 1), m in [0.5, 1).
    let mut m = f32::from_bits((bits & !0x7f80_0000) | 0.5f32.to_bits());
    let mut e = exponent as f32 + 1.0;
    let below = m < SQRTHF;
    let tmp = if below { m } else { 0.0 };
    m -= 1.0;
    e -= if below { 1.0 } else { 0.0 };
    m += tmp;
    let z = m * m;
    let mut y = LOG_P[0];
    for &p in &LOG_P[1..] {
        y = y.mul_add(m, p);
    }
    y *= m;
    y = y.mul_add(z, e * LOG_Q1);
    y = (-z).mul_add(0.5, y);
    let r = e.mul_add(LOG_Q2, m + y);
    if invalid {
        f32::from_bits(u32::MAX)
    } else {
        r
    }
}

/// `(sin x, cos x)` as `sincos256_ps` computes them.
pub(crate) fn sincos_ps(x: f32) -> (f32, f32) {
    let sign_in = x.to_bits() & SIGN;
    let xa = f32::from_bits(x.to_bits() & !SIGN);
    // Octant index j = (trunc(|x| * 4/pi) + 1) & !1; `as i32` saturates where the AVX
    // conversion would give i32::MIN, which only matters for |x| >= 2^31, far outside use.
    let j = ((xa * FOPI) as i32).wrapping_add(1) & !1;
    let jf = j as f32;
    let swap_sign_sin = ((j & 4) as u32) << 29;
    let sin_poly_first = j & 2 == 0;
    let sign_cos = ((!j.wrapping_sub(2) & 4) as u32) << 29;
    let sign_sin = sign_in ^ swap_sign_sin;
    // Extended-precision reduction x - j*pi/4 in three fused steps.
    let mut r = jf.mul_add(MINUS_DP1, xa);
    r = jf.mul_add(MINUS_DP2, r);
    r = jf.mul_add(MINUS_DP3, r);
    let z = r * r;
    let mut yc = COS_P[0].mul_add(z, COS_P[1]).mul_add(z, COS_P[2]);
    yc *= z;
    yc = yc.mul_add(z, -(z * 0.5));
    yc += 1.0;
    let mut ys = SIN_P[0].mul_add(z, SIN_P[1]).mul_add(z, SIN_P[2]);
    ys *= z;
    ys = ys.mul_add(r, r);
    // Polynomial selection by masks, then subtract/add exactly as the vector code does.
    let ysin2 = if sin_poly_first { ys } else { 0.0 };
    let ysin1 = if sin_poly_first { 0.0 } else { yc };
    let s = ysin1 + ysin2;
    let c = (yc - ysin1) + (ys - ysin2);
    (
        f32::from_bits(s.to_bits() ^ sign_sin),
        f32::from_bits(c.to_bits() ^ sign_cos),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_to_libm_on_the_unit_interval() {
        for i in 1..=1000 {
            let x = i as f32 / 1000.0;
            assert!((log_ps(x) - x.ln()).abs() <= 2e-7 * x.ln().abs().max(1.0));
            let t = x * std::f32::consts::TAU;
            let (s, c) = sincos_ps(t);
            assert!((s - t.sin()).abs() < 1e-6 && (c - t.cos()).abs() < 1e-6);
        }
        assert!(log_ps(0.0).is_nan() && log_ps(-1.0).is_nan());
    }
}
