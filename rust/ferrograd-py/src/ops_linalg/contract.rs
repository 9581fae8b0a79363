//! Bindings of the contractions that PyTorch has only as functions: `tensordot`, `einsum`
//! (all three call forms) and `chain_matmul`.

use ferrograd_core::Tensor;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use super::{finish, Out};
use crate::args::extract_int;
use crate::errors::run;
use crate::errors::{core, runtime_err, type_err};
use crate::tensor::{wrap, PyTensor};

/// A rough multiply-add count for a product of these operands.
fn work(a: &Tensor, b: &Tensor) -> usize {
    let inner = a.shape().last().copied().unwrap_or(1);
    a.numel().saturating_mul(b.numel()) / inner.max(1)
}

/// A list of ints from a list/tuple (or a 1-D integer tensor), for tensordot's dims.
fn dim_list(obj: &Bound<'_, PyAny>, arg: &str, pos: usize) -> PyResult<Vec<i64>> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = t.borrow().t.clone();
        return core("tensordot", || t.host_values::<i64>());
    }
    let items: Vec<Bound<'_, PyAny>> = if let Ok(l) = obj.cast::<PyList>() {
        l.iter().collect()
    } else if let Ok(t) = obj.cast::<PyTuple>() {
        t.iter().collect()
    } else {
        let what = obj
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        return Err(type_err(format!(
            "tensordot(): argument '{arg}' (position {pos}) must be tuple of ints, not {what}"
        )));
    };
    items
        .iter()
        .map(|i| {
            extract_int(i).ok_or_else(|| {
                type_err(format!(
                    "tensordot(): argument '{arg}' (position {pos}) must be tuple of ints"
                ))
            })
        })
        .collect()
}

/// `tensordot(a, b, dims=2)`: `dims` is an int, a pair of dim lists, or a tensor of either.
#[pyfunction]
#[pyo3(signature = (a, b, dims=None, out=None))]
fn tensordot(
    py: Python<'_>,
    a: PyRef<'_, PyTensor>,
    b: PyRef<'_, PyTensor>,
    dims: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyTensor>>,
) -> Out {
    let (x, y) = (&a.t, &b.t);
    let r = match dims {
        None => run(py, "tensordot", work(x, y), || x.tensordot_n(y, 2))?,
        Some(d) => {
            let as_tensor = d.cast::<PyTensor>().ok().map(|t| t.borrow().t.clone());
            let n = match &as_tensor {
                Some(t) if t.ndim() == 0 => Some(core("tensordot", || t.item())?.to_f64() as i64),
                Some(_) => None,
                None => extract_int(d),
            };
            if let Some(n) = n {
                run(py, "tensordot", work(x, y), || x.tensordot_n(y, n))?
            } else {
                let pair: Vec<Bound<'_, PyAny>> = match &as_tensor {
                    Some(t) => (0..t.shape().first().copied().unwrap_or(0)).map(|i| d.get_item(i)).collect::<PyResult<_>>()?,
                    None if d.cast::<PyList>().is_ok() || d.cast::<PyTuple>().is_ok() => d.try_iter()?.collect::<PyResult<_>>()?,
                    None => {
                        return Err(runtime_err(format!(
                            "tensordot expects dims to be int or tuple[list[int], list[int]] or list[list[int]] containing two lists, but got dims={}",
                            d.str()?
                        )))
                    }
                };
                if pair.len() != 2 {
                    return Err(runtime_err("tensordot expects dims to be a pair of lists"));
                }
                let da = dim_list(&pair[0], "dims_self", 3)?;
                let db = dim_list(&pair[1], "dims_other", 4)?;
                run(py, "tensordot", work(x, y), || x.tensordot(y, &da, &db))?
            }
        }
    };
    finish(py, r, out)
}

/// Tensors from a sequence argument (einsum's operand list, multi_dot's list).
pub fn tensor_seq(obj: &Bound<'_, PyAny>, arg: usize) -> PyResult<Vec<Tensor>> {
    let mut out = Vec::new();
    for (i, item) in obj.try_iter()?.enumerate() {
        let item = item?;
        let t = item.cast::<PyTensor>().map_err(|_| {
            let what = item
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default();
            type_err(format!(
                "expected Tensor as element {i} in argument {arg}, but got {what}"
            ))
        })?;
        out.push(t.borrow().t.clone());
    }
    Ok(out)
}

