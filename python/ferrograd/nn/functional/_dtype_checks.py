"""The dtype check PyTorch's kernels make: `"elu_cpu" not implemented for 'Long'`."""

from __future__ import annotations

from ... import _C

# PyTorch's C++ names of the dtypes, which its "not implemented for" messages quote.
_SCALAR_TYPE_NAMES = {
    _C.float32: "Float",
    _C.float64: "Double",
    _C.float16: "Half",
    _C.bfloat16: "BFloat16",
    _C.int64: "Long",
    _C.int32: "Int",
    _C.int16: "Short",
    _C.int8: "Char",
    _C.uint8: "Byte",
    _C.bool: "Bool",
}


def scalar_type_name(dtype) -> str:
    """`Float` for float32, `Long` for int64, ... as in PyTorch's messages."""
    return _SCALAR_TYPE_NAMES[dtype]


def require_floating(input: _C.Tensor, kernel: str) -> None:
    """Raise PyTorch's NotImplementedError when a float-only kernel meets an integer tensor."""
    if not input.is_floating_point():
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{scalar_type_name(input.dtype)}'"
        )
