"""Rotating tensor images: an affine sampling grid fed to `nn.functional.grid_sample`.

For every output pixel we compute where it comes from in the input (the inverse transform),
in grid_sample's normalised coordinates ([-1, 1] across the image), and sample there. Pixels
that come from outside the image get `fill`, found by sampling a channel of ones alongside the
image: where that channel reads < 1 the sample fell (partly) outside.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import Tensor, cat, empty, float32, linspace, ones, tensor
from ...nn import functional as nnF
from ._tensor_core import assert_image_tensor, cast_squeeze_in, cast_squeeze_out, get_dimensions


def inverse_affine_matrix(
    center: list[float], angle: float, translate: list[float], scale: float, shear: list[float]
) -> list[float]:
    """The 2x3 matrix (row-major, 6 floats) mapping output to input coordinates for
    M = T * C * RotateScaleShear * C^-1 (angle and shears in degrees), i.e. M^-1."""
    rot = math.radians(angle)
    sx = math.radians(shear[0])
    sy = math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    # Rotation combined with shear, before scaling: [[a, b], [c, d]], determinant 1.
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    # Its inverse is [[d, -b], [-c, a]]; then undo the translations: RSS^-1 * C^-1 * T^-1.
    matrix = [x / scale for x in (d, -b, 0.0, -c, a, 0.0)]
    matrix[2] += matrix[0] * (-cx - tx) + matrix[1] * (-cy - ty)
    matrix[5] += matrix[3] * (-cx - tx) + matrix[4] * (-cy - ty)
    matrix[2] += cx
    matrix[5] += cy
    return matrix


def _expanded_size(matrix: list[float], w: int, h: int) -> tuple[int, int]:
    """(w, h) of the box holding the whole transformed image (`expand=True`), as Pillow."""
    corners = np.array(
        [[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0], [0.5 * w, 0.5 * h, 1.0],
         [0.5 * w, -0.5 * h, 1.0]],
        dtype=np.float32,
    )  # fmt: skip
    theta = np.array(matrix, dtype=np.float32).reshape(2, 3)
    moved = corners @ theta.T
    shift = np.array([w * 0.5, h * 0.5], dtype=np.float32)
    lo, hi = moved.min(axis=0) + shift, moved.max(axis=0) + shift
    # Cut precision to 1e-4 first so that 31.000000000001 does not round up to 32.
    tol = np.float32(1e-4)
    size = np.ceil(np.trunc(hi / tol) * tol) - np.floor(np.trunc(lo / tol) * tol)
    return int(size[0]), int(size[1])


def _affine_grid(theta: Tensor, w: int, h: int, ow: int, oh: int) -> Tensor:
    """[1, oh, ow, 2] grid: output pixel centres (relative to the output centre) mapped by
    `theta`, normalised by the *input* size (so `expand` can look beyond the input)."""
    base = empty(1, oh, ow, 3, dtype=theta.dtype, device=theta.device)
    base[..., 0].copy_(linspace(-ow * 0.5 + 0.5, ow * 0.5 - 0.5, steps=ow, device=theta.device))
    y_steps = linspace(-oh * 0.5 + 0.5, oh * 0.5 - 0.5, steps=oh, device=theta.device)
    base[..., 1].copy_(y_steps.unsqueeze(-1))
    base[..., 2].fill_(1)
    half_size = tensor([0.5 * w, 0.5 * h], dtype=theta.dtype, device=theta.device)
    rescaled = theta.transpose(1, 2) / half_size
    return base.view(1, oh * ow, 3).bmm(rescaled).view(1, oh, ow, 2)


def apply_grid(img: Tensor, grid: Tensor, mode: str, fill: Any) -> Tensor:
    """Samples `img` at `grid`; out-of-image samples get `fill` (number or per channel)."""
    img, cast, squeeze, out_dtype = cast_squeeze_in(img, [grid.dtype])
    if img.shape[0] > 1:
        grid = grid.expand(img.shape[0], grid.shape[1], grid.shape[2], grid.shape[3])
    if fill is not None:
        inside = ones((img.shape[0], 1, img.shape[2], img.shape[3]), dtype=img.dtype)
        img = cat((img, inside.to(img.device)), dim=1)
    img = nnF.grid_sample(img, grid, mode=mode, padding_mode="zeros", align_corners=False)
    if fill is not None:
        inside = img[:, -1:, :, :].expand_as(img[:, :-1, :, :])
        img = img[:, :-1, :, :]
        values = list(fill) if isinstance(fill, (tuple, list)) else [float(fill)]
        fill_img = tensor(values, dtype=img.dtype, device=img.device)
        fill_img = fill_img.view(1, len(values), 1, 1).expand_as(img)
        if mode == "nearest":
            outside = inside < 0.5
            img[outside] = fill_img[outside]
        else:
            # Bilinear samples straddling the border blend image and fill by coverage.
            img = img * inside + (1.0 - inside) * fill_img
    return cast_squeeze_out(img, cast, squeeze, out_dtype)


def check_grid_inputs(img: Tensor, fill: Any, interpolation: str) -> None:
    if not isinstance(img, Tensor):
        raise TypeError("Input img should be Tensor")
    assert_image_tensor(img)
    channels = get_dimensions(img)[0]
    if isinstance(fill, (tuple, list)) and len(fill) > 1 and len(fill) != channels:
        raise ValueError(
            "The number of elements in 'fill' cannot broadcast to match the number of "
            f"channels of the image ({len(fill)} != {channels})"
        )
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor input")


def rotate(
    img: Tensor,
    matrix: list[float],
    interpolation: str = "nearest",
    expand: bool = False,
    fill: Any = None,
) -> Tensor:
    """Applies the inverse affine `matrix` (see `inverse_affine_matrix`) to [..., H, W]."""
    check_grid_inputs(img, fill, interpolation)
    w, h = img.shape[-1], img.shape[-2]
    ow, oh = _expanded_size(matrix, w, h) if expand else (w, h)
    dtype = img.dtype if img.is_floating_point() else float32
    theta = tensor(matrix, dtype=dtype, device=img.device).reshape(1, 2, 3)
    grid = _affine_grid(theta, w=w, h=h, ow=ow, oh=oh)
    return apply_grid(img, grid, interpolation, fill)
