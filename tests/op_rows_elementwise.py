"""Op-table rows for elementwise ops: unary, binary (broadcasting, Python scalars) and ternary."""

from __future__ import annotations

import numpy as np
import op_refs as R
from op_args import Int, OneOf, ScalarArg, TensorArg
from op_spec import (
    ALL,
    AT_LEAST_ONE,
    BOOL,
    BOOL_TO_INT64,
    DIVIDEND,
    EXPONENT,
    FINITE,
    FLOAT64,
    FLOATS,
    INTEGRAL,
    INTS,
    MASK,
    NONNEGATIVE,
    NONZERO,
    NUMERIC,
    POSITIVE,
    PROBABILITY,
    PROMOTE,
    REAL,
    SHIFT,
    TO_FLOAT,
    UNIT,
    WIDE,
    Domain,
    OpSpec,
    V,
)

CLOSE = Domain(low=-3.0, high=3.0, int_low=-3, int_high=3, integral=True)  # values often equal


def unary(name, ref, dtypes=ALL, domain=REAL, result=PROMOTE, **kw) -> OpSpec:
    return OpSpec(name, ref, "elementwise", dtypes, (domain,), result, **kw)


def unary_float(name, ref, domain=REAL, **kw) -> OpSpec:
    """Float maths: integers and bool compute in the default float dtype, in-place only on
    float tensors (the float result can't be cast back to an integer tensor)."""
    return unary(name, ref, ALL, domain, TO_FLOAT, inplace=True, **kw)


def predicate(name, ref, **kw) -> OpSpec:
    return unary(name, ref, ALL, REAL, BOOL, differentiable=False, **kw)


def binary(name, ref, dtypes=ALL, domain=(REAL, REAL), result=PROMOTE, **kw) -> OpSpec:
    return OpSpec(name, ref, "elementwise", dtypes, domain, result, **kw)


def compare(name, ref, operator) -> OpSpec:
    return binary(
        name,
        ref,
        ALL,
        (CLOSE, CLOSE),
        BOOL,
        operator=operator,
        scalars=(1,),
        inplace=True,
        differentiable=False,
    )


def as_float(fn):
    """numpy's predicates refuse bool/int arrays for some dtypes: ask them in float64."""
    return lambda a: fn(np.asarray(a, dtype=np.float64))


def add(a, b, alpha=1):
    return a + np.asarray(alpha).astype(b.dtype) * b


def sub(a, b, alpha=1):
    return a - np.asarray(alpha).astype(b.dtype) * b


# float16/bfloat16 kernels that round an intermediate product (alpha * other, value * t1 * t2)
# to the low-precision dtype before adding: the error is relative to that product, not to
# the (possibly cancelled) result.
ROUNDS_TWICE = {"float16": (2e-3, 1e-2), "bfloat16": (1.6e-2, 8e-2)}
ALPHA = (V(alpha=OneOf(2, -1), dtypes=NUMERIC), V(alpha=OneOf(0.5, -1.5), dtypes=FLOATS))
BOUND = ScalarArg(FINITE)

