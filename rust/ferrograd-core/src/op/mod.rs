//! The op tables: every elementwise op listed once, with PyTorch's name for it, the kernel name
//! PyTorch's "not implemented" messages use, and its dtype rules. The kernels (`cpu/unary.rs`,
//! `cpu/binary.rs`) hold the scalar function of each op; the Tensor methods, the binding and the
//! tests all take their op lists from here.

pub mod binary;
pub mod unary;

pub use binary::BinaryOp;
pub use unary::UnaryOp;

use crate::dtype::{default_float, Category, DType};
use crate::error::{Error, ErrorKind, Result};

/// Which dtypes an op has a kernel for (checked on the dtype it computes in).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accepts {
    All,
    NoBool,
    /// Float dtypes only (`frac`, `hypot`).
    Float,
    /// Integers and bool (`bitwise_and`, `~`).
    IntegralAndBool,
    /// Integers only (the shifts).
    Integral,
}

/// The dtype an op computes in, from the promoted dtype of its inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compute {
    /// The promoted dtype itself (`add`, `abs`, `floor`).
    Promoted,
    /// Integers and bool become the default float dtype (`exp`, `div`, `atan2`).
    IntToFloat,
    /// Bool becomes int64, as `pow(x, 2)` does for `square`.
    BoolToLong,
    /// Always float64 (`float_power`).
    Double,
}

/// The dtype an op returns: the one it computes in, or bool (comparisons, predicates).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    Computed,
    Bool,
}

/// The table row shared by unary and binary ops.
#[derive(Clone, Copy, Debug)]
pub struct OpInfo {
    pub name: &'static str,
    /// PyTorch's kernel name, as its `"abs_cpu" not implemented for 'Bool'` messages show it.
    pub kernel: &'static str,
    pub accepts: Accepts,
    pub compute: Compute,
    pub output: Output,
}

impl OpInfo {
    /// The dtype the op computes in, given the promoted dtype of its inputs; an error when the
    /// op has no kernel for it.
    pub fn compute_dtype(&self, promoted: DType) -> Result<DType> {
        let dtype = match self.compute {
            Compute::Promoted => promoted,
            Compute::IntToFloat if !promoted.is_floating_point() => default_float(),
            Compute::IntToFloat => promoted,
            Compute::BoolToLong if promoted == DType::Bool => DType::I64,
            Compute::BoolToLong => promoted,
            Compute::Double => DType::F64,
        };
        let ok = match self.accepts {
            Accepts::All => true,
            Accepts::NoBool => dtype != DType::Bool,
            Accepts::Float => dtype.is_floating_point(),
            Accepts::IntegralAndBool => dtype.category() != Category::Floating,
            Accepts::Integral => dtype.is_integer(),
        };
        if ok {
            Ok(dtype)
        } else {
            Err(not_implemented(self.kernel, dtype))
        }
    }

    pub fn output_dtype(&self, compute: DType) -> DType {
        match self.output {
            Output::Computed => compute,
            Output::Bool => DType::Bool,
        }
    }
}

/// PyTorch's NotImplementedError for a kernel without an implementation for a dtype.
pub fn not_implemented(kernel: &str, dtype: DType) -> Error {
    Error::Other {
        kind: ErrorKind::NotImplemented,
        msg: format!(
            "\"{kernel}\" not implemented for '{}'",
            dtype.scalar_type_name()
        ),
    }
}

/// A NotImplementedError with its own text (PyTorch's messages for bool negation and such).
pub fn not_implemented_msg(msg: impl Into<String>) -> Error {
    Error::Other {
        kind: ErrorKind::NotImplemented,
        msg: msg.into(),
    }
}
