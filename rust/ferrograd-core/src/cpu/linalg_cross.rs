//! The cross product of 3-vectors stored as consecutive triples.

use super::matmul::Ring;

/// `out[t] = a[t] x b[t]` for each triple `t` of the row-major buffers.
pub fn cross<T: Ring>(a: &[T], b: &[T], out: &mut [T]) {
    for ((x, y), o) in a
        .chunks_exact(3)
        .zip(b.chunks_exact(3))
        .zip(out.chunks_exact_mut(3))
    {
        o[0] = x[1].mul(y[2]).sub(x[2].mul(y[1]));
        o[1] = x[2].mul(y[0]).sub(x[0].mul(y[2]));
        o[2] = x[0].mul(y[1]).sub(x[1].mul(y[0]));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn unit_vectors() {
        let mut out = [0i64; 3];
        super::cross(&[1, 0, 0], &[0, 1, 0], &mut out);
        assert_eq!(out, [0, 0, 1]);
    }
}
