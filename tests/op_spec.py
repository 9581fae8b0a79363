"""The vocabulary of the op table: `OpSpec` rows, input domains, dtype groups, result-dtype rules.

A row says what an op is (how to call it, which dtypes it takes, where its inputs live, what numpy
computes for it, which dtype comes out); the test modules decide how to exercise it. Arguments
that depend on the drawn inputs (a valid dim, a split size, a second tensor) are placeholders from
`op_args.py`, drawn at test time.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Callable

import numpy as np
from strategies import DTYPE_NAMES, FLOAT_DTYPE_NAMES, INT_DTYPE_NAMES

# ---------------------------------------------------------------- dtype groups

ALL = tuple(DTYPE_NAMES)
FLOATS = tuple(FLOAT_DTYPE_NAMES)
INTS = tuple(INT_DTYPE_NAMES)
INTEGRAL = ("bool", *INTS)  # the dtypes bitwise ops take
NUMERIC = (*INTS, *FLOATS)  # everything but bool
DEFAULT_FLOAT = "float32"  # what integer inputs of a float op give (the default dtype)


def is_float(name: str) -> bool:
    return name in FLOATS


def category(name: str) -> int:
    """bool < integer < float: PyTorch promotes across categories, and casts only upwards."""
    return 0 if name == "bool" else 2 if is_float(name) else 1


def can_cast(src: str, dst: str) -> bool:
    """PyTorch's `can_cast`: an in-place op may write a result of dtype `src` into `dst`."""
    return category(src) <= category(dst)


# ---------------------------------------------------------------- result-dtype rules
# A rule maps (the promoted dtype of the value operands, the first operand's dtype) to the
# dtype of one output. Ops with several outputs give a tuple of rules.

# (Upper-case names: they read as constants in the table.)

Rule = Callable[[str, str], str]


def PROMOTE(common: str, first: str) -> str:
    """PyTorch's type promotion over the operands (tensors, 0-dim tensors, Python scalars)."""
    return common


def SAME(common: str, first: str) -> str:
    """The first input's dtype (shape ops, indexing, sorting)."""
    return first


def TO_FLOAT(common: str, first: str) -> str:
    """Promotion, then bool/integer results become the default float dtype (sin, div, mean)."""
    return common if is_float(common) else DEFAULT_FLOAT


def BOOL(common: str, first: str) -> str:
    return "bool"


def INT64(common: str, first: str) -> str:
    return "int64"


def FLOAT64(common: str, first: str) -> str:
    return "float64"


def INT_TO_INT64(common: str, first: str) -> str:
    """sum/prod/cumsum/cumprod: bool and integer inputs accumulate in int64."""
    return common if is_float(common) else "int64"


def BOOL_KEEPS_UINT8(common: str, first: str) -> str:
    """all/any: bool, except that uint8 inputs give uint8 (kept for backward compatibility)."""
    return "uint8" if first == "uint8" else "bool"


def BOOL_TO_INT64(common: str, first: str) -> str:
    """square (pow 2): a bool input promotes with the integer exponent to int64."""
    return "int64" if common == "bool" else common


# ---------------------------------------------------------------- input domains

SPECIALS = (np.nan, np.inf, -np.inf, 0.0, -0.0)


@dataclass(frozen=True)
class Domain:
    """Where an operand's values are drawn: floats uniform in [low, high] (plus NaN/inf/signed
    zeros when `specials`), integers in [int_low, int_high] clipped to the dtype (None: the
    dtype's full range, to exercise wrap-around). `dtype` pins the operand's dtype (a mask)."""

    low: float = -10.0
    high: float = 10.0
    int_low: int | None = -20
    int_high: int | None = 20
    specials: bool = True
    nonzero: bool = False  # integers never 0 (integer division by 0 raises; floats give inf)
    integral: bool = False  # floats drawn as whole numbers (so values repeat: mode, unique)
    dtype: str | None = None

    def __repr__(self) -> str:
        changed = [f"{f.name}={getattr(self, f.name)!r}" for f in fields(self)
                   if getattr(self, f.name) != f.default]  # fmt: skip
        return f"Domain({', '.join(changed)})"

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))

    def int_bounds(self, name: str) -> tuple[int, int]:
        info = np.iinfo(np.dtype(name))
        low = info.min if self.int_low is None else max(self.int_low, int(info.min))
        high = info.max if self.int_high is None else min(self.int_high, int(info.max))
        return int(low), int(high)

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...], name: str) -> np.ndarray:
        """Values for a tensor of dtype `name` (float32 stands in for bfloat16)."""
        if name == "bool":
            return rng.integers(0, 2, size=shape).astype(bool)
        if not is_float(name):
            low, high = self.int_bounds(name)
            a = rng.integers(low, high, size=shape, endpoint=True, dtype=np.dtype(name))
            return np.where(a == 0, 1, a).astype(a.dtype) if self.nonzero else a
        a = rng.uniform(self.low, self.high, size=shape)
        if self.integral:
            a = np.round(a)
        if self.specials and rng.random() < 0.5:
            hit = rng.random(shape) < 0.15
            a = np.where(hit, rng.choice(SPECIALS, size=shape), a)
        return a.astype(np.float32 if name == "bfloat16" else name)


