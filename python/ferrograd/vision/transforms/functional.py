"""The functional transforms (`torchvision.transforms.functional`): one function per operation,
taking a PIL image or a tensor image [..., C, H, W] and dispatching to `_pil` or `_tensor_*`.

The transform classes (`Resize`, `RandomCrop`, ...) hold parameters and draw random numbers;
the work is done here, so `F.resize(img, 32)` and `Resize(32)(img)` agree.
"""

from __future__ import annotations

import numbers
from typing import Any

from ... import Tensor, float32
from . import _pil
from . import _tensor_color as _tcolor
from . import _tensor_core as _t
from . import _tensor_resize as _tresize
from . import _tensor_rotate as _trotate
from ._affine import affine
from ._blur import gaussian_blur
from ._conversion import pil_to_tensor, to_pil_image, to_tensor
from ._modes import PIL_CODES, InterpolationMode, as_interpolation_mode

__all__ = [
    "InterpolationMode",
    "adjust_brightness",
    "adjust_contrast",
    "adjust_hue",
    "adjust_saturation",
    "affine",
    "center_crop",
    "convert_image_dtype",
    "crop",
    "gaussian_blur",
    "get_dimensions",
    "get_image_num_channels",
    "get_image_size",
    "hflip",
    "normalize",
    "pad",
    "pil_to_tensor",
    "resize",
    "resized_crop",
    "rgb_to_grayscale",
    "rotate",
    "to_grayscale",
    "to_pil_image",
    "to_tensor",
    "vflip",
]


def get_dimensions(img: Any) -> list[int]:
    """[channels, height, width] of a PIL image or a tensor image."""
    if isinstance(img, Tensor):
        return _t.get_dimensions(img)
    return _pil.get_dimensions(img)


def get_image_size(img: Any) -> list[int]:
    """[width, height] (Pillow's order)."""
    _, height, width = get_dimensions(img)
    return [width, height]


def get_image_num_channels(img: Any) -> int:
    return get_dimensions(img)[0]


def convert_image_dtype(image: Tensor, dtype: Any = float32) -> Tensor:
    """Casts a tensor image and rescales its values (uint8 255 <-> float 1.0)."""
    if not isinstance(image, Tensor):
        raise TypeError("Input img should be Tensor Image")
    return _t.convert_image_dtype(image, dtype)


def normalize(tensor: Tensor, mean: Any, std: Any, inplace: bool = False) -> Tensor:
    """(x - mean[c]) / std[c] for each channel c of a float tensor image."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    return _t.normalize(tensor, mean, std, inplace)


def resize(
    img: Any,
    size: Any,
    interpolation: Any = InterpolationMode.BILINEAR,
    max_size: int | None = None,
    antialias: bool | None = True,
) -> Any:
    """Resizes to `size` = (h, w), or makes the shorter edge `size` (an int) keeping the
    aspect ratio."""
    interpolation = as_interpolation_mode(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError(
                "Size must be an int or a 1 or 2 element tuple/list, not a "
                f"{len(size)} element tuple/list"
            )
        if max_size is not None and len(size) != 1:
            raise ValueError(
                "max_size should only be passed if size specifies the length of the smaller "
                "edge, i.e. size should be an int or a sequence of length 1 in torchscript mode."
            )
    _, height, width = get_dimensions(img)
    size_list = [size] if isinstance(size, int) else list(size)
    output_size = _tresize.compute_resized_output_size((height, width), size_list, max_size)
    if [height, width] == output_size:
        return img
    if not isinstance(img, Tensor):
        return _pil.resize(img, output_size, PIL_CODES[interpolation])
    return _tresize.resize(img, output_size, interpolation.value, antialias)


def pad(img: Any, padding: Any, fill: Any = 0, padding_mode: str = "constant") -> Any:
    """Pads every side: `padding` is an int, (left/right, top/bottom) or (l, t, r, b)."""
    if not isinstance(img, Tensor):
        return _pil.pad(img, padding, fill, padding_mode)
    return _t.pad(img, padding, fill, padding_mode)


def crop(img: Any, top: int, left: int, height: int, width: int) -> Any:
    """The box with top-left corner (top, left); outside the image is filled with 0."""
    if not isinstance(img, Tensor):
        return _pil.crop(img, top, left, height, width)
    return _t.crop(img, top, left, height, width)


def center_crop(img: Any, output_size: Any) -> Any:
    """The centred (h, w) box; an image smaller than that is zero-padded first."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = output_size
    if crop_width > image_width or crop_height > image_height:
        padding_ltrb = [
            (crop_width - image_width) // 2 if crop_width > image_width else 0,
            (crop_height - image_height) // 2 if crop_height > image_height else 0,
            (crop_width - image_width + 1) // 2 if crop_width > image_width else 0,
            (crop_height - image_height + 1) // 2 if crop_height > image_height else 0,
        ]
        img = pad(img, padding_ltrb, fill=0)
        _, image_height, image_width = get_dimensions(img)
        if crop_width == image_width and crop_height == image_height:
            return img
    # Python's round() rounds halves to even, as torchvision relies on.
    crop_top = round((image_height - crop_height) / 2.0)
    crop_left = round((image_width - crop_width) / 2.0)
    return crop(img, crop_top, crop_left, crop_height, crop_width)


