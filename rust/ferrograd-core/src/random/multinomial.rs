//! `torch.multinomial` on CPU, with and without replacement.
//!
//! *With* replacement PyTorch inverts the normalised cumulative distribution: one 53-bit double
//! uniform per sample, binary search over the row's cumulative sums (accumulated in the
//! probability dtype, or float for bfloat16).
//!
//! *Without* replacement, and also for a single sample *with* replacement, it uses the
//! exponential race (a Gumbel-max variant): draw `q ~ Exp(1)` for every entry (as an
//! `exponential_` on a tensor of the probability dtype), then take `argmax(p / q)` for one
//! sample or `topk(p / q, num_samples)` for more. `topk` on CPU orders via libstdc++'s
//! selection algorithms, which [`stl_select`](super::stl_select) replays so that exactly equal
//! keys (zero probabilities, or bfloat16 quotients that round alike) come out as on Linux.

use super::convert::from_f64;
use super::exponential::sample_exponential_f64;
use super::generator::Generator;
use super::stl_select::{nth_element, partial_sort, sort};
use super::uniform::unit_f64;
use crate::dtype::{DType, Element};
use half::bf16;

/// `torch.multinomial(probs, num_samples, replacement)` for a `rows x cols` row-major
/// probability matrix (a 1-D input is one row). Returns `rows * num_samples` indices, row-major.
///
/// Bit-exact with PyTorch (Linux builds) for float32, float64 and bfloat16 probabilities.
/// Errors use PyTorch's messages.
pub fn multinomial<P: Element>(
    g: &mut Generator,
    probs: &[P],
    rows: usize,
    cols: usize,
    num_samples: usize,
    replacement: bool,
) -> Result<Vec<i64>, String> {
    match P::DTYPE {
        DType::F32 | DType::F64 | DType::BF16 => {}
        DType::F16 => return Err("multinomial is not implemented for half on CPU".to_string()),
        d => {
            return Err(format!(
                "multinomial only supports floating-point dtypes for input, got: {}",
                d.scalar_type_name()
            ))
        }
    }
    if rows.checked_mul(cols) != Some(probs.len()) {
        return Err(format!(
            "multinomial: {} probabilities do not form a {rows} x {cols} matrix",
            probs.len()
        ));
    }
    if num_samples == 0 {
        return Err("cannot sample n_sample <= 0 samples".to_string());
    }
    if !replacement && num_samples > cols {
        return Err(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement".to_string(),
        );
    }
    if cols > 1 << 24 {
        return Err("number of categories cannot exceed 2^24".to_string());
    }
    let total = rows
        .checked_mul(num_samples)
        .ok_or_else(|| "multinomial: output too large".to_string())?;
    let mut out: Vec<i64> = Vec::new();
    out.try_reserve_exact(total)
        .map_err(|e| format!("multinomial: cannot allocate {total} indices: {e}"))?;
    if rows == 0 {
        return Ok(out);
    }
    if cols == 0 {
        // An empty row sums to zero, which PyTorch rejects on either path.
        return Err("invalid multinomial distribution (sum of probabilities <= 0)".to_string());
    }
    if replacement && num_samples > 1 {
        for row in probs.chunks_exact(cols) {
            let cum = cumulative(row)?;
            for _ in 0..num_samples {
                out.push(search(&cum, unit_f64(g)) as i64);
            }
        }
    } else {
        exponential_race(g, probs, cols, num_samples, &mut out)?;
    }
    Ok(out)
}

