//! The binary elementwise ops: one row each.

use super::{Accepts, Compute, OpInfo, Output};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    DivTrunc,
    DivFloor,
    Remainder,
    Fmod,
    Pow,
    FloatPower,
    Atan2,
    Maximum,
    Minimum,
    Fmax,
    Fmin,
    Hypot,
    Copysign,
    Xlogy,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    LogicalAnd,
    LogicalOr,
    LogicalXor,
    BitwiseAnd,
    BitwiseOr,
    BitwiseXor,
    LeftShift,
    RightShift,
}

impl BinaryOp {
    pub fn info(self) -> OpInfo {
        use Accepts::*;
        use BinaryOp::*;
        use Compute::*;
        let row = |name, kernel, accepts, compute, output| OpInfo {
            name,
            kernel,
            accepts,
            compute,
            output,
        };
        let same = |name, kernel, accepts| row(name, kernel, accepts, Promoted, Output::Computed);
        let float = |name| row(name, name, All, IntToFloat, Output::Computed);
        let compare = |name| row(name, name, All, Promoted, Output::Bool);
        match self {
            Add => same("add", "add_cpu", All),
            Sub => same("sub", "sub_cpu", All),
            Mul => same("mul", "mul_cpu", All),
            Div => float("div"),
            DivTrunc => same("div", "div_trunc_cpu", NoBool),
            DivFloor => same("div", "div_floor_cpu", NoBool),
            Remainder => same("remainder", "remainder_cpu", NoBool),
            Fmod => same("fmod", "fmod_cpu", NoBool),
            Pow => same("pow", "pow", NoBool),
            FloatPower => row("float_power", "pow", All, Double, Output::Computed),
            Atan2 => float("atan2"),
            Maximum => same("maximum", "maximum_cpu", All),
            Minimum => same("minimum", "minimum_cpu", All),
            Fmax => same("fmax", "fmax_cpu", All),
            Fmin => same("fmin", "fmin_cpu", All),
            Hypot => same("hypot", "hypot_cpu", Float),
            Copysign => float("copysign"),
            Xlogy => float("xlogy"),
            Eq => compare("eq"),
            Ne => compare("ne"),
            Lt => compare("lt"),
            Le => compare("le"),
            Gt => compare("gt"),
            Ge => compare("ge"),
            LogicalAnd => compare("logical_and"),
            LogicalOr => compare("logical_or"),
            LogicalXor => compare("logical_xor"),
            BitwiseAnd => same("bitwise_and", "bitwise_and_cpu", IntegralAndBool),
            BitwiseOr => same("bitwise_or", "bitwise_or_cpu", IntegralAndBool),
            BitwiseXor => same("bitwise_xor", "bitwise_xor_cpu", IntegralAndBool),
            LeftShift => same("bitwise_left_shift", "lshift_cpu", Integral),
            RightShift => same("bitwise_right_shift", "rshift_cpu", Integral),
        }
    }

    /// Integer kernels that divide raise PyTorch's `ZeroDivisionError` on a zero divisor.
    pub fn divides(self) -> bool {
        matches!(
            self,
            BinaryOp::DivTrunc | BinaryOp::DivFloor | BinaryOp::Remainder | BinaryOp::Fmod
        )
    }
}