def resized_crop(
    img: Any,
    top: int,
    left: int,
    height: int,
    width: int,
    size: Any,
    interpolation: Any = InterpolationMode.BILINEAR,
    antialias: bool | None = True,
) -> Any:
    img = crop(img, top, left, height, width)
    return resize(img, size, interpolation, antialias=antialias)


def hflip(img: Any) -> Any:
    """Mirrors left-right."""
    if not isinstance(img, Tensor):
        return _pil.hflip(img)
    return _t.hflip(img)


def vflip(img: Any) -> Any:
    """Mirrors top-bottom."""
    if not isinstance(img, Tensor):
        return _pil.vflip(img)
    return _t.vflip(img)


def rotate(
    img: Any,
    angle: float,
    interpolation: Any = InterpolationMode.NEAREST,
    expand: bool = False,
    center: Any = None,
    fill: Any = None,
) -> Any:
    """Rotates counter-clockwise by `angle` degrees about `center` (default: the middle)."""
    interpolation = as_interpolation_mode(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    if not isinstance(img, Tensor):
        return _pil.rotate(img, angle, PIL_CODES[interpolation], expand, center, fill)
    center_f = [0.0, 0.0]
    if center is not None:
        _, height, width = get_dimensions(img)
        # Pixel coordinates, shifted so that (0, 0) is the image centre.
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]
    # The grid maps output to input, hence the inverse matrix; -angle because image rows
    # grow downwards, so counter-clockwise on screen is clockwise in (x, y).
    matrix = _trotate.inverse_affine_matrix(center_f, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    return _trotate.rotate(img, matrix, interpolation.value, expand, fill)


def _colour(pil_fn: Any, tensor_fn: Any, img: Any, factor: float) -> Any:
    return tensor_fn(img, factor) if isinstance(img, Tensor) else pil_fn(img, factor)


def adjust_brightness(img: Any, brightness_factor: float) -> Any:
    """0 gives black, 1 the original, 2 twice as bright (clipped)."""
    return _colour(_pil.adjust_brightness, _tcolor.adjust_brightness, img, brightness_factor)


def adjust_contrast(img: Any, contrast_factor: float) -> Any:
    """0 gives a solid gray at the mean level, 1 the original, 2 twice the contrast."""
    return _colour(_pil.adjust_contrast, _tcolor.adjust_contrast, img, contrast_factor)


def adjust_saturation(img: Any, saturation_factor: float) -> Any:
    """0 gives grayscale, 1 the original, 2 twice the saturation."""
    return _colour(_pil.adjust_saturation, _tcolor.adjust_saturation, img, saturation_factor)


def adjust_hue(img: Any, hue_factor: float) -> Any:
    """Shifts the hue by `hue_factor` turns of the colour wheel, in [-0.5, 0.5]."""
    return _colour(_pil.adjust_hue, _tcolor.adjust_hue, img, hue_factor)


def rgb_to_grayscale(img: Any, num_output_channels: int = 1) -> Any:
    if not isinstance(img, Tensor):
        return _pil.to_grayscale(img, num_output_channels)
    return _tcolor.rgb_to_grayscale(img, num_output_channels)


def to_grayscale(img: Any, num_output_channels: int = 1) -> Any:
    """PIL images only (any mode Pillow can convert to "L")."""
    if _pil.is_pil_image(img):
        return _pil.to_grayscale(img, num_output_channels)
    raise TypeError("Input should be PIL Image")
