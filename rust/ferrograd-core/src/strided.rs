//! Walking a strided layout: the element offsets of a layout in row-major order, grouped into
//! runs along the innermost dim so kernels get a tight inner loop.

use crate::layout::Layout;

/// A layout with size-1 dims dropped and neighbouring dims merged wherever one steps exactly
/// over the other, so that a contiguous tensor of any rank becomes a single run.
pub fn coalesce(layout: &Layout) -> (Vec<usize>, Vec<usize>) {
    let mut shape: Vec<usize> = Vec::with_capacity(layout.ndim());
    let mut strides: Vec<usize> = Vec::with_capacity(layout.ndim());
    for (&n, &s) in layout.shape().iter().zip(layout.strides()) {
        if n == 1 {
            continue;
        }
        match (shape.last_mut(), strides.last_mut()) {
            (Some(pn), Some(ps)) if *ps == s * n => {
                *pn *= n;
                *ps = s;
            }
            _ => {
                shape.push(n);
                strides.push(s);
            }
        }
    }
    (shape, strides)
}

/// One run of elements: `len` elements starting at `start`, `stride` apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    pub start: usize,
    pub len: usize,
    pub stride: usize,
}

/// The runs of a layout in row-major order. Together they visit every element exactly once.
pub struct Runs {
    outer_shape: Vec<usize>,
    outer_strides: Vec<usize>,
    index: Vec<usize>,
    next_start: usize,
    inner: (usize, usize),
    remaining: usize,
}

impl Runs {
    pub fn new(layout: &Layout) -> Self {
        let (mut shape, mut strides) = coalesce(layout);
        let inner = match (shape.pop(), strides.pop()) {
            (Some(n), Some(s)) => (n, s),
            _ => (1, 1), // 0-dim (or all size-1 dims): one run of one element
        };
        let remaining = if layout.numel() == 0 {
            0
        } else {
            shape.iter().product()
        };
        Runs {
            index: vec![0; shape.len()],
            outer_shape: shape,
            outer_strides: strides,
            next_start: layout.offset(),
            inner,
            remaining,
        }
    }

    /// The length of every run (they all have the same).
    pub fn run_len(&self) -> usize {
        self.inner.0
    }
}

impl Iterator for Runs {
    type Item = Run;

    fn next(&mut self) -> Option<Run> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let run = Run {
            start: self.next_start,
            len: self.inner.0,
            stride: self.inner.1,
        };
        // Advance the outer index like an odometer.
        for d in (0..self.index.len()).rev() {
            self.index[d] += 1;
            self.next_start += self.outer_strides[d];
            if self.index[d] < self.outer_shape[d] {
                break;
            }
            self.next_start -= self.outer_strides[d] * self.outer_shape[d];
            self.index[d] = 0;
        }
        Some(run)
    }
}

/// Every element offset of `layout` in row-major order.
pub fn offsets(layout: &Layout) -> impl Iterator<Item = usize> {
    Runs::new(layout).flat_map(|r| (0..r.len).map(move |i| r.start + i * r.stride))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contiguous_is_one_run() {
        let a = Layout::contiguous(&[2, 3, 4]);
        let runs: Vec<Run> = Runs::new(&a).collect();
        assert_eq!(
            runs,
            vec![Run {
                start: 0,
                len: 24,
                stride: 1
            }]
        );
    }

    #[test]
    fn transposed_offsets() {
        let t = Layout::contiguous(&[2, 3]).transpose(0, 1);
        assert_eq!(offsets(&t).collect::<Vec<_>>(), vec![0, 3, 1, 4, 2, 5]);
    }

    #[test]
    fn expanded_and_stepped() {
        let e = Layout::contiguous(&[3, 1]).expand(&[3, 2]).ok();
        let got: Option<Vec<usize>> = e.map(|e| offsets(&e).collect());
        assert_eq!(got, Some(vec![0, 0, 1, 1, 2, 2]));
        let s = Layout::contiguous(&[4, 4]).slice(1, Some(1), None, 2);
        assert_eq!(
            offsets(&s).collect::<Vec<_>>(),
            vec![1, 3, 5, 7, 9, 11, 13, 15]
        );
    }

    #[test]
    fn scalars_and_empty() {
        let s = Layout::new(vec![], vec![], 5);
        assert_eq!(offsets(&s).collect::<Vec<_>>(), vec![5]);
        let e = Layout::contiguous(&[2, 0, 3]);
        assert_eq!(offsets(&e).count(), 0);
        let ones = Layout::new(vec![1, 1], vec![7, 9], 2);
        assert_eq!(offsets(&ones).collect::<Vec<_>>(), vec![2]);
    }
}
