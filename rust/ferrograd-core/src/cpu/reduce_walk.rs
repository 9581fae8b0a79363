//! Walking a group of dims of a strided layout: the offsets of its elements in row-major order,
//! from any starting position, and an in-order pairwise combiner for partial results.

/// A group of dims (size-1 dims dropped, neighbours merged where one steps over the other),
/// outermost first, with the element strides of the input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Walk {
    pub shape: Vec<usize>,
    pub strides: Vec<usize>,
}

impl Walk {
    /// Coalesces `dims` (pairs of size and stride, outermost first) without changing the
    /// row-major order in which they are visited.
    pub fn coalesce(dims: impl IntoIterator<Item = (usize, usize)>) -> Walk {
        let mut walk = Walk::default();
        for (n, s) in dims {
            if n == 1 {
                continue;
            }
            match (walk.shape.last_mut(), walk.strides.last_mut()) {
                (Some(pn), Some(ps)) if *ps == s * n => {
                    *pn *= n;
                    *ps = s;
                }
                _ => {
                    walk.shape.push(n);
                    walk.strides.push(s);
                }
            }
        }
        walk
    }

    /// Number of positions (1 for an empty group).
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The innermost dim's size and stride, if any.
    pub fn innermost(&self) -> Option<(usize, usize)> {
        Some((*self.shape.last()?, *self.strides.last()?))
    }

    /// The group without its innermost dim.
    pub fn outer(&self) -> Walk {
        let n = self.shape.len().saturating_sub(1);
        Walk {
            shape: self.shape[..n].to_vec(),
            strides: self.strides[..n].to_vec(),
        }
    }

    /// The offset (relative to the group's start) of position `pos` in row-major order.
    pub fn offset_of(&self, mut pos: usize) -> usize {
        let mut off = 0;
        for (&n, &s) in self.shape.iter().zip(&self.strides).rev() {
            off += (pos % n) * s;
            pos /= n;
        }
        off
    }

    /// The offsets of positions `lo..hi`, in order.
    pub fn offsets(&self, lo: usize, hi: usize) -> WalkIter<'_> {
        let mut index = vec![0; self.shape.len()];
        let mut rest = lo;
        for (d, &n) in self.shape.iter().enumerate().rev() {
            index[d] = rest % n;
            rest /= n;
        }
        WalkIter {
            walk: self,
            index,
            offset: self.offset_of(lo),
            pos: lo,
            end: hi,
        }
    }
}

/// Iterator over (position, offset) pairs of a [`Walk`], advancing like an odometer.
pub struct WalkIter<'a> {
    walk: &'a Walk,
    index: Vec<usize>,
    offset: usize,
    pos: usize,
    end: usize,
}

impl Iterator for WalkIter<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        if self.pos >= self.end {
            return None;
        }
        let item = (self.pos, self.offset);
        self.pos += 1;
        for d in (0..self.index.len()).rev() {
            self.index[d] += 1;
            self.offset += self.walk.strides[d];
            if self.index[d] < self.walk.shape[d] {
                break;
            }
            self.offset -= self.walk.strides[d] * self.walk.shape[d];
            self.index[d] = 0;
        }
        Some(item)
    }
}

/// Combines partial results in order as a balanced binary tree (like a binary counter), so
/// that summing many partial sums keeps pairwise summation's small rounding error.
pub struct Pairwise<A, F: Fn(A, A) -> A> {
    levels: Vec<Option<A>>,
    merge: F,
}

impl<A, F: Fn(A, A) -> A> Pairwise<A, F> {
    pub fn new(merge: F) -> Self {
        Pairwise {
            levels: Vec::new(),
            merge,
        }
    }

    /// Adds the next part (it comes after every part pushed before).
    pub fn push(&mut self, part: A) {
        let mut carry = part;
        for level in self.levels.iter_mut() {
            match level.take() {
                Some(earlier) => carry = (self.merge)(earlier, carry),
                None => {
                    *level = Some(carry);
                    return;
                }
            }
        }
        self.levels.push(Some(carry));
    }

    /// The combination of every part, or `None` when none was pushed.
    pub fn finish(self) -> Option<A> {
        let merge = self.merge;
        // Higher levels hold earlier parts.
        self.levels.into_iter().rev().flatten().reduce(merge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coalescing_keeps_order() {
        let w = Walk::coalesce([(2, 12), (3, 4), (1, 99), (4, 1)]);
        assert_eq!(w.shape, vec![24]);
        assert_eq!(w.strides, vec![1]);
        let t = Walk::coalesce([(3, 1), (2, 3)]);
        assert_eq!(t.shape, vec![3, 2]);
        let offs: Vec<usize> = t.offsets(0, 6).map(|(_, o)| o).collect();
        assert_eq!(offs, vec![0, 3, 1, 4, 2, 5]);
        let mid: Vec<(usize, usize)> = t.offsets(3, 5).collect();
        assert_eq!(mid, vec![(3, 4), (4, 2)]);
        assert_eq!(t.offset_of(5), 5);
    }

    #[test]
    fn empty_walk_is_one_position() {
        let w = Walk::coalesce([(1, 5)]);
        assert_eq!(w.len(), 1);
        assert_eq!(w.offsets(0, 1).collect::<Vec<_>>(), vec![(0, 0)]);
    }

    #[test]
    fn pairwise_merges_in_order() {
        let mut p = Pairwise::new(|a: String, b: String| format!("({a}{b})"));
        for c in ["a", "b", "c", "d", "e"] {
            p.push(c.to_string());
        }
        assert_eq!(p.finish().as_deref(), Some("(((ab)(cd))e)"));
    }
}
