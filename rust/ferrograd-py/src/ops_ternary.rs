//! Elementwise ops with more than two operands or with parameters, in Python: `where`, `lerp`,
//! `addcmul`, `addcdiv`, `clamp`/`clip`, `round(decimals)`, `logit`, `nan_to_num`,
//! `isclose`, `allclose`, `equal`.

use ferrograd_core::cpu::ternary::TernaryOp;
use ferrograd_core::{ternary_op, where_op, Arg, Scalar, Tensor};
use pyo3::prelude::*;

use crate::args::extract_scalar;
use crate::errors::run;
use crate::ops_elementwise::{operand, required_operand, tensor_operand};
use crate::out_arg::{broadcast_of, deliver, out_target, result, OutRule};
use crate::tensor::PyTensor;

fn this(slf: &Bound<'_, PyTensor>) -> Tensor {
    slf.borrow().t.clone()
}

fn optional_operand(
    op: &str,
    name: &str,
    pos: usize,
    obj: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Arg>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => required_operand(op, name, pos, o).map(Some),
    }
}

fn scalar_or_one(value: Option<&Bound<'_, PyAny>>) -> PyResult<Scalar> {
    Ok(value
        .map(extract_scalar)
        .transpose()?
        .unwrap_or(Scalar::Int(1)))
}

