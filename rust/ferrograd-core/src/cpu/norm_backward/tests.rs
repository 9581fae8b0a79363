//! The fused kernels against the textbook formulas in float64, one statistic at a time.

use super::*;

/// Deterministic test values in about [-2, 2].
fn values(len: usize, seed: usize) -> Vec<f64> {
    (0..len)
        .map(|i| (((i * 7919 + seed * 104_729) % 4001) as f64 / 1000.0) - 2.0)
        .collect()
}

/// `dx` of one statistic's values (`members` indexes into the buffers):
/// `rstd * (gw - mean(gw) - xhat * mean(gw * xhat))`.
fn reference_dx(g: &[f64], x: &[f64], w: &[f64], members: &[usize], eps: f64) -> Vec<f64> {
    let n = members.len() as f64;
    let mean = members.iter().map(|&i| x[i]).sum::<f64>() / n;
    let var = members.iter().map(|&i| (x[i] - mean).powi(2)).sum::<f64>() / n;
    let rstd = 1.0 / (var + eps).sqrt();
    let xhat = |i: usize| (x[i] - mean) * rstd;
    let mean_gw = members.iter().map(|&i| g[i] * w[i]).sum::<f64>() / n;
    let mean_gwx = members.iter().map(|&i| g[i] * w[i] * xhat(i)).sum::<f64>() / n;
    members
        .iter()
        .map(|&i| rstd * (g[i] * w[i] - mean_gw - xhat(i) * mean_gwx))
        .collect()
}

fn stats_of(x: &[f64], members: &[usize], eps: f64) -> (f64, f64) {
    let n = members.len() as f64;
    let mean = members.iter().map(|&i| x[i]).sum::<f64>() / n;
    let var = members.iter().map(|&i| (x[i] - mean).powi(2)).sum::<f64>() / n;
    (mean, 1.0 / (var + eps).sqrt())
}

fn assert_close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len());
    for (k, (a, b)) in got.iter().zip(want).enumerate() {
        assert!((a - b).abs() <= tol * (1.0 + b.abs()), "at {k}: {a} vs {b}");
    }
}

/// Layer norm over `rows x row_len`: dx, dweight and dbias against the reference.
fn check_layer_norm(rows: usize, row_len: usize) {
    let eps = 1e-5;
    let (g, x, w) = (
        values(rows * row_len, 1),
        values(rows * row_len, 2),
        values(row_len, 3),
    );
    let members: Vec<Vec<usize>> = (0..rows)
        .map(|r| (r * row_len..(r + 1) * row_len).collect())
        .collect();
    let stats: Vec<(f64, f64)> = members.iter().map(|m| stats_of(&x, m, eps)).collect();
    let mut dx = vec![0.0; rows * row_len];
    let (dw, db) = layer_norm_backward(&g, &x, row_len, &stats, Some(&w), Some(&mut dx), true)
        .expect("parameter gradients asked for");
    let w_full: Vec<f64> = (0..rows * row_len).map(|i| w[i % row_len]).collect();
    let want: Vec<f64> = members
        .iter()
        .flat_map(|m| reference_dx(&g, &x, &w_full, m, eps))
        .collect();
    assert_close(&dx, &want, 1e-12);
    let (mut want_dw, mut want_db) = (vec![0.0; row_len], vec![0.0; row_len]);
    for (i, (&gi, &xi)) in g.iter().zip(&x).enumerate() {
        let (mean, rstd) = stats[i / row_len];
        want_dw[i % row_len] += gi * (xi - mean) * rstd;
        want_db[i % row_len] += gi;
    }
    assert_close(&dw, &want_dw, 1e-12);
    assert_close(&db, &want_db, 1e-12);
}

#[test]
fn layer_norm_matches_the_formula() {
    // Short rows with a tail, rows longer than a block, and enough values to split over
    // rayon's threads in several pieces.
    check_layer_norm(3, 37);
    check_layer_norm(2, BLOCK + 19);
    check_layer_norm(600, 70);
}

