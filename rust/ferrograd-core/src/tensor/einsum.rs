//! `einsum`: parsing the equation, aligning every operand to one shared order of labels
//! (diagonals for repeated labels, size-1 dims for missing ones), then contracting the
//! operands left to right with batched products. This follows PyTorch's algorithm step by step
//! so that results, views and error messages agree; and since every step is a recorded op
//! (diagonal, permute, sum, bmm, mul, view), the gradient flows back through the same graph
//! PyTorch builds, with no formula of its own.

use super::einsum_contract::{sum_dims, sumproduct_pair};
use super::einsum_parse::{
    count_labels, err, label_char, parse_inputs, plan_output, Alignment, ELLIPSIS, TOTAL_LABELS,
};
use super::Tensor;
use crate::device_scope::DeviceScope;
use crate::error::Result;

/// Sizes seen so far, to check that every label broadcasts across operands.
struct Sizes {
    label: Vec<usize>,
    ell: Vec<usize>,
    /// How many operands have a dim of size != 1 at each aligned position.
    dim_counts: Vec<usize>,
}

/// Brings operand `i` to the aligned order: diagonals for repeated labels, size-1 dims for
/// labels it lacks, then one permute.
fn align(
    i: usize,
    op: &Tensor,
    labels: &[u8],
    plan: &Alignment,
    sizes: &mut Sizes,
) -> Result<Tensor> {
    // Dims the ellipsis covers, from the rank before any diagonal is taken.
    let covered = op.ndim() + 1 - labels.len();
    let mut op = op.clone();
    let mut permutation: Vec<Option<usize>> = vec![None; plan.total];
    let mut dim = 0usize;
    for &s in labels {
        if s == ELLIPSIS {
            for j in plan.ell_num_dim - covered..plan.ell_num_dim {
                let n = op.shape()[dim];
                if n != 1 {
                    if sizes.ell[j] != 1 && sizes.ell[j] != n {
                        return Err(err(format!(
                            "dimension {dim} covered by ellipsis in operand {i}has size {n} which does not broadcast with previously seen ellipsis with size {} for the respective dimension",
                            sizes.ell[j]
                        )));
                    }
                    sizes.ell[j] = n;
                    sizes.dim_counts[plan.ell_index + j] += 1;
                }
                permutation[plan.ell_index + j] = Some(dim);
                dim += 1;
            }
            continue;
        }
        let pos = plan.perm_index[s as usize].unwrap_or(0);
        match permutation[pos] {
            None => {
                let n = op.shape()[dim];
                if n != 1 {
                    let seen = sizes.label[s as usize];
                    if seen != 1 && seen != n {
                        return Err(err(format!(
                            "subscript {} has size {n} for operand {i} which does not broadcast with previously seen size {seen}",
                            label_char(s as usize)
                        )));
                    }
                    sizes.label[s as usize] = n;
                    sizes.dim_counts[pos] += 1;
                }
                permutation[pos] = Some(dim);
                dim += 1;
            }
            Some(prev) => {
                let (n, p) = (op.shape()[dim], op.shape()[prev]);
                if n != p {
                    return Err(err(format!(
                        "subscript {} is repeated for operand {i} but the sizes don't match, {n} != {p}",
                        label_char(s as usize)
                    )));
                }
                op = op
                    .diagonal(0, prev as i64, dim as i64)?
                    .movedim(&[-1], &[prev as i64])?;
            }
        }
    }
    let mut perm = Vec::with_capacity(plan.total);
    for p in permutation {
        match p {
            Some(d) => perm.push(d as i64),
            None => {
                op = op.unsqueeze(dim as i64)?;
                perm.push(dim as i64);
                dim += 1;
            }
        }
    }
    op.permute(&perm)
}

