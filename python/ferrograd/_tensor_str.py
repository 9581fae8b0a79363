"""Pure-numpy tensor printing that reproduces PyTorch's output character for character."""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

# This module must not import ferrograd (or its native extension): the tests load it by file path
# so that the formatter can be checked before the Rust binding builds.

# The numpy dtype used to hold each ferrograd dtype's values. numpy has no bfloat16, so bfloat16
# values travel as float32 (every bfloat16 value is exactly representable there).
_NUMPY_DTYPES = {
    "bool": np.bool_,
    "uint8": np.uint8,
    "int8": np.int8,
    "int16": np.int16,
    "int32": np.int32,
    "int64": np.int64,
    "float16": np.float16,
    "bfloat16": np.float32,
    "float32": np.float32,
    "float64": np.float64,
    "complex64": np.complex64,
    "complex128": np.complex128,
}
_DTYPE_PREFIX = "dtype=ferrograd."


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()

# Named presets for set_printoptions(profile=...); sci_mode is not part of any profile.
_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set the global printing options (same arguments and defaults as ``torch.set_printoptions``).

    A profile is applied first and explicit arguments override it. Like PyTorch, an unknown
    profile name is silently ignored, and ``sci_mode`` is always assigned, so any call that does
    not pass it returns scientific notation to automatic mode.
    """
    for name, value in _PROFILES.get(profile, {}).items():
        setattr(PRINT_OPTS, name, value)
    overrides = {
        "precision": precision,
        "threshold": threshold,
        "edgeitems": edgeitems,
        "linewidth": linewidth,
    }
    for name, value in overrides.items():
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Return the current options as a dict that can be passed back to ``set_printoptions``."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Temporarily change the printing options inside a ``with`` block."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


class _Formatter:
    """Decides how every element of one tensor is written, so that all of them line up.

    It looks at all values once (only the visible ones when the tensor is summarised) and picks a
    common style, integer-looking floats (``1.``), fixed point (``1.5000``) or scientific
    (``1.5000e+10``), plus the width to right-align every element to.
    """

    def __init__(self, values: np.ndarray, floating: bool):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not floating:
            # Integers and bools are printed with str(); only the width needs choosing.
            for value in flat.tolist():
                self.max_width = max(self.max_width, len(f"{value}"))
            return
        # Zeros, nan and inf say nothing about the scale of the data, so they are ignored here.
        interesting = flat[np.isfinite(flat) & (flat != 0)]
        if interesting.size == 0:
            return
        magnitudes = np.abs(interesting.astype(np.float64))
        smallest, largest = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(interesting == np.ceil(interesting)))
        if PRINT_OPTS.sci_mode is None:
            # A wide dynamic range, or very large or very small values, would need too many
            # digits in fixed point.
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        for value in interesting.tolist():
            self.max_width = max(self.max_width, self._measure(value))

    def _measure(self, value: float) -> int:
        if self.sci_mode:
            return len(f"{value:.{PRINT_OPTS.precision}e}")
        if self.int_mode:
            return len(f"{value:.0f}") + 1  # room for the trailing "." that marks a float
        return len(f"{value:.{PRINT_OPTS.precision}f}")

    def width(self) -> int:
        return self.max_width

    def format(self, value: Any) -> str:
        if not self.floating:
            text = f"{value}"
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if not (math.isinf(value) or math.isnan(value)):
                text += "."
        else:
            text = f"{value:.{PRINT_OPTS.precision}f}"
        return text.rjust(self.max_width)


def _element_printer(data: np.ndarray, summarize: bool) -> tuple[Callable[[Any], str], int]:
    """Return a function that formats one element, and that element's printed width."""
    visible = _summarized_data(data) if summarize else data
    if not np.iscomplexobj(data):
        formatter = _Formatter(visible, floating=data.dtype.kind == "f")
        return formatter.format, formatter.width()
    # Complex numbers get one formatter for the real parts and one for the imaginary parts.
    real = _Formatter(visible.real, floating=True)
    imag = _Formatter(visible.imag, floating=True)

    def format_complex(value: complex) -> str:
        real_text = real.format(value.real)
        imag_text = (imag.format(value.imag) + "j").lstrip()
        # The imaginary part brings its own sign when negative (or -0.); otherwise add "+".
        if imag_text[0] in "+-":
            return real_text + imag_text
        return real_text + "+" + imag_text

    return format_complex, real.width() + imag.width() + 1


def _summarized_data(data: np.ndarray) -> np.ndarray:
    """Keep only the ``edgeitems`` first and last entries along each dimension."""
    edge = PRINT_OPTS.edgeitems
    if data.ndim == 0:
        return data
    if data.ndim == 1:
        if len(data) > 2 * edge:
            # With edge == 0, data[-0:] is the whole vector; PyTorch behaves the same way.
            return np.concatenate((data[:edge], data[-edge:]))
        return data
    if not edge:
        return np.empty([0] * data.ndim, dtype=data.dtype)
    return np.stack([_summarized_data(data[i]) for i in _kept_indices(len(data))])


def _kept_indices(length: int) -> list[int]:
    edge = PRINT_OPTS.edgeitems
    if length > 2 * edge:
        return list(range(edge)) + list(range(length - edge, length))
    return list(range(length))


