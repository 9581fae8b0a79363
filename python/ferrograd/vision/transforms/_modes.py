"""`InterpolationMode`: the resampling filters by name, and the Pillow integer codes for them."""

from __future__ import annotations

from enum import Enum
from typing import Any

__all__ = ["InterpolationMode"]


class InterpolationMode(Enum):
    """How a resize or rotation computes a pixel that falls between input pixels."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


# Pillow's filter constants (Image.Resampling): torchvision accepts them in place of the enum.
_FROM_PIL_CODE = {
    0: InterpolationMode.NEAREST,
    2: InterpolationMode.BILINEAR,
    3: InterpolationMode.BICUBIC,
    4: InterpolationMode.BOX,
    5: InterpolationMode.HAMMING,
    1: InterpolationMode.LANCZOS,
}

# Pillow has no "nearest-exact": its NEAREST already samples at pixel centres.
PIL_CODES = {
    InterpolationMode.NEAREST: 0,
    InterpolationMode.BILINEAR: 2,
    InterpolationMode.BICUBIC: 3,
    InterpolationMode.NEAREST_EXACT: 0,
    InterpolationMode.BOX: 4,
    InterpolationMode.HAMMING: 5,
    InterpolationMode.LANCZOS: 1,
}


def interpolation_modes_from_int(code: int) -> InterpolationMode:
    """The mode for a Pillow filter constant (a KeyError for an unknown one, as torchvision)."""
    return _FROM_PIL_CODE[code]


def as_interpolation_mode(interpolation: Any) -> InterpolationMode:
    """Accepts the enum or a Pillow integer constant, the two forms torchvision takes."""
    if isinstance(interpolation, int):
        return interpolation_modes_from_int(interpolation)
    if not isinstance(interpolation, InterpolationMode):
        raise TypeError(
            "Argument interpolation should be a InterpolationMode or a corresponding Pillow "
            "integer constant"
        )
    return interpolation
