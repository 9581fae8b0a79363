//! The unary elementwise ops: one row each.

use super::{Accepts, Compute, OpInfo, Output};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Abs,
    Neg,
    Sign,
    Exp,
    Exp2,
    Expm1,
    Log,
    Log2,
    Log10,
    Log1p,
    Sqrt,
    Rsqrt,
    Square,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Sigmoid,
    Relu,
    Erf,
    Erfc,
    Erfinv,
    Lgamma,
    Digamma,
    Floor,
    Ceil,
    Round,
    Trunc,
    Frac,
    Reciprocal,
    IsNan,
    IsInf,
    IsFinite,
    IsPosInf,
    IsNegInf,
    Signbit,
    LogicalNot,
    BitwiseNot,
}

impl UnaryOp {
    pub fn info(self) -> OpInfo {
        use Accepts::*;
        use Compute::*;
        use UnaryOp::*;
        let row = |name, kernel, accepts, compute, output| OpInfo {
            name,
            kernel,
            accepts,
            compute,
            output,
        };
        let same = |name, kernel, accepts| row(name, kernel, accepts, Promoted, Output::Computed);
        let float = |name| row(name, name, All, IntToFloat, Output::Computed);
        let predicate = |name| row(name, name, All, Promoted, Output::Bool);
        match self {
            Abs => same("abs", "abs_cpu", NoBool),
            Neg => same("neg", "neg_cpu", NoBool),
            Sign => same("sign", "sign_cpu", All),
            Exp => float("exp"),
            Exp2 => float("exp2"),
            Expm1 => float("expm1"),
            Log => float("log"),
            Log2 => float("log2"),
            Log10 => float("log10"),
            Log1p => float("log1p"),
            Sqrt => float("sqrt"),
            Rsqrt => float("rsqrt"),
            Square => row("square", "pow", All, BoolToLong, Output::Computed),
            Sin => float("sin"),
            Cos => float("cos"),
            Tan => float("tan"),
            Asin => float("asin"),
            Acos => float("acos"),
            Atan => float("atan"),
            Sinh => float("sinh"),
            Cosh => float("cosh"),
            Tanh => float("tanh"),
            Asinh => float("asinh"),
            Acosh => float("acosh"),
            Atanh => float("atanh"),
            Sigmoid => float("sigmoid"),
            Relu => same("relu", "relu", NoBool),
            Erf => float("erf"),
            Erfc => float("erfc"),
            Erfinv => float("erfinv"),
            Lgamma => float("lgamma"),
            Digamma => float("digamma"),
            Floor => same("floor", "floor_vml_cpu", NoBool),
            Ceil => same("ceil", "ceil_vml_cpu", NoBool),
            Round => same("round", "round_vml_cpu", NoBool),
            Trunc => same("trunc", "trunc_vml_cpu", NoBool),
            Frac => same("frac", "frac_cpu", Float),
            Reciprocal => float("reciprocal"),
            IsNan => predicate("isnan"),
            IsInf => predicate("isinf"),
            IsFinite => predicate("isfinite"),
            IsPosInf => predicate("isposinf"),
            IsNegInf => predicate("isneginf"),
            Signbit => predicate("signbit"),
            LogicalNot => predicate("logical_not"),
            BitwiseNot => same("bitwise_not", "bitwise_not_cpu", IntegralAndBool),
        }
    }

    /// PyTorch's own message where it refuses bool input with more than "not implemented".
    pub fn bool_message(self) -> Option<&'static str> {
        match self {
            UnaryOp::Neg => Some("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."),
            UnaryOp::Relu => Some("Boolean inputs not supported for relu"),
            _ => None,
        }
    }
}