def _vector_str(
    data: np.ndarray, indent: int, summarize: bool, fmt: Callable[[Any], str], width: int
) -> str:
    edge = PRINT_OPTS.edgeitems
    element_length = width + 2  # the element plus the ", " after it
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    if summarize and not edge:
        elements = ["..."]
    elif summarize and len(data) > 2 * edge:
        head = [fmt(value) for value in data[:edge].tolist()]
        tail = [fmt(value) for value in data[-edge:].tolist()]
        elements = head + [" ..."] + tail
    else:
        elements = [fmt(value) for value in data.tolist()]
    lines = [", ".join(elements[i : i + per_line]) for i in range(0, len(elements), per_line)]
    # Continuation lines start under the first element, just right of the "[".
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(
    data: np.ndarray, indent: int, summarize: bool, fmt: Callable[[Any], str], width: int
) -> str:
    if data.ndim == 0:
        return fmt(data.item())
    if data.ndim == 1:
        return _vector_str(data, indent, summarize, fmt, width)
    edge = PRINT_OPTS.edgeitems
    if summarize and len(data) > 2 * edge:
        head = [
            _tensor_str_with_formatter(data[i], indent + 1, summarize, fmt, width)
            for i in range(edge)
        ]
        tail = [
            _tensor_str_with_formatter(data[i], indent + 1, summarize, fmt, width)
            for i in range(len(data) - edge, len(data))
        ]
        slices = head + ["..."] + tail
    else:
        slices = [
            _tensor_str_with_formatter(row, indent + 1, summarize, fmt, width) for row in data
        ]
    # Sub-blocks of a k-dimensional tensor are separated by k - 2 blank lines.
    separator = "," + "\n" * (data.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(slices) + "]"


def _tensor_str(data: np.ndarray, indent: int) -> str:
    """Format the bracketed contents of a tensor whose first line starts at column ``indent``."""
    if data.size == 0:
        return "[]"
    summarize = data.size > PRINT_OPTS.threshold
    fmt, width = _element_printer(data, summarize)
    return _tensor_str_with_formatter(data, indent, summarize, fmt, width)


def _torch_length(suffix: str) -> int:
    """The suffix's length as PyTorch would print it, i.e. with "torch." for "ferrograd.".

    Measuring the PyTorch spelling makes suffixes move to a new line exactly where PyTorch moves
    them, so the output stays PyTorch's with only the module name changed.
    """
    if suffix.startswith(_DTYPE_PREFIX):
        return len(suffix) - len("ferrograd.") + len("torch.")
    return len(suffix)


def _add_suffixes(tensor_str: str, suffixes: list[str], indent: int, force_newline: bool) -> str:
    """Append ``, name=value`` suffixes, moving one to a new line when it would pass linewidth."""
    pieces = [tensor_str]
    # PyTorch's estimate of the last line's length: it is 2 too large when there is no newline
    # and 1 too large otherwise; reproduced as is so that lines wrap at the same places.
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        suffix_len = _torch_length(suffix)
        if force_newline or last_line_len + suffix_len + 2 > PRINT_OPTS.linewidth:
            pieces.append(",\n" + " " * indent + suffix)
            last_line_len = indent + suffix_len
            force_newline = False
        else:
            pieces.append(", " + suffix)
            last_line_len += suffix_len + 2
    pieces.append(")")
    return "".join(pieces)


def _has_default_dtype(dtype: str, default_dtype: str) -> bool:
    """Whether the dtype can be inferred from the printed values, so ``dtype=`` is omitted."""
    default_complex = "complex128" if default_dtype == "float64" else "complex64"
    return dtype in (default_dtype, default_complex, "int64", "bool")


def tensor_repr(
    data: np.ndarray,
    dtype: str,
    *,
    requires_grad: bool = False,
    grad_fn: str | None = None,
    default_dtype: str = "float32",
    device: str = "cpu",
) -> str:
    """Return what PyTorch's ``repr``/``str`` prints for a tensor holding ``data``.

    ``dtype`` is the ferrograd dtype name (``"float32"``, ``"int64"``, ``"bfloat16"``, ...);
    ``data`` holds the exact values (bfloat16 ones in a float32 array). ``grad_fn`` is the name
    of the node class, e.g. ``"AddBackward0"``.
    """
    if dtype not in _NUMPY_DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}")
    data = np.asarray(data, dtype=_NUMPY_DTYPES[dtype])
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    if device != "cpu":
        suffixes.append(f"device='{device}'")
    if data.size == 0:
        # Match numpy: the shape is implied only for the plain 1-d "[]". With no values to look
        # at, even int64 and bool are not implied, so only the default float dtype goes unsaid.
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        if dtype != default_dtype:
            suffixes.append(_DTYPE_PREFIX + dtype)
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            # Nothing but "..." is printed, so the size is the only clue to the contents.
            suffixes.append(f"size={tuple(data.shape)}")
        if not _has_default_dtype(dtype, default_dtype):
            suffixes.append(_DTYPE_PREFIX + dtype)
        body = _tensor_str(data, indent)
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent, force_newline=False)
