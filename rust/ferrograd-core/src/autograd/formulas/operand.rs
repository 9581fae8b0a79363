//! An operand of a recorded op as its formula sees it: a saved tensor, or a Python number
//! (which is no input of the node and gets no gradient).

use crate::autograd::saved::SavedTensor;
use crate::dtype::Scalar;
use crate::error::Result;
use crate::tensor::{Arg, Tensor};

#[derive(Clone)]
pub enum Operand {
    Tensor(SavedTensor),
    Number(Scalar),
}

impl Operand {
    pub fn of(arg: &Arg) -> Operand {
        match arg {
            Arg::Tensor(t) => Operand::Tensor(SavedTensor::input(t)),
            Arg::Scalar(s) => Operand::Number(*s),
        }
    }

    /// The value, a number as a 0-dim tensor of `like`'s dtype. Unpacked only when a formula
    /// uses it, so that an operand no gradient needs may change in place meanwhile.
    pub fn value(&self, like: &Tensor) -> Result<Tensor> {
        match self {
            Operand::Tensor(s) => s.get(),
            Operand::Number(k) => Ok(Tensor::scalar(*k, like.dtype())),
        }
    }

    pub fn is_tensor(&self) -> bool {
        matches!(self, Operand::Tensor(_))
    }
}
