"""`affine`: rotate, translate, scale and shear an image in one resampling, as torchvision's
`functional.affine`.

Both paths build the inverse matrix (output pixel -> input pixel) of
M = Translate * Center * Rotate * Scale * Shear * Center^-1. A PIL image hands it to Pillow's
`Image.transform(AFFINE)`, in pixel coordinates about the image's corner; a tensor samples a
grid through `grid_sample` (see `_tensor_rotate`), in coordinates about the image's centre.
"""

from __future__ import annotations

import numbers
from typing import Any

from PIL import Image

from ... import Tensor, float32, tensor
from . import _pil
from . import _tensor_core as _t
from ._modes import PIL_CODES, InterpolationMode, as_interpolation_mode
from ._tensor_rotate import _affine_grid, apply_grid, check_grid_inputs, inverse_affine_matrix

__all__ = ["affine"]


def _check_args(angle: Any, translate: Any, scale: Any, shear: Any, center: Any) -> list[float]:
    """torchvision's argument checks, in its order; returns shear as [x, y]."""
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if not isinstance(translate, (list, tuple)):
        raise TypeError("Argument translate should be a sequence")
    if len(translate) != 2:
        raise ValueError("Argument translate should be a sequence of length 2")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    if not isinstance(shear, (numbers.Number, (list, tuple))):
        raise TypeError("Shear should be either a single value or a sequence of two values")
    # One number shears along x only; a one-element sequence shears along both axes.
    if isinstance(shear, numbers.Number):
        shear = [shear, 0.0]
    shear = list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    return shear


def _pil_affine(img: Any, matrix: list[float], interpolation: int, fill: Any) -> Any:
    if not _pil.is_pil_image(img):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")
    opts = _pil.parse_fill(fill, img)
    return img.transform(img.size, Image.Transform.AFFINE, matrix, interpolation, **opts)


def _tensor_affine(img: Tensor, matrix: list[float], interpolation: str, fill: Any) -> Tensor:
    check_grid_inputs(img, fill, interpolation)
    # Integer images are sampled in float32 and rounded back (in `apply_grid`).
    dtype = img.dtype if img.is_floating_point() else float32
    theta = tensor(matrix, dtype=dtype, device=img.device).reshape(1, 2, 3)
    w, h = img.shape[-1], img.shape[-2]
    grid = _affine_grid(theta, w=w, h=h, ow=w, oh=h)
    return apply_grid(img, grid, interpolation, fill)


def affine(
    img: Any,
    angle: float,
    translate: list[int],
    scale: float,
    shear: list[float],
    interpolation: Any = InterpolationMode.NEAREST,
    fill: Any = None,
    center: Any = None,
) -> Any:
    """Rotates by `angle` degrees clockwise about `center` (default: the middle), scales by
    `scale`, shears by `shear` degrees (a number: along x; [sx, sy]: both), then moves by
    `translate` = (dx, dy) pixels. Outside the input is `fill`."""
    interpolation = as_interpolation_mode(interpolation)
    shear = _check_args(angle, translate, scale, shear, center)
    angle = float(angle)
    translate = list(translate)
    get_dimensions = _t.get_dimensions if isinstance(img, Tensor) else _pil.get_dimensions
    _, height, width = get_dimensions(img)
    if not isinstance(img, Tensor):
        # Pillow's coordinates: (0, 0) is the top-left corner of the top-left pixel.
        if center is None:
            center = [width * 0.5, height * 0.5]
        matrix = inverse_affine_matrix(center, angle, translate, scale, shear)
        return _pil_affine(img, matrix, PIL_CODES[interpolation], fill)
    center_f = [0.0, 0.0]
    if center is not None:
        # The grid's coordinates: (0, 0) is the image centre.
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]
    translate_f = [1.0 * t for t in translate]
    matrix = inverse_affine_matrix(center_f, angle, translate_f, scale, shear)
    return _tensor_affine(img, matrix, interpolation.value, fill)
