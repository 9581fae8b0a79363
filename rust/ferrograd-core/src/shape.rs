//! Shapes as plain `&[usize]`: element counts, contiguous strides, negative dims, broadcasting.

use crate::error::{Error, Result};

/// Number of elements of a shape (1 for a 0-dim tensor). `None` on overflow.
pub fn checked_numel(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
}

pub fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// Row-major (C order) strides in elements. Size-1 and size-0 dims get the stride PyTorch gives
/// them: the product of the sizes to the right, with zeros counted as one.
pub fn contiguous_strides(shape: &[usize]) -> Vec<usize> {
    let mut strides = vec![0; shape.len()];
    let mut acc = 1usize;
    for i in (0..shape.len()).rev() {
        strides[i] = acc;
        acc = acc.saturating_mul(shape[i].max(1));
    }
    strides
}

/// Turns a possibly negative dim into an index in `0..ndim`. A 0-dim tensor accepts 0 and -1, as
/// in PyTorch (it is treated as having one dim for this purpose).
pub fn normalize_dim(dim: i64, ndim: usize) -> Result<usize> {
    let n = ndim.max(1) as i64;
    if dim < -n || dim >= n {
        return Err(Error::DimOutOfRange { dim, ndim });
    }
    Ok(if dim < 0 {
        (dim + n) as usize
    } else {
        dim as usize
    })
}

/// Like [`normalize_dim`] for ops that insert a dim (`unsqueeze`): the valid range is one wider.
pub fn normalize_insert_dim(dim: i64, ndim: usize) -> Result<usize> {
    let n = ndim as i64 + 1;
    if dim < -n || dim >= n {
        return Err(Error::DimOutOfRange {
            dim,
            ndim: ndim + 1,
        });
    }
    Ok(if dim < 0 {
        (dim + n) as usize
    } else {
        dim as usize
    })
}

/// The shape two shapes broadcast to (numpy's and PyTorch's rule: align right, 1 stretches).
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i < n - a.len() {
            1
        } else {
            a[i - (n - a.len())]
        };
        let db = if i < n - b.len() {
            1
        } else {
            b[i - (n - b.len())]
        };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(Error::BroadcastMismatch {
                a: da,
                b: db,
                dim: i,
            });
        };
    }
    Ok(out)
}

/// Resolves a requested shape that may hold one `-1` against an element count
/// (`view`, `reshape`). Errors are PyTorch's.
pub fn infer_size(requested: &[i64], numel: usize) -> Result<Vec<usize>> {
    let mut infer_at = None;
    let mut known = 1usize;
    for (i, &d) in requested.iter().enumerate() {
        if d == -1 {
            if infer_at.is_some() {
                return Err(Error::runtime("only one dimension can be inferred"));
            }
            infer_at = Some(i);
        } else if d < 0 {
            return Err(Error::runtime(format!(
                "invalid shape dimension {d} at index {i} of shape {requested:?}"
            )));
        } else {
            known = known.saturating_mul(d as usize);
        }
    }
    let invalid = || Error::InvalidShape {
        shape: requested.to_vec(),
        numel,
    };
    let mut out: Vec<usize> = requested.iter().map(|&d| d.max(0) as usize).collect();
    match infer_at {
        Some(i) => {
            // PyTorch refuses to infer a dim when the others multiply to zero.
            if known == 0 {
                return Err(Error::runtime(format!(
                    "cannot reshape tensor of 0 elements into shape {requested:?} because the unspecified dimension size -1 can be any value and is ambiguous"
                )));
            }
            if numel % known != 0 {
                return Err(invalid());
            }
            out[i] = numel / known;
        }
        None if known != numel => return Err(invalid()),
        None => {}
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strides_of_shapes() {
        assert_eq!(contiguous_strides(&[2, 3, 4]), vec![12, 4, 1]);
        assert_eq!(contiguous_strides(&[]), Vec::<usize>::new());
        // PyTorch: torch.empty(2, 0, 3).stride() == (3, 3, 1)
        assert_eq!(contiguous_strides(&[2, 0, 3]), vec![3, 3, 1]);
    }

    #[test]
    fn negative_dims() {
        assert_eq!(normalize_dim(-1, 3).ok(), Some(2));
        assert_eq!(normalize_dim(0, 0).ok(), Some(0));
        assert_eq!(normalize_dim(-1, 0).ok(), Some(0));
        let err = normalize_dim(2, 2).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("Dimension out of range (expected to be in range of [-2, 1], but got 2)")
        );
        assert_eq!(normalize_insert_dim(-1, 2).ok(), Some(2));
        assert!(normalize_insert_dim(3, 2).is_err());
    }

    #[test]
    fn broadcasting() {
        assert_eq!(broadcast_shapes(&[3, 1], &[4]).ok(), Some(vec![3, 4]));
        assert_eq!(broadcast_shapes(&[], &[2, 2]).ok(), Some(vec![2, 2]));
        assert_eq!(broadcast_shapes(&[0, 1], &[3]).ok(), Some(vec![0, 3]));
        let err = broadcast_shapes(&[2, 3], &[4]).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1")
        );
    }

    #[test]
    fn inferring_sizes() {
        assert_eq!(infer_size(&[-1, 3], 6).ok(), Some(vec![2, 3]));
        assert_eq!(
            infer_size(&[2, 5], 6)
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some("shape '[2, 5]' is invalid for input of size 6")
        );
        assert!(infer_size(&[-1, -1], 6).is_err());
        assert!(infer_size(&[0, -1], 0).is_err());
        assert_eq!(infer_size(&[], 1).ok(), Some(vec![]));
    }
}