#[test]
fn layer_norm_without_dx_gives_the_same_parameter_gradients() {
    let (g, x) = (values(40, 4), values(40, 5));
    let stats = vec![(0.1, 1.5); 5];
    let mut dx = vec![0.0; 40];
    let with = layer_norm_backward(&g, &x, 8, &stats, None, Some(&mut dx), true);
    let without = layer_norm_backward(&g, &x, 8, &stats, None, None, true);
    assert_eq!(with, without);
    assert_eq!(
        layer_norm_backward(&g, &x, 8, &stats, None, Some(&mut dx), false),
        None
    );
}

#[test]
fn float32_layer_norm_follows_float64_within_float32_precision() {
    let (rows, row_len) = (4, 300);
    let (g, x) = (values(rows * row_len, 6), values(rows * row_len, 7));
    let members: Vec<Vec<usize>> = (0..rows)
        .map(|r| (r * row_len..(r + 1) * row_len).collect())
        .collect();
    let stats: Vec<(f64, f64)> = members.iter().map(|m| stats_of(&x, m, 1e-5)).collect();
    let (g32, x32): (Vec<f32>, Vec<f32>) = g
        .iter()
        .zip(&x)
        .map(|(&a, &b)| (a as f32, b as f32))
        .unzip();
    let mut dx32 = vec![0.0f32; rows * row_len];
    layer_norm_backward(&g32, &x32, row_len, &stats, None, Some(&mut dx32), false);
    let ones = vec![1.0; rows * row_len];
    let want: Vec<f64> = members
        .iter()
        .flat_map(|m| reference_dx(&g, &x, &ones, m, 1e-5))
        .collect();
    let got: Vec<f64> = dx32.iter().map(|&v| f64::from(v)).collect();
    assert_close(&got, &want, 1e-5);
}

/// Group (`groups` Some) or batch norm over `(batch, channels, plane)` against the reference.
fn check_planes(planes: Planes, batch_stats: bool) {
    let Planes {
        batch,
        channels,
        plane,
        ..
    } = planes;
    let len = batch * channels * plane;
    let eps = 1e-5;
    let (g, x, w) = (values(len, 8), values(len, 9), values(channels, 10));
    let stat_count = planes.groups.map_or(channels, |groups| batch * groups);
    let mut members = vec![Vec::new(); stat_count];
    for i in 0..len {
        members[planes.stat_of(i / plane)].push(i);
    }
    let stats: Vec<(f64, f64)> = members.iter().map(|m| stats_of(&x, m, eps)).collect();
    let (mean, rstd): (Vec<f64>, Vec<f64>) = stats.iter().copied().unzip();
    let mut dx = vec![0.0; len];
    let (dw, db) = planes_backward(
        &g,
        &x,
        planes,
        &mean,
        &rstd,
        Some(&w),
        batch_stats,
        Some(&mut dx),
        true,
    )
    .expect("parameter gradients asked for");
    let channel = |i: usize| (i / plane) % channels;
    let w_full: Vec<f64> = (0..len).map(|i| w[channel(i)]).collect();
    let mut want = vec![0.0; len];
    for m in &members {
        let dx_m = if batch_stats {
            reference_dx(&g, &x, &w_full, m, eps)
        } else {
            let rstd = rstd[planes.stat_of(m[0] / plane)];
            m.iter().map(|&i| g[i] * w_full[i] * rstd).collect()
        };
        for (&i, v) in m.iter().zip(dx_m) {
            want[i] = v;
        }
    }
    assert_close(&dx, &want, 1e-12);
    let (mut want_dw, mut want_db) = (vec![0.0; channels], vec![0.0; channels]);
    for i in 0..len {
        let s = planes.stat_of(i / plane);
        want_dw[channel(i)] += g[i] * (x[i] - mean[s]) * rstd[s];
        want_db[channel(i)] += g[i];
    }
    assert_close(&dw, &want_dw, 1e-12);
    assert_close(&db, &want_db, 1e-12);
}

