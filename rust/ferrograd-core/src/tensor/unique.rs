//! `unique` and `unique_consecutive`, over elements or over whole slices along a dim. Both
//! return the distinct values, the inverse (where each input landed) and the counts. NaN is
//! never equal to anything, so every NaN is its own value, as in PyTorch.

use super::{materialize, unique_gpu, Tensor};
use crate::autograd::no_formula_yet;
use crate::cpu::sort::sort_line;
use crate::dtype::Element;
use crate::error::{Error, Result};
use crate::random::stl_select::sort as stl_sort;
use crate::shape::normalize_dim;
use crate::wgpu::sort_runs as gpu_runs;
use crate::with_dtype;

/// The three results of `unique`; callers hand back the ones asked for.
pub struct Unique {
    pub values: Tensor,
    pub inverse: Tensor,
    pub counts: Tensor,
}

/// Groups `order` (indices of items, already arranged) into runs of equal items; returns
/// the first item of each run, the run of every item, and the run sizes.
fn group(
    order: &[usize],
    n: usize,
    equal: impl Fn(usize, usize) -> bool,
) -> (Vec<usize>, Vec<i64>, Vec<i64>) {
    let mut firsts = Vec::new();
    let mut inverse = vec![0i64; n];
    let mut counts: Vec<i64> = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        let same = k > 0 && equal(order[k - 1], i);
        if !same {
            firsts.push(i);
            counts.push(0);
        }
        if let Some(c) = counts.last_mut() {
            *c += 1;
        }
        inverse[i] = firsts.len() as i64 - 1;
    }
    (firsts, inverse, counts)
}

fn int_tensor(v: Vec<i64>, shape: &[usize]) -> Result<Tensor> {
    Tensor::from_vec(v, shape)
}

/// Flat unique of `t`'s elements; `sorted` sorts them first (else only neighbours merge).
fn unique_flat<T: Element>(t: &Tensor, sorted: bool) -> Result<Unique> {
    let values = materialize::<T>(t)?;
    let order: Vec<usize> = if sorted {
        let mut pairs = vec![(T::default(), 0i64); values.len()];
        sort_line(&values, false, &mut pairs);
        pairs.into_iter().map(|(_, i)| i as usize).collect()
    } else {
        (0..values.len()).collect()
    };
    let (firsts, inverse, counts) = group(&order, values.len(), |a, b| values[a] == values[b]);
    let picked: Vec<T> = firsts.iter().map(|&i| values[i]).collect();
    let n = picked.len();
    Ok(Unique {
        values: Tensor::from_vec(picked, &[n])?,
        inverse: int_tensor(inverse, t.shape())?,
        counts: int_tensor(counts, &[n])?,
    })
}

/// PyTorch's slice comparator: the first position where one is `<` or `>` the other decides.
fn slice_less<T: Element>(a: &[T], b: &[T]) -> bool {
    for (&x, &y) in a.iter().zip(b) {
        if x < y {
            return true;
        }
        if x > y {
            return false;
        }
    }
    false
}

/// Unique slices of `t` along `dim`.
fn unique_slices<T: Element>(t: &Tensor, dim: usize, sorted: bool) -> Result<Unique> {
    let size = t.shape()[dim];
    let zero_dims = t.shape().iter().filter(|&&s| s == 0).count();
    if size == 0 {
        if zero_dims != 1 {
            return Err(Error::runtime(
                "Number of zero sized dimensions is more than one, so unique cannot be applied ",
            ));
        }
        return Ok(Unique {
            values: Tensor::zeros(t.shape(), t.dtype())?,
            inverse: int_tensor(vec![], &[0])?,
            counts: int_tensor(vec![], &[0])?,
        });
    }
    if zero_dims != 0 {
        return Err(Error::runtime(
            "There are 0 sized dimensions, and they aren't selected, so unique cannot be applied",
        ));
    }
    let moved = t.movedim(&[dim as i64], &[0])?;
    let flat = materialize::<T>(&moved)?;
    let width = flat.len() / size;
    let slice = |i: usize| &flat[i * width..(i + 1) * width];
    let mut order: Vec<usize> = (0..size).collect();
    if sorted {
        // PyTorch sorts slices with `std::sort` and a plain lexicographic `<`, which leaves NaN
        // slices wherever that algorithm puts them; replaying it keeps the same order.
        let before = |&a: &usize, &b: &usize| slice_less(slice(a), slice(b));
        stl_sort(&mut order, &before);
    }
    let (firsts, inverse, counts) = group(&order, size, |a, b| slice(a) == slice(b));
    let picked: Vec<T> = firsts
        .iter()
        .flat_map(|&i| slice(i).iter().copied())
        .collect();
    let mut shape = moved.shape().to_vec();
    shape[0] = firsts.len();
    let values = Tensor::from_vec(picked, &shape)?
        .movedim(&[0], &[dim as i64])?
        .contiguous()?;
    Ok(Unique {
        values,
        inverse: int_tensor(inverse, &[size])?,
        counts: int_tensor(counts, &[firsts.len()])?,
    })
}

