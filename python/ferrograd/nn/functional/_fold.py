"""Sliding windows as columns: `unfold` (im2col) and its adjoint `fold` (col2im)."""

from __future__ import annotations

from typing import Union

from ... import _C

Tensor = _C.Tensor

__all__ = ["fold", "unfold"]

_IntPair = Union[int, tuple[int, ...]]


def _pair(value: _IntPair) -> tuple[int, ...]:
    """An int means the same value for height and width."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def unfold(
    input: Tensor,
    kernel_size: _IntPair,
    dilation: _IntPair = 1,
    padding: _IntPair = 0,
    stride: _IntPair = 1,
) -> Tensor:
    """(N, C, H, W) -> (N, C * kh * kw, L): every kh x kw window as one column."""
    return _C.im2col(input, _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride))


def fold(
    input: Tensor,
    output_size: _IntPair,
    kernel_size: _IntPair,
    dilation: _IntPair = 1,
    padding: _IntPair = 0,
    stride: _IntPair = 1,
) -> Tensor:
    """(N, C * kh * kw, L) -> (N, C, H, W): columns summed back into their windows."""
    return _C.col2im(
        input,
        _pair(output_size),
        _pair(kernel_size),
        _pair(dilation),
        _pair(padding),
        _pair(stride),
    )