fn ternary_call(
    py: Python<'_>,
    op: TernaryOp,
    args: [Arg; 3],
    out: Option<&Bound<'_, PyTensor>>,
    inplace_into: Option<&Tensor>,
) -> PyResult<Py<PyAny>> {
    let shape = broadcast_of(&[args[0].shape(), args[1].shape(), args[2].shape()]);
    let target = inplace_into
        .cloned()
        .or_else(|| out_target(out, shape.as_deref()));
    let numel = match &args[0] {
        Arg::Tensor(t) => t.numel(),
        Arg::Scalar(_) => 1,
    };
    let [a, b, c] = args;
    let t = run(py, op.name(), numel, || {
        ternary_op(op, &a, &b, &c, target.as_ref())
    })?;
    result(py, t, out)
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (end, weight, *, out=None))]
    fn lerp(
        slf: &Bound<'_, Self>,
        end: &Bound<'_, PyAny>,
        weight: &Bound<'_, PyAny>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let args = [
            Arg::Tensor(this(slf)),
            Arg::Tensor(tensor_operand("lerp", "end", 2, end)?),
            required_operand("lerp", "weight", 3, weight)?,
        ];
        ternary_call(slf.py(), TernaryOp::Lerp, args, out, None)
    }

    fn lerp_<'py>(
        slf: &Bound<'py, Self>,
        end: &Bound<'py, PyAny>,
        weight: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        let x = this(slf);
        let args = [
            Arg::Tensor(x.clone()),
            Arg::Tensor(tensor_operand("lerp_", "end", 1, end)?),
            required_operand("lerp_", "weight", 2, weight)?,
        ];
        ternary_call(slf.py(), TernaryOp::Lerp, args, None, Some(&x))?;
        Ok(slf.clone())
    }

    #[pyo3(signature = (tensor1, tensor2, *, value=None, out=None))]
    fn addcmul(
        slf: &Bound<'_, Self>,
        tensor1: &Bound<'_, PyAny>,
        tensor2: &Bound<'_, PyAny>,
        value: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let args = [
            Arg::Tensor(this(slf)),
            Arg::Tensor(tensor_operand("addcmul", "tensor1", 2, tensor1)?),
            Arg::Tensor(tensor_operand("addcmul", "tensor2", 3, tensor2)?),
        ];
        ternary_call(
            slf.py(),
            TernaryOp::Addcmul(scalar_or_one(value)?),
            args,
            out,
            None,
        )
    }

    #[pyo3(signature = (tensor1, tensor2, *, value=None))]
    fn addcmul_<'py>(
        slf: &Bound<'py, Self>,
        tensor1: &Bound<'py, PyAny>,
        tensor2: &Bound<'py, PyAny>,
        value: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, Self>> {
        let x = this(slf);
        let args = [
            Arg::Tensor(x.clone()),
            Arg::Tensor(tensor_operand("addcmul_", "tensor1", 1, tensor1)?),
            Arg::Tensor(tensor_operand("addcmul_", "tensor2", 2, tensor2)?),
        ];
        ternary_call(
            slf.py(),
            TernaryOp::Addcmul(scalar_or_one(value)?),
            args,
            None,
            Some(&x),
        )?;
        Ok(slf.clone())
    }

    #[pyo3(signature = (tensor1, tensor2, *, value=None, out=None))]
    fn addcdiv(
        slf: &Bound<'_, Self>,
        tensor1: &Bound<'_, PyAny>,
        tensor2: &Bound<'_, PyAny>,
        value: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let args = [
            Arg::Tensor(this(slf)),
            Arg::Tensor(tensor_operand("addcdiv", "tensor1", 2, tensor1)?),
            Arg::Tensor(tensor_operand("addcdiv", "tensor2", 3, tensor2)?),
        ];
        ternary_call(
            slf.py(),
            TernaryOp::Addcdiv(scalar_or_one(value)?),
            args,
            out,
            None,
        )
    }

    #[pyo3(signature = (tensor1, tensor2, *, value=None))]
    fn addcdiv_<'py>(
        slf: &Bound<'py, Self>,
        tensor1: &Bound<'py, PyAny>,
        tensor2: &Bound<'py, PyAny>,
        value: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, Self>> {
        let x = this(slf);
        let args = [
            Arg::Tensor(x.clone()),
            Arg::Tensor(tensor_operand("addcdiv_", "tensor1", 1, tensor1)?),
            Arg::Tensor(tensor_operand("addcdiv_", "tensor2", 2, tensor2)?),
        ];
        ternary_call(
            slf.py(),
            TernaryOp::Addcdiv(scalar_or_one(value)?),
            args,
            None,
            Some(&x),
        )?;
        Ok(slf.clone())
    }

    /// `x.where(condition, y)`: x where the condition holds, else y.
    fn r#where(
        slf: &Bound<'_, Self>,
        condition: &Bound<'_, PyAny>,
        other: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        let cond = tensor_operand("where", "condition", 1, condition)?;
        let b = required_operand("where", "other", 2, other)?;
        let a = Arg::Tensor(this(slf));
        let t = run(slf.py(), "where", cond.numel(), || {
            where_op(&cond, &a, &b, None)
        })?;
        result(slf.py(), t, None)
    }

    #[pyo3(signature = (min=None, max=None, *, out=None))]
    fn clamp(
        slf: &Bound<'_, Self>,
        min: Option<&Bound<'_, PyAny>>,
        max: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        clamp_call(slf, min, max, out, false, Clamp::Both)
    }

    #[pyo3(signature = (min=None, max=None))]
    fn clamp_(
        slf: &Bound<'_, Self>,
        min: Option<&Bound<'_, PyAny>>,
        max: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        clamp_call(slf, min, max, None, true, Clamp::Both)
    }

    #[pyo3(signature = (min=None, max=None, *, out=None))]
    fn clip(
        slf: &Bound<'_, Self>,
        min: Option<&Bound<'_, PyAny>>,
        max: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        clamp_call(slf, min, max, out, false, Clamp::Both)
    }

    #[pyo3(signature = (min=None, max=None))]
    fn clip_(
        slf: &Bound<'_, Self>,
        min: Option<&Bound<'_, PyAny>>,
        max: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        clamp_call(slf, min, max, None, true, Clamp::Both)
    }

    #[pyo3(signature = (min, *, out=None))]
    fn clamp_min(
        slf: &Bound<'_, Self>,
        min: &Bound<'_, PyAny>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        clamp_call(slf, Some(min), None, out, false, Clamp::Min)
    }

    fn clamp_min_(slf: &Bound<'_, Self>, min: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        clamp_call(slf, Some(min), None, None, true, Clamp::Min)
    }

    #[pyo3(signature = (max, *, out=None))]
    fn clamp_max(
        slf: &Bound<'_, Self>,
        max: &Bound<'_, PyAny>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        clamp_call(slf, None, Some(max), out, false, Clamp::Max)
    }

    fn clamp_max_(slf: &Bound<'_, Self>, max: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        clamp_call(slf, None, Some(max), None, true, Clamp::Max)
    }

    #[pyo3(signature = (*, decimals=0, out=None))]
    fn round(
        slf: &Bound<'_, Self>,
        decimals: i64,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let x = this(slf);
        let target = out_target(out, Some(x.shape()));
        let t = run(slf.py(), "round", x.numel(), || {
            x.round_decimals(decimals, target.as_ref())
        })?;
        result(slf.py(), t, out)
    }

    #[pyo3(signature = (*, decimals=0))]
    fn round_<'py>(slf: &Bound<'py, Self>, decimals: i64) -> PyResult<Bound<'py, Self>> {
        let x = this(slf);
        run(slf.py(), "round_", x.numel(), || {
            x.round_decimals(decimals, Some(&x))
        })?;
        Ok(slf.clone())
    }

    #[pyo3(signature = (eps=None, *, out=None))]
    fn logit(
        slf: &Bound<'_, Self>,
        eps: Option<f64>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let x = this(slf);
        let target = out_target(out, Some(x.shape()));
        let t = run(slf.py(), "logit", x.numel(), || {
            x.logit(eps, target.as_ref())
        })?;
        result(slf.py(), t, out)
    }

    #[pyo3(signature = (eps=None))]
    fn logit_<'py>(slf: &Bound<'py, Self>, eps: Option<f64>) -> PyResult<Bound<'py, Self>> {
        let x = this(slf);
        run(slf.py(), "logit_", x.numel(), || x.logit(eps, Some(&x)))?;
        Ok(slf.clone())
    }

    #[pyo3(signature = (nan=0.0, posinf=None, neginf=None, *, out=None))]
    fn nan_to_num(
        slf: &Bound<'_, Self>,
        nan: Option<f64>,
        posinf: Option<f64>,
        neginf: Option<f64>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let x = this(slf);
        let target = out_target(out, Some(x.shape()));
        let t = run(slf.py(), "nan_to_num", x.numel(), || {
            x.nan_to_num(nan, posinf, neginf, target.as_ref())
        })?;
        result(slf.py(), t, out)
    }

    #[pyo3(signature = (nan=0.0, posinf=None, neginf=None))]
    fn nan_to_num_<'py>(
        slf: &Bound<'py, Self>,
        nan: Option<f64>,
        posinf: Option<f64>,
        neginf: Option<f64>,
    ) -> PyResult<Bound<'py, Self>> {
        let x = this(slf);
        run(slf.py(), "nan_to_num_", x.numel(), || {
            x.nan_to_num(nan, posinf, neginf, Some(&x))
        })?;
        Ok(slf.clone())
    }

    #[pyo3(signature = (other, rtol=1e-05, atol=1e-08, equal_nan=false))]
    fn isclose(
        slf: &Bound<'_, Self>,
        other: &Bound<'_, PyAny>,
        rtol: f64,
        atol: f64,
        equal_nan: bool,
    ) -> PyResult<Py<PyAny>> {
        let (x, y) = (this(slf), tensor_operand("isclose", "other", 2, other)?);
        let t = run(slf.py(), "isclose", x.numel(), || {
            x.isclose(&y, rtol, atol, equal_nan)
        })?;
        result(slf.py(), t, None)
    }

    #[pyo3(signature = (other, rtol=1e-05, atol=1e-08, equal_nan=false))]
    fn allclose(
        slf: &Bound<'_, Self>,
        other: &Bound<'_, PyAny>,
        rtol: f64,
        atol: f64,
        equal_nan: bool,
    ) -> PyResult<bool> {
        let (x, y) = (this(slf), tensor_operand("allclose", "other", 2, other)?);
        run(slf.py(), "allclose", x.numel(), || {
            x.allclose(&y, rtol, atol, equal_nan)
        })
    }

    fn equal(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let (x, y) = (this(slf), tensor_operand("equal", "other", 2, other)?);
        run(slf.py(), "equal", x.numel(), || x.equal(&y))
    }
}

