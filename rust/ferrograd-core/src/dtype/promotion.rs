//! PyTorch's type promotion: `promote_types` for two dtypes, and `ResultType`/`result_type`
//! for a mix of dimensioned tensors, 0-dim tensors and Python scalars, whose priority classes
//! decide which dtype wins.

use super::{Category, DType};

/// The dtype two tensors of the same priority class promote to (PyTorch's `promoteTypes`).
pub fn promote_types(a: DType, b: DType) -> DType {
    use DType::*;
    if a == b {
        return a;
    }
    match (a.category(), b.category()) {
        (Category::Bool, _) => b,
        (_, Category::Bool) => a,
        (Category::Floating, Category::Floating) => match (a, b) {
            // Neither half format can hold the other's values: meet in float32.
            (F16, BF16) | (BF16, F16) => F32,
            _ => a.max(b),
        },
        (Category::Floating, _) => a,
        (_, Category::Floating) => b,
        (Category::Integer, Category::Integer) => match (a, b) {
            // uint8 and int8 each hold values the other cannot: int16 holds both.
            (U8, I8) | (I8, U8) => I16,
            _ => a.max(b),
        },
    }
}

/// How an operand takes part in type promotion. PyTorch gives dimensioned tensors priority over
/// 0-dim tensors, and those over Python scalars, but only within one category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    Tensor(DType),
    ZeroDimTensor(DType),
    /// A Python number: `bool`, `int` (int64) or `float` (stands for the default dtype).
    Scalar(DType),
}

/// Accumulates operands the way PyTorch's `ResultTypeState` does.
#[derive(Clone, Copy, Debug, Default)]
pub struct ResultType {
    dimensioned: Option<DType>,
    zero_dim: Option<DType>,
    scalar: Option<DType>,
}

fn promote_opt(acc: Option<DType>, d: DType) -> Option<DType> {
    Some(acc.map_or(d, |a| promote_types(a, d)))
}

/// PyTorch's `combine_categories`: the higher priority class wins unless the lower one brings a
/// higher category (a float scalar makes an integer tensor float; a bool tensor takes anything).
fn combine_categories(higher: Option<DType>, lower: Option<DType>) -> Option<DType> {
    match (higher, lower) {
        (None, l) => l,
        (Some(h), None) => Some(h),
        (Some(h), Some(l)) => {
            if h.is_floating_point() {
                Some(h)
            } else if h == DType::Bool || l.is_floating_point() {
                Some(promote_types(h, l))
            } else {
                Some(h)
            }
        }
    }
}

impl ResultType {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, operand: Operand) -> Self {
        match operand {
            Operand::Tensor(d) => self.dimensioned = promote_opt(self.dimensioned, d),
            Operand::ZeroDimTensor(d) => self.zero_dim = promote_opt(self.zero_dim, d),
            Operand::Scalar(d) => self.scalar = promote_opt(self.scalar, d),
        }
        self
    }

    /// The promoted dtype, or `None` when no operand was added.
    pub fn finish(self) -> Option<DType> {
        combine_categories(
            self.dimensioned,
            combine_categories(self.zero_dim, self.scalar),
        )
    }
}

/// The result dtype of an op over the given operands (PyTorch's `torch.result_type`).
pub fn result_type(operands: &[Operand]) -> Option<DType> {
    operands
        .iter()
        .fold(ResultType::new(), |acc, &op| acc.with(op))
        .finish()
}