# fmt: off
UNARY = [
    unary("abs", np.abs, NUMERIC, WIDE, operator="abs", inplace=True),
    unary("neg", np.negative, NUMERIC, WIDE, operator="neg", inplace=True),
    unary("sign", R.sign, inplace=True, note="sign(nan) is 0"),
    unary("sgn", R.sign, inplace=True),
    unary_float("exp", np.exp),
    unary_float("exp2", np.exp2),
    unary_float("expm1", np.expm1),
    unary_float("log", np.log, POSITIVE),
    unary_float("log2", np.log2, POSITIVE),
    unary_float("log10", np.log10, POSITIVE),
    unary_float("log1p", np.log1p, Domain(low=-0.9, int_low=0)),
    unary_float("sqrt", np.sqrt, NONNEGATIVE),
    unary_float("rsqrt", lambda a: 1.0 / np.sqrt(a), POSITIVE),
    unary("square", np.square, ALL, WIDE, BOOL_TO_INT64, inplace=True),
    unary_float("sin", np.sin),
    unary_float("cos", np.cos),
    unary_float("tan", np.tan),
    unary_float("asin", np.arcsin, UNIT),
    unary_float("acos", np.arccos, UNIT),
    unary_float("atan", np.arctan),
    unary_float("sinh", np.sinh),
    unary_float("cosh", np.cosh),
    unary_float("tanh", np.tanh),
    unary_float("asinh", np.arcsinh),
    unary_float("acosh", np.arccosh, AT_LEAST_ONE),
    unary_float("atanh", np.arctanh, UNIT),
    unary_float("sigmoid", R.sigmoid),
    unary_float("logit", R.logit, PROBABILITY, variants=(V(), V(eps=OneOf(0.0, 0.1, 0.4)))),
    unary("relu", lambda a: np.maximum(a, 0).astype(a.dtype), NUMERIC, inplace=True),
    unary_float("erf", R.erf),
    unary_float("erfc", R.erfc),
    unary_float("erfinv", R.erfinv, UNIT),
    unary_float("lgamma", R.lgamma),
    unary_float("digamma", R.digamma),
    unary("floor", np.floor, NUMERIC, inplace=True),
    unary("ceil", np.ceil, NUMERIC, inplace=True),
    unary("round", R.round_, NUMERIC, inplace=True, ref_dtype=True,
          variants=(V(), V(decimals=Int(-1, 3), dtypes=FLOATS))),
    unary("trunc", np.trunc, NUMERIC, inplace=True),
    unary("frac", R.frac, FLOATS, inplace=True),
    unary_float("reciprocal", np.reciprocal),
    unary("clamp", R.clamp, NUMERIC, inplace=True, aliases=("clip",), variants=(
        V(min=BOUND), V(max=BOUND), V(min=BOUND, max=BOUND),
        V(min=TensorArg(FINITE), max=TensorArg(FINITE)), V(min=TensorArg(FINITE)),
    )),
    unary("nan_to_num", R.nan_to_num, inplace=True, ref_dtype=True, variants=(
        V(), V(nan=OneOf(0.0, 1.5), posinf=OneOf(None, 100.0), neginf=OneOf(None, -100.0)),
    )),
    predicate("isnan", as_float(np.isnan)),
    predicate("isinf", as_float(np.isinf)),
    predicate("isfinite", as_float(np.isfinite)),
    predicate("isposinf", as_float(np.isposinf)),
    predicate("isneginf", as_float(np.isneginf)),
    predicate("signbit", as_float(np.signbit)),
    predicate("logical_not", np.logical_not, inplace=True),
    unary("bitwise_not", np.invert, INTEGRAL, WIDE, operator="invert", inplace=True,
          differentiable=False),
    unary("positive", lambda a: a, NUMERIC, operator="pos"),
]
# fmt: on

