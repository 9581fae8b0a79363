"""Reference implementations for the op table where numpy has no one-call equivalent.

Each takes numpy arrays (already in the dtype the op computes in: float64 for float results)
and returns what PyTorch returns. `Refused` marks inputs PyTorch rejects; `Indices` stands for
an indices output that must point at the values output (PyTorch leaves ties unspecified);
`Unspecified` for values PyTorch does not define.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


class Refused(Exception):
    """PyTorch raises one of `types` for these inputs (the exact message is in test_op_errors)."""

    def __init__(self, *types: type):
        super().__init__(types)
        self.types = types


@dataclass(frozen=True)
class Indices:
    """Placeholder output: indices into the input along `dim` that select the values output
    (kept dims unless `keepdim` is False, when the values output lost that dim)."""

    dim: int
    keepdim: bool = True


@dataclass(frozen=True)
class Unspecified:
    """Placeholder output whose values PyTorch leaves undefined (a NaN cast to an integer):
    only its dtype and shape are checked."""

    shape: tuple[int, ...] = ()


@dataclass(frozen=True)
class Typed:
    """An output whose dtype the reference decides (overriding the row's result rule)."""

    value: object
    dtype: str


def vectorize(fn):
    """A scalar Python function applied to every element, giving float64."""
    vec = np.vectorize(fn, otypes=[np.float64])
    return lambda a: vec(np.asarray(a, dtype=np.float64))


# ---------------------------------------------------------------- special functions


def _lgamma(x: float) -> float:
    if math.isnan(x):
        return x
    try:
        return math.lgamma(x)
    except ValueError:  # poles at 0, -1, -2, ...
        return math.inf


def _digamma(x: float) -> float:
    if math.isnan(x) or x == -math.inf:
        return math.nan
    if x == math.inf:
        return x
    if x == 0:
        return -math.copysign(math.inf, x)  # PyTorch: digamma(+-0) = -+inf
    if x < 0 and x == math.floor(x):
        return math.nan
    result = 0.0
    if x < 0.5:  # reflection: psi(1 - x) - psi(x) = pi / tan(pi x)
        result -= math.pi / math.tan(math.pi * x)
        x = 1.0 - x
    while x < 10.0:  # recurrence: psi(x) = psi(x + 1) - 1/x
        result -= 1.0 / x
        x += 1.0
    inv2 = 1.0 / (x * x)  # asymptotic series
    series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))))
    return result + math.log(x) - 0.5 / x - series


def _erfinv(y: float) -> float:
    if math.isnan(y) or abs(y) > 1:
        return math.nan
    if abs(y) == 1:
        return math.copysign(math.inf, y)
    # Giles' single-precision approximation, then Newton steps on erf(x) = y.
    w = -math.log((1.0 - y) * (1.0 + y))
    if w < 5:
        w -= 2.5
        p = 2.81022636e-08
        for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                  -0.00125372503, -0.00417768164, 0.246640727, 1.50140941):  # fmt: skip
            p = c + p * w
    else:
        w = math.sqrt(w) - 3
        p = -0.000200214257
        for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                  -0.0076224613, 0.00943887047, 1.00167406, 2.83297682):  # fmt: skip
            p = c + p * w
    x = p * y
    for _ in range(3):
        x -= (math.erf(x) - y) / (2 / math.sqrt(math.pi) * math.exp(-x * x))
    return x


erf = vectorize(lambda x: math.erf(x) if not math.isnan(x) else x)
erfc = vectorize(lambda x: math.erfc(x) if not math.isnan(x) else x)
erfinv = vectorize(_erfinv)
lgamma = vectorize(_lgamma)
digamma = vectorize(_digamma)


def sigmoid(a):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-a))


def logit(a, eps=None):
    if eps is not None:
        a = np.clip(a, eps, 1.0 - eps)
    return np.log(a / (1.0 - a))


FLOAT_MAX = {
    "float16": 65504.0,
    "bfloat16": 3.3895313892515355e38,
    "float32": float(np.finfo(np.float32).max),
    "float64": float(np.finfo(np.float64).max),
}