/// Which clamp a call is: they compute the same, but record different nodes
/// (`ClampBackward1`, `ClampMinBackward0`, `ClampMaxBackward0`).
#[derive(Clone, Copy)]
enum Clamp {
    Both,
    Min,
    Max,
}

fn clamp_call(
    slf: &Bound<'_, PyTensor>,
    min: Option<&Bound<'_, PyAny>>,
    max: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyTensor>>,
    inplace: bool,
    kind: Clamp,
) -> PyResult<Py<PyAny>> {
    let x = this(slf);
    let lo = optional_operand("clamp", "min", 2, min)?;
    let hi = optional_operand("clamp", "max", 3, max)?;
    // With only Python-number bounds PyTorch wants `out` of exactly the result's dtype.
    let scalar_bounds = ![&lo, &hi].iter().any(|a| matches!(a, Some(Arg::Tensor(_))));
    let target = if inplace {
        Some(x.clone())
    } else if scalar_bounds && out.is_some() {
        None
    } else {
        let bounds = [lo.as_ref(), hi.as_ref()].map(|a| a.map_or(&[][..], |a| a.shape()));
        let shapes = [x.shape(), bounds[0], bounds[1]];
        out_target(out, broadcast_of(&shapes).as_deref())
    };
    let t = run(slf.py(), "clamp", x.numel(), || match (kind, &lo, &hi) {
        (Clamp::Min, Some(lo), None) => x.clamp_min(lo, target.as_ref()),
        (Clamp::Max, None, Some(hi)) => x.clamp_max(hi, target.as_ref()),
        _ => x.clamp(lo.as_ref(), hi.as_ref(), target.as_ref()),
    })?;
    if inplace {
        return Ok(slf.clone().into_any().unbind());
    }
    if scalar_bounds {
        return deliver(slf.py(), t, out, CLAMP_SCALAR_OUT);
    }
    result(slf.py(), t, out)
}