/// einsum's sublist form (`einsum(a, [0, 1], b, [1, 2], [0, 2])`) as an equation string.
fn sublist_equation(args: &Bound<'_, PyTuple>) -> PyResult<(String, Vec<Tensor>)> {
    let n = args.len();
    let letter = |obj: Bound<'_, PyAny>| -> PyResult<String> {
        if obj.is(py_ellipsis(obj.py())) {
            return Ok("...".into());
        }
        match extract_int(&obj) {
            Some(i @ 0..=25) => Ok(((b'A' + i as u8) as char).to_string()),
            Some(i @ 26..=51) => Ok(((b'a' + (i - 26) as u8) as char).to_string()),
            _ => Err(PyValueError::new_err(
                "einsum(): subscript in subscript list is not within the valid range [0, 52)",
            )),
        }
    };
    let subs = |obj: Bound<'_, PyAny>| -> PyResult<String> {
        obj.try_iter()?
            .map(|x| letter(x?))
            .collect::<PyResult<Vec<_>>>()
            .map(|v| v.concat())
    };
    let (mut ops, mut terms) = (Vec::new(), Vec::new());
    for i in 0..n / 2 {
        ops.push(args.get_item(2 * i)?);
        terms.push(subs(args.get_item(2 * i + 1)?)?);
    }
    let mut eq = terms.join(",");
    if n % 2 == 1 {
        eq.push_str("->");
        eq.push_str(&subs(args.get_item(n - 1)?)?);
    }
    let list = PyList::new(args.py(), ops)?;
    Ok((eq, tensor_seq(list.as_any(), 1)?))
}

fn py_ellipsis(py: Python<'_>) -> Bound<'_, PyAny> {
    py.Ellipsis().into_bound(py)
}

/// `einsum(equation, *operands)`, `einsum(equation, [operands])`, or the sublist form.
#[pyfunction]
#[pyo3(signature = (*args))]
fn einsum(py: Python<'_>, args: &Bound<'_, PyTuple>) -> Out {
    if args.len() < 2 {
        return Err(PyValueError::new_err(
            "einsum(): must specify the equation string and at least one operand, or at least one operand and its subscripts list",
        ));
    }
    let first = args.get_item(0)?;
    let (equation, operands) = if first.cast::<PyTensor>().is_ok() {
        sublist_equation(args)?
    } else {
        let eq: String = first.extract().map_err(|_| {
            let what = first
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default();
            type_err(format!(
                "einsum(): argument 'equation' (position 1) must be str, not {what}"
            ))
        })?;
        let rest = args.get_slice(1, args.len());
        let second = rest.get_item(0)?;
        let ops = if rest.len() == 1 && second.cast::<PyTensor>().is_err() {
            tensor_seq(&second, 1)?
        } else {
            tensor_seq(rest.as_any(), 1)?
        };
        (eq, ops)
    };
    let work = operands.iter().map(|t| t.numel()).product::<usize>();
    wrap(
        py,
        run(py, "einsum", work, || Tensor::einsum(&equation, &operands))?,
    )
}

/// `chain_matmul(*matrices)`: deprecated in PyTorch in favour of `linalg.multi_dot`.
#[pyfunction]
#[pyo3(signature = (*matrices, out=None))]
fn chain_matmul(
    py: Python<'_>,
    matrices: &Bound<'_, PyTuple>,
    out: Option<&Bound<'_, PyTensor>>,
) -> Out {
    let mats = tensor_seq(matrices.as_any(), 0)?;
    let r = core("chain_matmul", || Tensor::chain_matmul(&mats))?;
    finish(py, r, out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(tensordot, m)?)?;
    m.add_function(wrap_pyfunction!(einsum, m)?)?;
    m.add_function(wrap_pyfunction!(chain_matmul, m)?)?;
    Ok(())
}
