//! Parsing an `einsum` equation: the labels of each operand (letters, and `...`), the output
//! labels (explicit after `->`, or PyTorch's implicit rule), and where each label goes in the
//! aligned order the contraction works in. Messages are PyTorch's.

use super::Tensor;
use crate::error::{Error, Result};

/// 26 upper-case then 26 lower-case letters; the ellipsis gets its own code.
pub(super) const TOTAL_LABELS: usize = 52;
pub(super) const ELLIPSIS: u8 = TOTAL_LABELS as u8;

pub(super) fn err(msg: impl Into<String>) -> Error {
    Error::runtime(format!("einsum(): {}", msg.into()))
}

fn label_code(c: u8) -> u8 {
    if c.is_ascii_uppercase() {
        c - b'A'
    } else {
        c - b'a' + 26
    }
}

pub(super) fn label_char(code: usize) -> char {
    if code < 26 {
        (b'A' + code as u8) as char
    } else {
        (b'a' + (code - 26) as u8) as char
    }
}

/// Reads "..." starting at `bytes[*i]`, advancing `*i` to its last dot; false if it is not one.
fn take_ellipsis(bytes: &[u8], i: &mut usize) -> bool {
    if *i + 2 < bytes.len() && bytes[*i + 1] == b'.' && bytes[*i + 2] == b'.' {
        *i += 2;
        true
    } else {
        false
    }
}

/// The labels of each operand (left of "->"), as codes.
pub(super) fn parse_inputs(lhs: &str, num_ops: usize) -> Result<Vec<Vec<u8>>> {
    let bytes = lhs.as_bytes();
    let mut labels = vec![Vec::new(); num_ops];
    let (mut op, mut has_ellipsis, mut i) = (0usize, false, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b' ' => {}
            b'.' => {
                if has_ellipsis {
                    return Err(err(format!(
                        "found '.' for operand {op} for which an ellipsis was already found"
                    )));
                }
                if !take_ellipsis(bytes, &mut i) {
                    return Err(err(format!(
                        "found '.' for operand {op} that is not part of any ellipsis"
                    )));
                }
                labels[op].push(ELLIPSIS);
                has_ellipsis = true;
            }
            b',' => {
                op += 1;
                if op >= num_ops {
                    return Err(err(
                        "fewer operands were provided than specified in the equation",
                    ));
                }
                has_ellipsis = false;
            }
            c if c.is_ascii_alphabetic() => labels[op].push(label_code(c)),
            _ => {
                return Err(err(format!(
                    "invalid subscript given at index {i} in the equation string, subscripts must be in [a-zA-Z]"
                )))
            }
        }
        i += 1;
    }
    if op != num_ops - 1 {
        return Err(err(
            "more operands were provided than specified in the equation",
        ));
    }
    Ok(labels)
}

/// Where each label and the ellipsis dims go in the aligned order: output dims first, then
/// the dims to sum out.
pub(super) struct Alignment {
    /// Position of each label in the aligned order (`None` if unused).
    pub(super) perm_index: Vec<Option<usize>>,
    /// First aligned position of the ellipsis dims.
    pub(super) ell_index: usize,
    pub(super) ell_num_dim: usize,
    pub(super) out_num_dim: usize,
    pub(super) total: usize,
}

pub(super) fn plan_output(
    rhs: Option<&str>,
    lhs_len: usize,
    count: &[usize],
    ell_num_dim: usize,
) -> Result<Alignment> {
    let mut perm_index: Vec<Option<usize>> = vec![None; TOTAL_LABELS];
    let (mut next, mut ell_index, mut ell_in_output) = (0usize, 0usize, false);
    match rhs {
        None => {
            // Implicit output: the ellipsis, then the labels seen exactly once, in order.
            next = ell_num_dim;
            ell_in_output = true;
            for (label, &c) in count.iter().enumerate() {
                if c == 1 {
                    perm_index[label] = Some(next);
                    next += 1;
                }
            }
        }
        Some(rhs) => {
            let bytes = rhs.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                match bytes[i] {
                    b' ' => {}
                    b'.' => {
                        if ell_in_output {
                            return Err(err("found '.' for output but an ellipsis (...) was already found"));
                        }
                        if !take_ellipsis(bytes, &mut i) {
                            return Err(err("found '.' for output that is not part of any ellipsis (...)"));
                        }
                        ell_index = next;
                        next += ell_num_dim;
                        ell_in_output = true;
                    }
                    c if c.is_ascii_alphabetic() => {
                        let code = label_code(c) as usize;
                        if count[code] == 0 || perm_index[code].is_some() {
                            let why = if perm_index[code].is_some() {
                                "appears more than once in the output"
                            } else {
                                "does not appear in the equation for any input operand"
                            };
                            return Err(err(format!("output subscript {} {why}", c as char)));
                        }
                        perm_index[code] = Some(next);
                        next += 1;
                    }
                    _ => {
                        return Err(err(format!(
                            "invalid subscript given at index {} in the equation string, subscripts must be in [a-zA-Z]",
                            lhs_len + 2 + i
                        )))
                    }
                }
                i += 1;
            }
        }
    }
    let out_num_dim = next;
    if !ell_in_output {
        ell_index = next;
        next += ell_num_dim;
    }
    for (label, &c) in count.iter().enumerate() {
        if c > 0 && perm_index[label].is_none() {
            perm_index[label] = Some(next);
            next += 1;
        }
    }
    Ok(Alignment {
        perm_index,
        ell_index,
        ell_num_dim,
        out_num_dim,
        total: next,
    })
}

/// Label counts and the widest ellipsis, checking each operand's rank against its labels.
pub(super) fn count_labels(labels: &[Vec<u8>], operands: &[Tensor]) -> Result<(Vec<usize>, usize)> {
    let mut count = vec![0usize; TOTAL_LABELS];
    let mut ell_num_dim = 0usize;
    for (i, (ls, op)) in labels.iter().zip(operands).enumerate() {
        let has_ellipsis = ls.contains(&ELLIPSIS);
        let nlabels = ls.len() - has_ellipsis as usize;
        for &l in ls.iter().filter(|&&l| l != ELLIPSIS) {
            count[l as usize] += 1;
        }
        if has_ellipsis && nlabels > op.ndim() {
            return Err(err(format!(
                "the number of subscripts in the equation ({nlabels}) is more than the number of dimensions ({}) for operand {i}",
                op.ndim()
            )));
        }
        if !has_ellipsis && nlabels != op.ndim() {
            return Err(err(format!(
                "the number of subscripts in the equation ({nlabels}) does not match the number of dimensions ({}) for operand {i} and no ellipsis was given",
                op.ndim()
            )));
        }
        if has_ellipsis {
            ell_num_dim = ell_num_dim.max(op.ndim() - nlabels);
        }
    }
    Ok((count, ell_num_dim))
}