# fmt: off
BINARY = [
    binary("add", add, ALL, (WIDE, WIDE), operator="add", scalars=(0, 1), inplace=True,
           variants=(V(), *ALPHA), tol=ROUNDS_TWICE),
    binary("sub", sub, NUMERIC, (WIDE, WIDE), operator="sub", scalars=(0, 1), inplace=True,
           variants=(V(), *ALPHA), tol=ROUNDS_TWICE),
    binary("mul", np.multiply, ALL, (WIDE, WIDE), operator="mul", scalars=(0, 1), inplace=True),
    binary("div", R.div, ALL, (DIVIDEND, NONZERO), TO_FLOAT, operator="truediv", scalars=(0, 1),
           inplace=True, variants=(
               V(), V(rounding_mode=None),
               V(rounding_mode=OneOf("trunc", "floor"), dtypes=NUMERIC, result=PROMOTE),
           )),
    binary("true_divide", np.true_divide, ALL, (REAL, REAL), TO_FLOAT, scalars=(0, 1),
           inplace=True),
    binary("floor_divide", R.floor_divide, NUMERIC, (DIVIDEND, NONZERO), operator="floordiv",
           scalars=(0, 1), inplace=True, differentiable=False),
    binary("remainder", R.remainder, NUMERIC, (DIVIDEND, NONZERO), operator="mod",
           scalars=(0, 1), inplace=True),
    binary("fmod", R.fmod, NUMERIC, (DIVIDEND, NONZERO), scalars=(1,), inplace=True),
    binary("pow", R.power, NUMERIC, (REAL, EXPONENT), operator="pow", scalars=(0, 1),
           inplace=True),
    binary("float_power", np.power, ALL, (REAL, EXPONENT), FLOAT64, scalars=(0, 1),
           inplace=True, inplace_dtypes=("float64",)),
    binary("atan2", np.arctan2, ALL, result=TO_FLOAT, inplace=True),
    binary("maximum", np.maximum),
    binary("minimum", np.minimum),
    binary("fmax", np.fmax),
    binary("fmin", np.fmin),
    binary("hypot", np.hypot, FLOATS, inplace=True),
    binary("copysign", np.copysign, ALL, result=TO_FLOAT, scalars=(1,), inplace=True),
    binary("xlogy", R.xlogy, ALL, (REAL, NONNEGATIVE), TO_FLOAT, scalars=(0, 1), inplace=True),
    compare("eq", np.equal, "eq"),
    compare("ne", np.not_equal, "ne"),
    compare("lt", np.less, "lt"),
    compare("le", np.less_equal, "le"),
    compare("gt", np.greater, "gt"),
    compare("ge", np.greater_equal, "ge"),
    binary("isclose", R.isclose, ALL, (CLOSE, CLOSE), BOOL, mixed_dtypes=False,
           differentiable=False, variants=(
               V(), V(rtol=0.1, atol=0.5), V(equal_nan=True), V(rtol=0.0, atol=0.0)
           )),
    binary("allclose", R.allclose, ALL, (CLOSE, CLOSE), BOOL, mixed_dtypes=False,
           differentiable=False, variants=(V(), V(rtol=0.1, atol=1.0), V(equal_nan=True))),
    binary("equal", R.equal, ALL, (CLOSE, CLOSE), BOOL, differentiable=False),
    binary("logical_and", np.logical_and, ALL, (CLOSE, CLOSE), BOOL, inplace=True,
           differentiable=False),
    binary("logical_or", np.logical_or, ALL, (CLOSE, CLOSE), BOOL, inplace=True,
           differentiable=False),
    binary("logical_xor", np.logical_xor, ALL, (CLOSE, CLOSE), BOOL, inplace=True,
           differentiable=False),
    binary("bitwise_and", np.bitwise_and, INTEGRAL, (WIDE, WIDE), operator="and_",
           scalars=(0, 1), inplace=True, differentiable=False),
    binary("bitwise_or", np.bitwise_or, INTEGRAL, (WIDE, WIDE), operator="or_",
           scalars=(0, 1), inplace=True, differentiable=False),
    binary("bitwise_xor", np.bitwise_xor, INTEGRAL, (WIDE, WIDE), operator="xor",
           scalars=(0, 1), inplace=True, differentiable=False),
    binary("bitwise_left_shift", R.shift_left, INTS, (WIDE, SHIFT), operator="lshift",
           scalars=(0, 1), inplace=True, differentiable=False),
    binary("bitwise_right_shift", R.shift_right, INTS, (WIDE, SHIFT), operator="rshift",
           scalars=(0, 1), inplace=True, differentiable=False),
]
# fmt: on

# fmt: off
TERNARY = [
    OpSpec("addcmul", R.addcmul, "elementwise", NUMERIC, (REAL, REAL, REAL), inplace=True,
           variants=(V(), V(value=OneOf(2, -1)), V(value=0.5, dtypes=FLOATS)), tol=ROUNDS_TWICE),
    OpSpec("addcdiv", R.addcdiv, "elementwise", FLOATS, (REAL, REAL, REAL), inplace=True,
           variants=(V(), V(value=OneOf(2, -0.5))), tol=ROUNDS_TWICE),
    OpSpec("lerp", R.lerp, "elementwise", FLOATS, (REAL, REAL, PROBABILITY), inplace=True,
           mixed_dtypes=False, scalars=(2,), tol=ROUNDS_TWICE),
    OpSpec("where", R.where, "elementwise", ALL, (MASK, REAL, REAL), method=False,
           scalars=(1, 2)),
]
# fmt: on