def nan_to_num(a, nan=0.0, posinf=None, neginf=None, dtype_name="float64"):
    """Infinities become the largest finite value *of the tensor's dtype* unless given."""
    if a.dtype.kind != "f":
        return a
    big = FLOAT_MAX[dtype_name]
    posinf = big if posinf is None else posinf
    neginf = -big if neginf is None else neginf
    return np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)


def sign(a):
    """PyTorch's sign(nan) is 0, not nan."""
    if a.dtype == bool:
        return a
    return np.where(np.isnan(a), 0, np.sign(a)) if a.dtype.kind == "f" else np.sign(a)


def clamp(a, min=None, max=None):
    """max applies last, so min > max gives max everywhere; NaN in the input propagates."""
    if min is not None:
        a = np.maximum(a, min)
    if max is not None:
        a = np.minimum(a, max)
    return a


def round_(a, decimals=0, dtype_name="float64"):
    """Half to even. With decimals, PyTorch scales in the tensor's own precision (float32
    for float16/bfloat16): round(x * 10^d) / 10^d, or round(x / 10^-d) * 10^-d below 0."""
    if a.dtype.kind != "f":
        return a
    if decimals == 0:
        return np.round(a)
    real = np.float64 if dtype_name == "float64" else np.float32
    x = a.astype(real)
    if decimals > 0:
        ten = real(10.0**decimals)
        return np.round(x * ten) / ten
    ten = real(10.0 ** (-decimals))
    return np.round(x / ten) * ten


def frac(a):
    return a - np.trunc(a)


def trunc_divide(a, b):
    """Integer division rounding toward zero (C semantics)."""
    if a.dtype.kind == "f":
        return np.trunc(a / b)
    q = np.abs(a) // np.abs(b)
    return np.where((a < 0) != (b < 0), -q, q).astype(a.dtype)


def no_int_zero_division(a, b):
    """Integer division by a zero that is actually used raises (not when nothing is divided)."""
    if a.dtype.kind in "iub" and np.broadcast(a, b).size and np.any(np.asarray(b) == 0):
        raise Refused(RuntimeError)  # "ZeroDivisionError"


def div(a, b, rounding_mode=None):
    if rounding_mode is None:
        return np.true_divide(a, b)
    no_int_zero_division(a, b)
    if rounding_mode == "trunc":
        return trunc_divide(a, b)
    return np.floor_divide(a, b)


def floor_divide(a, b):
    no_int_zero_division(a, b)
    return np.floor_divide(a, b)


def remainder(a, b):
    no_int_zero_division(a, b)
    return np.remainder(a, b)


def fmod(a, b):
    no_int_zero_division(a, b)
    return np.fmod(a, b)


def power(a, b):
    if a.dtype.kind in "iu" and np.any(np.asarray(b) < 0):
        raise Refused(RuntimeError)  # "Integers to negative integer powers are not allowed."
    return np.power(a, b)


def xlogy(a, b):
    """x * log(y), 0 where x == 0 unless y is NaN."""
    with np.errstate(all="ignore"):
        out = a * np.log(b)
    return np.where((a == 0) & ~np.isnan(b), 0.0, out)


def lerp(start, end, weight):
    """PyTorch's two-sided formula (exact at both ends; decides where inf - inf gives NaN)."""
    diff = end - start
    return np.where(np.abs(weight) < 0.5, start + weight * diff, end - diff * (1 - weight))


def _in_dtype(value, like):
    """A Python scalar as an array of `like`'s dtype (wrapping like PyTorch's integer casts;
    numpy refuses e.g. -1 * a uint8 array)."""
    return np.asarray(value).astype(like.dtype)


def addcmul(a, t1, t2, value=1):
    return a + _in_dtype(value, t1) * t1 * t2


def addcdiv(a, t1, t2, value=1):
    return a + value * (t1 / t2)


def where(cond, a, b):
    return np.where(cond, a, b)


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.all(isclose(a, b, rtol, atol, equal_nan)))


def equal(a, b):
    return a.shape == b.shape and bool(np.all(a == b))


def shift_left(a, b):
    return np.left_shift(a, b.astype(a.dtype) if isinstance(b, np.ndarray) else b)


def shift_right(a, b):
    return np.right_shift(a, b.astype(a.dtype) if isinstance(b, np.ndarray) else b)
