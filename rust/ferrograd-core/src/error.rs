//! Errors as data: one enum carrying what went wrong, which op, and the shapes and dtypes.
//!
//! The binding maps each variant to the Python exception PyTorch raises ([`ErrorKind`]), and the
//! `Display` text is PyTorch's message wherever PyTorch has one.

use crate::dtype::DType;

/// Which Python exception an error becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    Runtime,
    Index,
    Type,
    Value,
    /// An op that has no kernel for a dtype (PyTorch's `NotImplementedError`).
    NotImplemented,
    /// A `RuntimeError` that PyTorch raises for allocation failures.
    OutOfMemory,
}

fn fmt_shape(shape: &[usize]) -> String {
    let parts: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Error {
    #[error("Dimension out of range (expected to be in range of [{}, {}], but got {dim})", -(*.ndim.max(&1) as i64), *.ndim.max(&1) as i64 - 1)]
    DimOutOfRange { dim: i64, ndim: usize },

    #[error("Dimension specified as {dim} but tensor has no dimensions")]
    DimOnScalar { dim: i64 },

    #[error("index {index} is out of bounds for dimension {dim} with size {size}")]
    IndexOutOfBounds { index: i64, dim: usize, size: usize },

    #[error("shape '{}' is invalid for input of size {numel}", fmt_signed(.shape))]
    InvalidShape { shape: Vec<i64>, numel: usize },

    #[error("view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.")]
    ViewIncompatible,

    #[error("The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton dimension {dim}")]
    BroadcastMismatch { a: usize, b: usize, dim: usize },

    #[error("The expanded size of the tensor ({target}) must match the existing size ({existing}) at non-singleton dimension {dim}.  Target sizes: {}.  Tensor sizes: {}", fmt_signed(.target_shape), fmt_shape(.shape))]
    ExpandMismatch {
        target: i64,
        existing: usize,
        dim: usize,
        target_shape: Vec<i64>,
        shape: Vec<usize>,
    },

    #[error("a Tensor with {numel} elements cannot be converted to Scalar")]
    NotAScalar { numel: usize },

    #[error("{op}: unsupported dtype {dtype}")]
    UnsupportedDType { op: &'static str, dtype: DType },

    #[error("[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: not enough memory: you tried to allocate {nbytes} bytes.")]
    OutOfMemory { nbytes: usize },

    /// A decomposition that failed on the values of its input (a singular matrix, one that is
    /// not positive-definite): PyTorch's `torch.linalg.LinAlgError`, a RuntimeError subclass.
    #[error("{msg}")]
    LinAlg { msg: String },

    /// Any other failure, with the Python exception kind and PyTorch's message.
    #[error("{msg}")]
    Other { kind: ErrorKind, msg: String },
}

fn fmt_signed(shape: &[i64]) -> String {
    let parts: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::DimOutOfRange { .. } | Error::DimOnScalar { .. } => ErrorKind::Index,
            Error::IndexOutOfBounds { .. } => ErrorKind::Index,
            Error::OutOfMemory { .. } => ErrorKind::OutOfMemory,
            Error::Other { kind, .. } => *kind,
            _ => ErrorKind::Runtime,
        }
    }

    pub fn runtime(msg: impl Into<String>) -> Self {
        Error::Other {
            kind: ErrorKind::Runtime,
            msg: msg.into(),
        }
    }

    pub fn index(msg: impl Into<String>) -> Self {
        Error::Other {
            kind: ErrorKind::Index,
            msg: msg.into(),
        }
    }

    pub fn type_error(msg: impl Into<String>) -> Self {
        Error::Other {
            kind: ErrorKind::Type,
            msg: msg.into(),
        }
    }

    pub fn value(msg: impl Into<String>) -> Self {
        Error::Other {
            kind: ErrorKind::Value,
            msg: msg.into(),
        }
    }
}

/// Formats a shape the way PyTorch's messages do: `[2, 3]`.
pub fn shape_str(shape: &[usize]) -> String {
    fmt_shape(shape)
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
