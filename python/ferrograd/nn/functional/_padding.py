"""`pad`: constant, reflect, replicate and circular padding of the last dims."""

from __future__ import annotations

from collections.abc import Sequence

from ... import _C

Tensor = _C.Tensor

__all__ = ["pad"]


def pad(
    input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None
) -> Tensor:
    """Pads the last len(pad) // 2 dims; `pad` is (before, after) pairs from the last dim."""
    for position, size in enumerate(pad):
        if not isinstance(size, int) and not hasattr(size, "__index__"):
            raise TypeError(
                f"pad(): argument 'pad' failed to unpack the object at pos {position + 1} "
                f'with error "type must be tuple of ints,but got {type(size).__name__}"'
            )
    return _C._pad_nd(input, tuple(pad), mode, value)