impl Tensor {
    fn unique_impl(&self, dim: Option<i64>, sorted: bool) -> Result<Unique> {
        match dim {
            None => {
                if self.device().is_wgpu() {
                    if let Some((values, inverse, counts)) = gpu_runs::unique(self, sorted)? {
                        return Ok(Unique {
                            values,
                            inverse,
                            counts,
                        });
                    }
                }
                with_dtype!(self.dtype(), T => unique_flat::<T>(self, sorted))
            }
            Some(d) if self.ndim() == 0 => Err(Error::DimOnScalar { dim: d }),
            Some(d) => {
                let d = normalize_dim(d, self.ndim())?;
                // (Empty inputs take the CPU kernel's checks and messages.)
                if self.device().is_wgpu() && self.numel() > 0 {
                    if let Some(found) = unique_gpu::unique_slices(self, d, sorted)? {
                        return Ok(found);
                    }
                }
                with_dtype!(self.dtype(), T => unique_slices::<T>(self, d, sorted))
            }
        }
    }

    /// `unique(sorted, return_inverse, return_counts, dim)`: the distinct values (or slices
    /// along `dim`), in ascending order. PyTorch's CPU kernel sorts even when `sorted=False`;
    /// so does this.
    pub fn unique(&self, dim: Option<i64>) -> Result<Unique> {
        let _on = self.device_scope();
        no_formula_yet("unique", &[self])?;
        self.unique_impl(dim, true)
    }

    /// `unique_consecutive(return_inverse, return_counts, dim)`: merges runs of equal
    /// neighbouring values (or slices).
    pub fn unique_consecutive(&self, dim: Option<i64>) -> Result<Unique> {
        let _on = self.device_scope();
        no_formula_yet("unique_consecutive", &[self])?;
        self.unique_impl(dim, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_and_consecutive() -> Result<()> {
        let x = Tensor::from_vec(vec![3i64, 1, 2, 3, 1, 1], &[6])?;
        let u = x.unique(None)?;
        assert_eq!(u.values.to_vec::<i64>()?, vec![1, 2, 3]);
        assert_eq!(u.inverse.to_vec::<i64>()?, vec![2, 0, 1, 2, 0, 0]);
        assert_eq!(u.counts.to_vec::<i64>()?, vec![3, 1, 2]);
        let c = x.unique_consecutive(None)?;
        assert_eq!(c.values.to_vec::<i64>()?, vec![3, 1, 2, 3, 1]);
        assert_eq!(c.counts.to_vec::<i64>()?, vec![1, 1, 1, 1, 2]);
        let f = Tensor::from_vec(vec![1.0f32, f32::NAN, f32::NAN, 0.0], &[4])?;
        assert_eq!(f.unique(None)?.counts.to_vec::<i64>()?, vec![1, 1, 1, 1]);
        Ok(())
    }

    #[test]
    fn slices_along_a_dim() -> Result<()> {
        let x = Tensor::from_vec(vec![1i64, 2, 1, 2, 0, 5], &[3, 2])?;
        let u = x.unique(Some(0))?;
        assert_eq!(u.values.to_vec::<i64>()?, vec![0, 5, 1, 2]);
        assert_eq!(u.inverse.to_vec::<i64>()?, vec![1, 1, 0]);
        assert_eq!(u.counts.to_vec::<i64>()?, vec![1, 2]);
        let u = x.unique(Some(1))?;
        assert_eq!(u.values.shape(), &[3, 2]);
        assert_eq!(u.inverse.to_vec::<i64>()?, vec![0, 1]);
        Ok(())
    }
}