/// The check of `out=` for `clamp` with Python-number bounds.
const CLAMP_SCALAR_OUT: OutRule = OutRule::Mismatch(|have, want| {
    format!(
        "Found dtype {} but expected {}",
        have.scalar_type_name(),
        want.scalar_type_name()
    )
});

/// `where(condition, input, other)`; with the condition alone it is `nonzero(as_tuple=True)`.
#[pyfunction]
#[pyo3(name = "where", signature = (condition, input=None, other=None, *, out=None))]
fn where_function(
    py: Python<'_>,
    condition: &Bound<'_, PyAny>,
    input: Option<&Bound<'_, PyAny>>,
    other: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyTensor>>,
) -> PyResult<Py<PyAny>> {
    let cond = tensor_operand("where", "condition", 1, condition)?;
    let (Some(input), Some(other)) = (input, other) else {
        if input.is_none() && other.is_none() {
            let kwargs = pyo3::types::PyDict::new(py);
            kwargs.set_item("as_tuple", true)?;
            return Ok(condition
                .call_method("nonzero", (), Some(&kwargs))?
                .unbind());
        }
        return Err(crate::errors::type_err(
            "where() missing required argument: both 'input' and 'other' must be given",
        ));
    };
    let a = operand(input)?.ok_or_else(|| {
        crate::errors::type_err("where(): argument 'input' must be Tensor or Number")
    })?;
    let b = operand(other)?.ok_or_else(|| {
        crate::errors::type_err("where(): argument 'other' must be Tensor or Number")
    })?;
    let target = out_target(
        out,
        broadcast_of(&[cond.shape(), a.shape(), b.shape()]).as_deref(),
    );
    let t = run(py, "where", cond.numel(), || {
        where_op(&cond, &a, &b, target.as_ref())
    })?;
    result(py, t, out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(where_function, m)?)?;
    crate::exports::export_methods(
        m,
        &[
            "lerp",
            "addcmul",
            "addcdiv",
            "clamp",
            "clamp_",
            "clip",
            "clip_",
            "clamp_min",
            "clamp_min_",
            "clamp_max",
            "clamp_max_",
            "round",
            "round_",
            "logit",
            "logit_",
            "nan_to_num",
            "nan_to_num_",
            "isclose",
            "allclose",
            "equal",
        ],
    )
}