/// Normalised cumulative sums of one row, rounded the way PyTorch's accumulator is (double for
/// float64, float otherwise), returned widened to f64 (exact).
fn cumulative<P: Element>(row: &[P]) -> Result<Vec<f64>, String> {
    let mut cum = Vec::with_capacity(row.len());
    for p in row {
        let v = p.to_f64();
        if v.is_nan() || v < 0.0 {
            return Err(
                "invalid multinomial distribution (encountering probability entry < 0)".to_string(),
            );
        }
        if !v.is_finite() {
            return Err("invalid multinomial distribution (encountering probability entry = infinity or NaN)".to_string());
        }
    }
    let bad_sum = || "invalid multinomial distribution (sum of probabilities <= 0)".to_string();
    if P::DTYPE == DType::F64 {
        let mut sum = 0f64;
        for p in row {
            sum += p.to_f64();
            cum.push(sum);
        }
        if sum <= 0.0 {
            return Err(bad_sum());
        }
        cum.iter_mut().for_each(|c| *c /= sum);
    } else {
        let mut sum = 0f32;
        let mut cum32 = Vec::with_capacity(row.len());
        for p in row {
            sum += p.to_f64() as f32;
            cum32.push(sum);
        }
        if sum <= 0.0 {
            return Err(bad_sum());
        }
        cum.extend(cum32.iter().map(|c| (c / sum) as f64));
    }
    // PyTorch pins the last bucket to exactly 1 so rounding cannot leave a gap at the top.
    if let Some(last) = cum.last_mut() {
        *last = 1.0;
    }
    Ok(cum)
}

/// First index whose cumulative probability is not below `u` (PyTorch's binary search).
fn search(cum: &[f64], u: f64) -> usize {
    let (mut left, mut right) = (0usize, cum.len());
    while left < right {
        let mid = left + (right - left) / 2;
        if cum[mid] < u {
            left = mid + 1;
        } else {
            right = mid;
        }
    }
    left
}

fn exponential_race<P: Element>(
    g: &mut Generator,
    probs: &[P],
    cols: usize,
    num_samples: usize,
    out: &mut Vec<i64>,
) -> Result<(), String> {
    if probs.iter().any(|p| {
        let v = p.to_f64();
        v.is_nan() || v < 0.0 || v == f64::INFINITY
    }) {
        return Err("probability tensor contains either `inf`, `nan` or element < 0".to_string());
    }
    if probs
        .chunks_exact(cols)
        .any(|row| row.iter().all(|p| p.to_f64() == 0.0))
    {
        return Err("invalid multinomial distribution (sum of probabilities <= 0)".to_string());
    }
    // q = empty_like(probs).exponential_(1): every draw happens before any selection.
    let mut keys: Vec<f64> = Vec::new();
    keys.try_reserve_exact(probs.len())
        .map_err(|e| format!("multinomial: cannot allocate: {e}"))?;
    for p in probs {
        let q = sample_exponential_f64(g, 1.0);
        keys.push(ratio(p.to_f64(), q, P::DTYPE));
    }
    for row in keys.chunks_exact(cols) {
        if num_samples == 1 {
            out.push(argmax(row) as i64);
        } else {
            out.extend(topk_indices(row, num_samples).into_iter().map(|i| i as i64));
        }
    }
    Ok(())
}

/// `argmax`: the first maximum, a NaN counting as the maximum (the first NaN wins).
fn argmax(row: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate().skip(1) {
        let b = row[best];
        if !b.is_nan() && (v.is_nan() || v > b) {
            best = i;
        }
    }
    best
}

/// Indices of `topk(row, k, largest=True, sorted=True)` as PyTorch's CPU kernel computes them:
/// `partial_sort` when `k * 64 <= n`, otherwise `nth_element` followed by a sort of the first
/// `k - 1` entries (the k-th is already in place). NaN ranks above everything.
fn topk_indices(row: &[f64], k: usize) -> Vec<usize> {
    let before = |x: &(f64, usize), y: &(f64, usize)| (x.0.is_nan() && !y.0.is_nan()) || x.0 > y.0;
    let mut queue: Vec<(f64, usize)> = row.iter().copied().zip(0..).collect();
    let k = k.min(queue.len());
    if k == 0 {
        return Vec::new();
    }
    if k * 64 <= queue.len() {
        partial_sort(&mut queue, k, &before);
    } else {
        nth_element(&mut queue, k - 1, &before);
        sort(&mut queue[..k - 1], &before);
    }
    queue[..k].iter().map(|e| e.1).collect()
}