impl Tensor {
    /// `einsum(equation, operands)`.
    pub fn einsum(equation: &str, operands: &[Tensor]) -> Result<Tensor> {
        let _on = DeviceScope::of_all(operands)?;
        if operands.is_empty() {
            return Err(err("must provide at least one operand"));
        }
        let (lhs, rhs) = match equation.find("->") {
            Some(p) => (&equation[..p], Some(&equation[p + 2..])),
            None => (equation, None),
        };
        let labels = parse_inputs(lhs, operands.len())?;
        let (count, ell_num_dim) = count_labels(&labels, operands)?;
        let plan = plan_output(rhs, lhs.len(), &count, ell_num_dim)?;
        let mut sizes = Sizes {
            label: vec![1; TOTAL_LABELS],
            ell: vec![1; ell_num_dim],
            dim_counts: vec![0; plan.total],
        };
        let mut ops = Vec::with_capacity(operands.len());
        for (i, (op, ls)) in operands.iter().zip(&labels).enumerate() {
            ops.push(align(i, op, ls, &plan, &mut sizes)?);
        }
        let result = contract(ops, &plan, &mut sizes.dim_counts)?;
        let summed: Vec<usize> = (plan.out_num_dim..plan.total).collect();
        if summed.is_empty() {
            return Ok(result);
        }
        if operands.len() > 1 {
            // The contractions left every summed dim with size 1.
            let shape: Vec<i64> = result.shape()[..plan.out_num_dim]
                .iter()
                .map(|&d| d as i64)
                .collect();
            return result.view(&shape);
        }
        sum_dims(&result, &summed, false)
    }
}

/// Contracts the aligned operands left to right, summing each contraction dim as soon as no
/// later operand needs it.
fn contract(ops: Vec<Tensor>, plan: &Alignment, dim_counts: &mut [usize]) -> Result<Tensor> {
    let mut ops = std::collections::VecDeque::from(ops);
    while ops.len() > 1 {
        let (mut a, mut b) = match (ops.pop_front(), ops.pop_front()) {
            (Some(a), Some(b)) => (a, b),
            _ => break,
        };
        let (mut to_sum, mut a_sum, mut b_sum) = (Vec::new(), Vec::new(), Vec::new());
        let counts = dim_counts.iter_mut().enumerate().skip(plan.out_num_dim);
        for (dim, count) in counts {
            let (na, nb) = (a.shape()[dim], b.shape()[dim]);
            if na != 1 && nb != 1 {
                // The two operands merge: one fewer operand holds this dim.
                *count -= 1;
                if *count == 1 {
                    to_sum.push(dim);
                    *count = 0;
                }
            } else if *count == 1 {
                if na != 1 {
                    a_sum.push(dim);
                    *count = 0;
                } else if nb != 1 {
                    b_sum.push(dim);
                    *count = 0;
                }
            }
        }
        if !a_sum.is_empty() {
            a = sum_dims(&a, &a_sum, true)?;
        }
        if !b_sum.is_empty() {
            b = sum_dims(&b, &b_sum, true)?;
        }
        ops.push_front(sumproduct_pair(&a, &b, &to_sum)?);
    }
    ops.pop_front()
        .ok_or_else(|| err("must provide at least one operand"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: Vec<f64>, shape: &[usize]) -> Result<Tensor> {
        Tensor::from_vec(v, shape)
    }

    #[test]
    fn contraction_trace_and_implicit_output() -> Result<()> {
        let a = t((0..6).map(f64::from).collect(), &[2, 3])?;
        let b = t((0..12).map(f64::from).collect(), &[3, 4])?;
        // [[0,1,2],[3,4,5]] @ [[0..4],[4..8],[8..12]]: first row 20 23 26 29
        let r = Tensor::einsum("ij,jk", &[a.clone(), b])?;
        assert_eq!(r.shape(), &[2, 4]);
        assert_eq!(r.to_vec::<f64>()?[..4], [20.0, 23.0, 26.0, 29.0]);
        let sq = t((0..9).map(f64::from).collect(), &[3, 3])?;
        assert_eq!(
            Tensor::einsum("ii", std::slice::from_ref(&sq))?.to_vec::<f64>()?,
            vec![12.0]
        );
        assert_eq!(
            Tensor::einsum("ii->i", &[sq])?.to_vec::<f64>()?,
            vec![0.0, 4.0, 8.0]
        );
        // implicit output of a single operand: labels in alphabetical order (a transpose)
        let tr = Tensor::einsum("ba", &[a])?;
        assert_eq!(tr.shape(), &[3, 2]);
        Ok(())
    }

    #[test]
    fn ellipsis_broadcast_and_errors() -> Result<()> {
        let a = t(vec![1.0; 12], &[2, 2, 3])?;
        let b = t(vec![1.0; 12], &[3, 4])?;
        let r = Tensor::einsum("...ij,...jk", &[a.clone(), b.clone()])?;
        assert_eq!(r.shape(), &[2, 2, 4]);
        assert!(r.to_vec::<f64>()?.iter().all(|&v| v == 3.0));
        let err = Tensor::einsum("ij,jk->ii", &[b.clone(), b])
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("einsum(): output subscript i appears more than once in the output")
        );
        assert!(Tensor::einsum("ij", &[a]).is_err());
        Ok(())
    }
}