REAL = Domain()
FINITE = Domain(specials=False)
WIDE = Domain(int_low=None, int_high=None)  # integers over the whole dtype: overflow wraps
POSITIVE = Domain(low=0.01, high=10.0, int_low=1)
NONNEGATIVE = Domain(low=0.0, high=10.0, int_low=0)
UNIT = Domain(low=-1.0, high=1.0, int_low=-1, int_high=1)  # asin, acos, atanh, erfinv
PROBABILITY = Domain(low=0.0, high=1.0, int_low=0, int_high=1)  # logit
AT_LEAST_ONE = Domain(low=1.0, high=10.0, int_low=1)  # acosh
NONZERO = Domain(nonzero=True, int_low=-100, int_high=100)  # divisors (int division by 0 raises)
DIVIDEND = Domain(int_low=-100, int_high=100)  # avoids int_min // -1
EXPONENT = Domain(low=-3.0, high=3.0, int_low=0, int_high=4)  # pow: integers have no x ** -1
SMALL = Domain(low=-3.0, high=3.0, int_low=-3, int_high=3)  # bases of pow, growth of cumprod
SHIFT = Domain(int_low=0, int_high=7)  # shift amounts below every integer width
REPEATING = Domain(low=-3.0, high=3.0, int_low=-3, int_high=3, integral=True, specials=False)
MASK = Domain(dtype="bool")  # a bool operand that does not take part in type promotion


# ---------------------------------------------------------------- variants and rows


class V:
    """One way of calling an op: extra positional `args` and keyword `kwargs` after the tensor
    operands (placeholders from op_args.py allowed), only for promoted dtypes in `dtypes` when
    given, with its own result rule when `result` is given (div's rounding modes)."""

    def __init__(
        self,
        *args: Any,
        dtypes: tuple[str, ...] | None = None,
        result: Rule | None = None,
        **kwargs: Any,
    ):
        self.args, self.kwargs, self.dtypes, self.result = args, kwargs, dtypes, result

    def allows(self, name: str) -> bool:
        return self.dtypes is None or name in self.dtypes

    def __repr__(self) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"V({', '.join(parts)})"


Tolerance = dict[str, tuple[float, float]]
# (rtol, atol) per result dtype: about two units in the last place, so that an op computed
# in float32 then rounded matches numpy's float64 result rounded to the same dtype.
DEFAULT_TOL: Tolerance = {
    "float16": (2e-3, 1e-3),
    "bfloat16": (1.6e-2, 1e-2),
    "float32": (1e-5, 1e-6),
    "float64": (1e-10, 1e-12),
}


@dataclass(frozen=True)
class OpSpec:
    """One op. `name` is its ferrograd function (dotted for namespaces: "linalg.det")."""

    name: str
    ref: Callable[..., Any]  # numpy (or small Python) reference on numpy operands
    kind: str  # how the test module builds operands: see each test_op_table_*.py
    dtypes: tuple[str, ...] = ALL  # dtypes the (promoted) inputs may have
    domain: tuple[Domain, ...] = (REAL,)  # one per tensor operand
    result: Rule | tuple[Rule, ...] = PROMOTE
    variants: tuple[V, ...] = (V(),)
    function: bool = True  # ferrograd.<name>(...)
    method: bool = True  # Tensor.<name>(...)
    inplace: bool = False  # Tensor.<name>_(...) (also through `operator`'s in-place form)
    inplace_dtypes: tuple[str, ...] | None = None  # else: where the result dtype can cast
    operator: str | None = None  # `operator` module name: "add" -> a + b, a += b, 2 + a
    scalars: tuple[int, ...] = ()  # operand positions that may be Python scalars
    aliases: tuple[str, ...] = ()  # other ferrograd names of the same op
    fields: tuple[str, ...] = ()  # ferrograd.return_types.<name> field names of a tuple result
    tol: Tolerance = field(default_factory=dict)  # overrides of DEFAULT_TOL
    # autograd defines a gradient for float inputs (zero almost everywhere for floor, sign, ...;
    # finite differences then need inputs away from the jumps)
    differentiable: bool = True
    mixed_dtypes: bool = True  # operands may have different dtypes (else one dtype for all)
    ndim: tuple[int, int] = (0, 5)  # rank range of the first tensor operand
    ref_dtype: bool = False  # the reference needs the result dtype as `dtype_name=`
    view: bool = False  # the result (or each result) is a view of the first input
    layouts: tuple[str, ...] | None = None  # input layouts, when not all (see the note)
    note: str = ""  # a PyTorch behaviour worth knowing

    def __repr__(self) -> str:
        return f"OpSpec({self.name!r})"

    def _repr_pretty_(self, printer, cycle) -> None:  # keeps hypothesis' reports short
        printer.text(repr(self))

    @property
    def arity(self) -> int:
        """How many tensor operands the op takes (positional, before plain arguments)."""
        return len(self.domain)

    @property
    def attr(self) -> str:
        """The method/attribute name (the part after the last dot)."""
        return self.name.rsplit(".", 1)[-1]

    def tolerance(self, dtype_name: str) -> tuple[float, float]:
        return self.tol.get(dtype_name, DEFAULT_TOL.get(dtype_name, (0.0, 0.0)))