/// `p / q` with `q` first stored in the probability dtype and the quotient rounded like
/// PyTorch's division for that dtype (bfloat16 divides in float, then rounds).
fn ratio(p: f64, q: f64, dtype: DType) -> f64 {
    match dtype {
        DType::F64 => p / q,
        DType::BF16 => {
            let q: bf16 = from_f64(q);
            let r = (p as f32) / q.to_f32();
            bf16::from_f32(r).to_f64()
        }
        _ => {
            let q = q as f32;
            ((p as f32) / q) as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use half::bf16;

    const PROBS: [f32; 21] = [
        0.1, 0.2, 0.3, 0.4, 0.0, 1.5, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 5.0, 0.0,
        1e-3, 0.0, 3.0,
    ];

    fn draw<P: Element>(probs: &[P], n: usize, replacement: bool) -> Result<Vec<i64>, String> {
        multinomial(&mut Generator::new(0), probs, 3, 7, n, replacement)
    }

    #[test]
    fn float32_matches_pytorch() {
        // torch.manual_seed(0); torch.multinomial(P, n, replacement) for the 3 x 7 P above
        assert_eq!(
            draw(&PROBS, 4, true),
            Ok(vec![6, 6, 5, 6, 4, 5, 1, 2, 2, 2, 2, 2])
        );
        assert_eq!(
            draw(&PROBS, 4, false),
            Ok(vec![6, 5, 2, 1, 4, 2, 0, 5, 6, 2, 4, 3])
        );
        // One sample takes the exponential-race path even with replacement.
        assert_eq!(draw(&PROBS, 1, true), Ok(vec![6, 4, 6]));
    }

    #[test]
    fn float64_and_bfloat16_match_pytorch() {
        let p64: Vec<f64> = PROBS.iter().map(|&p| p as f64).collect();
        assert_eq!(draw(&p64, 3, false), Ok(vec![6, 5, 2, 4, 2, 0, 6, 2, 4]));
        let pb: Vec<bf16> = PROBS.iter().map(|&p| bf16::from_f32(p)).collect();
        assert_eq!(draw(&pb, 3, true), Ok(vec![6, 6, 5, 6, 4, 5, 2, 2, 2]));
    }

    #[test]
    fn ties_come_out_in_pytorchs_order() {
        // torch.manual_seed(0); torch.multinomial(torch.tensor([...]), k, False)
        let mut g = Generator::new(0);
        let p = [0f32, 0.0, 1.0, 0.0, 0.0];
        assert_eq!(multinomial(&mut g, &p, 1, 5, 3, false), Ok(vec![2, 4, 0]));
        let mut g = Generator::new(0);
        let p = [0f32, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        assert_eq!(
            multinomial(&mut g, &p, 1, 8, 5, false),
            Ok(vec![2, 5, 4, 6, 7])
        );
    }

    #[test]
    fn invalid_inputs_are_errors() {
        let mut g = Generator::new(0);
        assert!(multinomial(&mut g, &[0.5f32; 6], 2, 2, 1, true).is_err());
        assert!(multinomial(&mut g, &[0.5f32; 4], 2, 2, 3, false).is_err());
        assert!(multinomial(&mut g, &[0.5f32; 4], 2, 2, 0, true).is_err());
        assert!(multinomial(&mut g, &[-1f32, 1.0], 1, 2, 2, true).is_err());
        assert!(multinomial(&mut g, &[0f32, 0.0], 1, 2, 1, false).is_err());
        assert!(multinomial(&mut g, &[f32::NAN, 1.0], 1, 2, 1, false).is_err());
        assert!(multinomial(&mut g, &[half::f16::ONE; 2], 1, 2, 1, true).is_err());
        assert!(multinomial(&mut g, &[1i64, 2], 1, 2, 1, true).is_err());
    }
}
