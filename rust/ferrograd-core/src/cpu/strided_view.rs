//! A strided view with signed strides: what the copy kernel reads and writes. Negative strides
//! walk a dim backwards, which is how `flip` becomes a plain copy.

use crate::layout::Layout;

/// A view with signed strides (in elements) over a buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StridedView {
    pub shape: Vec<usize>,
    pub strides: Vec<isize>,
    pub offset: isize,
}

impl StridedView {
    pub fn of(layout: &Layout) -> Self {
        StridedView {
            shape: layout.shape().to_vec(),
            strides: layout.strides().iter().map(|&s| s as isize).collect(),
            offset: layout.offset() as isize,
        }
    }

    /// The same elements with each listed dim walked backwards.
    pub fn flipped(mut self, dims: &[usize]) -> Self {
        for &d in dims {
            let n = self.shape[d];
            if n > 0 {
                self.offset += (n as isize - 1) * self.strides[d];
                self.strides[d] = -self.strides[d];
            }
        }
        self
    }

    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }

    /// The smallest and largest offsets the view reaches (it has at least one element).
    pub fn extent(&self) -> (isize, isize) {
        let (mut lo, mut hi) = (self.offset, self.offset);
        for (&n, &s) in self.shape.iter().zip(&self.strides) {
            let span = (n as isize - 1) * s;
            if span < 0 {
                lo += span;
            } else {
                hi += span;
            }
        }
        (lo, hi)
    }

    /// Whether no two elements share an offset (so threads may write disjoint elements at once).
    /// A sufficient test: sorted by stride, each stride steps past everything the smaller ones
    /// reach.
    pub fn is_non_overlapping(&self) -> bool {
        let mut dims: Vec<(usize, usize)> = self
            .shape
            .iter()
            .zip(&self.strides)
            .filter(|(&n, _)| n > 1)
            .map(|(&n, &s)| (n, s.unsigned_abs()))
            .collect();
        dims.sort_by_key(|&(_, s)| s);
        let mut reach = 0usize;
        for (n, s) in dims {
            if s <= reach {
                return false;
            }
            reach += s * (n - 1);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flipping_moves_the_start_to_the_end() {
        let v = StridedView::of(&Layout::contiguous(&[2, 3])).flipped(&[1]);
        assert_eq!((v.strides.clone(), v.offset), (vec![3, -1], 2));
        assert_eq!(v.extent(), (0, 5));
    }

    #[test]
    fn overlap() {
        let expanded = StridedView::of(&Layout::new(vec![3, 2], vec![0, 1], 0));
        assert!(!expanded.is_non_overlapping());
        let transposed = StridedView::of(&Layout::contiguous(&[4, 5]).transpose(0, 1));
        assert!(transposed.is_non_overlapping());
    }
}