#[test]
fn group_and_batch_norm_match_the_formula() {
    let planes = |batch, channels, plane, groups| Planes {
        batch,
        channels,
        plane,
        groups,
    };
    check_planes(planes(3, 6, 5, Some(2)), true);
    check_planes(planes(2, 4, 1, Some(4)), true);
    // Batch norm, training and evaluation; plane 1 is BatchNorm1d on an (N, C) input.
    check_planes(planes(4, 3, 7, None), true);
    check_planes(planes(4, 3, 7, None), false);
    check_planes(planes(5, 3, 1, None), true);
    // Big enough to run in parallel, planes longer than a block.
    check_planes(planes(4, 8, 1500, Some(4)), true);
    check_planes(planes(2, 3, BLOCK + 5, None), true);
}

#[test]
fn a_job_split_over_threads_gives_the_bits_of_row_by_row_jobs() {
    // Each row's dx is computed whole by one task, so splitting a big job over the pool must
    // give exactly the bits of small single-task jobs.
    let (rows, row_len) = (900, 64);
    let (g, x, w) = (
        values(rows * row_len, 11),
        values(rows * row_len, 12),
        values(row_len, 13),
    );
    let stats: Vec<(f64, f64)> = (0..rows).map(|r| (0.01 * r as f64, 0.9)).collect();
    let mut whole = vec![0.0; rows * row_len];
    layer_norm_backward(&g, &x, row_len, &stats, Some(&w), Some(&mut whole), false);
    for r in (0..rows).step_by(97) {
        let span = r * row_len..(r + 1) * row_len;
        let mut one = vec![0.0; row_len];
        let (g, x) = (&g[span.clone()], &x[span.clone()]);
        layer_norm_backward(
            g,
            x,
            row_len,
            &stats[r..=r],
            Some(&w),
            Some(&mut one),
            false,
        );
        assert_eq!(one, whole[span]);
    }
    let planes = Planes {
        batch: rows,
        channels: 4,
        plane: 16,
        groups: None,
    };
    let (m, r) = (vec![0.1, 0.2, 0.3, 0.4], vec![1.1, 1.2, 1.3, 1.4]);
    let big = planes_backward(&g, &x, planes, &m, &r, None, true, None, true);
    // The parameter gradients add the planes in order: the same as a sequential sum.
    let (mut dw, mut db) = (vec![0.0; 4], vec![0.0; 4]);
    for (p, (g, x)) in g.chunks(16).zip(x.chunks(16)).enumerate() {
        let c = p % 4;
        let s2: f64 = run_sums(g, x, None, m[c]).1;
        dw[c] += r[c] * s2;
        db[c] += run_sums(g, x, None, m[c]).0;
    }
    assert_eq!(big, Some((dw, db)));
}

#[test]
fn the_avx2_build_of_a_loop_gives_the_baseline_bits() {
    // `run_sums` and `write_dx` take the AVX2 copy on a CPU that has it; the bodies called
    // directly are the x86-64 baseline build. The lanes fix the order of every sum.
    let (g, x, w) = (values(1000, 14), values(1000, 15), values(1000, 16));
    let (g, x): (Vec<f32>, Vec<f32>) = g
        .iter()
        .zip(&x)
        .map(|(&a, &b)| (a as f32, b as f32))
        .unzip();
    let w: Vec<f32> = w.iter().map(|&v| v as f32).collect();
    assert_eq!(
        run_sums(&g, &x, Some(&w), 0.25),
        run_sums_body(&g, &x, Some(&w), 0.25)
    );
    let (mut fast, mut plain) = (vec![0.0f32; 1000], vec![0.0f32; 1000]);
    let coef = [0.25, 1.5, -0.75, 0.125];
    write_dx(&mut fast, &g, Some(&x), Some(&w), coef);
    write_dx_body(&mut plain, &g, Some(&x), Some(&w), coef);
    assert_eq!(fast, plain);
}
