"""Convolutions: `conv1d/2d/3d` and `conv_transpose1d/2d/3d` (the Rust core's ops, as in PyTorch
where `F.conv2d is torch.conv2d`)."""

from __future__ import annotations

from ... import _C

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
]

# The same function objects as `ferrograd.conv2d` etc.: every argument check and the
# 'same'/'valid' padding strings are handled in the core (`tensor/conv.rs`).
conv1d = _C.conv1d
conv2d = _C.conv2d
conv3d = _C.conv3d
conv_transpose1d = _C.conv_transpose1d
conv_transpose2d = _C.conv_transpose2d
conv_transpose3d = _C.conv_transpose3d
