//! `torch.randperm(n)`: PyTorch's CPU shuffle.

use super::generator::Generator;

/// Below this `n` PyTorch keeps its historical swap loop with 32-bit draws; at or above it the
/// modulo bias of a 32-bit draw would show, so it switches to 64-bit draws and an inside-out
/// Fisher-Yates.
const SMALL_N_LIMIT: u64 = u32::MAX as u64 / 20;

/// A permutation of `0..n`, identical to `torch.randperm(n)` (for any dtype: the permutation is
/// the same, only its element type differs). `Err` if the output cannot be allocated.
pub fn randperm(g: &mut Generator, n: usize) -> Result<Vec<i64>, String> {
    let mut r: Vec<i64> = Vec::new();
    r.try_reserve_exact(n)
        .map_err(|e| format!("randperm: cannot allocate {n} elements: {e}"))?;
    let n64 = n as u64;
    if n64 < SMALL_N_LIMIT {
        r.extend(0..n as i64);
        // Swap slot i with a uniformly chosen slot in [i, n).
        for i in 0..n.saturating_sub(1) {
            let z = g.random_u32() as u64 % (n64 - i as u64);
            r.swap(i, i + z as usize);
        }
    } else {
        // Inside-out shuffle: place i, then swap it with a uniformly chosen slot in [0, i].
        for i in 0..n {
            let z = (g.random_u64() % (i as u64 + 1)) as usize;
            r.push(i as i64);
            r.swap(i, z);
        }
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_pytorch() {
        // torch.manual_seed(0); torch.randperm(n)
        let mut g = Generator::new(0);
        assert_eq!(randperm(&mut g, 10), Ok(vec![4, 1, 7, 5, 3, 9, 0, 8, 6, 2]));
        let mut g = Generator::new(0);
        assert_eq!(
            randperm(&mut g, 100),
            Ok(vec![
                44, 19, 93, 90, 71, 69, 37, 95, 53, 91, 81, 42, 80, 85, 74, 56, 76, 63, 82, 40, 26,
                92, 57, 10, 16, 66, 89, 41, 97, 8, 31, 24, 35, 30, 65, 7, 98, 23, 20, 29, 78, 61,
                94, 15, 4, 52, 59, 5, 54, 46, 3, 28, 2, 70, 6, 60, 49, 68, 55, 72, 79, 77, 45, 1,
                32, 34, 11, 0, 22, 12, 87, 50, 25, 47, 36, 96, 9, 83, 62, 84, 18, 17, 75, 67, 13,
                48, 39, 21, 64, 88, 38, 27, 14, 73, 33, 58, 86, 43, 99, 51
            ])
        );
    }

    #[test]
    fn trivial_sizes_draw_nothing() {
        let mut g = Generator::new(0);
        assert_eq!(randperm(&mut g, 0), Ok(vec![]));
        assert_eq!(randperm(&mut g, 1), Ok(vec![0]));
        assert_eq!(g.get_state(), Generator::new(0).get_state());
    }
}
