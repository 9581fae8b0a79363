//! `Scalar`, a Python-style number (bool, int or float) as `item()` returns it and as
//! `fill_`/`full` take it, with its natural dtype and its casts to element types.

use super::{DType, Element};

/// A Python-style scalar: what `item()` returns and what `fill_`/`full` take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl Scalar {
    /// The dtype PyTorch gives a Python number of this kind (floats take the default dtype).
    pub fn natural_dtype(self, default_float: DType) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::Int(_) => DType::I64,
            Scalar::Float(_) => default_float,
        }
    }

    pub fn to_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => b as u8 as f64,
            Scalar::Int(i) => i as f64,
            Scalar::Float(f) => f,
        }
    }

    /// Converts to an element type with the same rules as a tensor cast.
    pub fn cast<T: Element>(self) -> T {
        match self {
            Scalar::Bool(b) => T::from_bool(b),
            Scalar::Int(i) => T::from_i64(i),
            Scalar::Float(f) => T::from_f64(f),
        }
    }
}
