"""PIL images: the Pillow half of the functional API (sizes, flips, crops, padding, resizing,
rotation and colour), each a thin call into Pillow, as torchvision does."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from PIL import Image, ImageEnhance, ImageOps


def is_pil_image(img: Any) -> bool:
    return isinstance(img, Image.Image)


def _require_pil(img: Any) -> None:
    if not is_pil_image(img):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")


def get_dimensions(img: Any) -> list[int]:
    """[channels, height, width] (Pillow's `size` is (width, height))."""
    if is_pil_image(img):
        width, height = img.size
        return [len(img.getbands()), height, width]
    raise TypeError(f"Unexpected type {type(img)}")


def image_from_array(array: np.ndarray, mode: str) -> Image.Image:
    """An image of `mode` reading the array's bytes as that mode's pixels. (Newer Pillow no
    longer takes `mode` in `Image.fromarray`; `frombuffer` keeps that meaning.)"""
    height, width = array.shape[0], array.shape[1]
    data = np.ascontiguousarray(array).tobytes()
    return Image.frombuffer(mode, (width, height), data, "raw", mode, 0, 1)


def hflip(img: Image.Image) -> Image.Image:
    _require_pil(img)
    return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)


def vflip(img: Image.Image) -> Image.Image:
    _require_pil(img)
    return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)


def crop(img: Image.Image, top: int, left: int, height: int, width: int) -> Image.Image:
    _require_pil(img)
    return img.crop((left, top, left + width, top + height))


def resize(img: Image.Image, size: list[int], interpolation: int) -> Image.Image:
    """`size` is [h, w]; Pillow wants (w, h). Pillow always antialiases when shrinking."""
    _require_pil(img)
    return img.resize((size[1], size[0]), interpolation)


def parse_fill(fill: Any, img: Image.Image, name: str = "fillcolor") -> dict[str, Any]:
    """Pillow's fill argument: a number per channel, ints unless the image is float ("F")."""
    channels = len(img.getbands())
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and channels > 1:
        fill = tuple([fill] * channels)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = fill * channels
        elif len(fill) != channels:
            raise ValueError(
                "The number of elements in 'fill' does not match the number of channels of "
                f"the image ({len(fill)} != {channels})"
            )
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(x) for x in fill) if isinstance(fill, tuple) else int(fill)
    return {name: fill}


def pad(img: Image.Image, padding: Any, fill: Any = 0, padding_mode: str = "constant") -> Any:
    """Constant padding through Pillow; the mirror/edge modes through numpy.pad."""
    _require_pil(img)
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (list, tuple)):
        if len(padding) not in (1, 2, 4):
            raise ValueError(
                "Padding must be an int or a 1, 2, or 4 element tuple, not a "
                f"{len(padding)} element tuple"
            )
        padding = tuple(padding) if len(padding) != 1 else padding[0]
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    if padding_mode == "constant":
        opts = parse_fill(fill, img, name="fill")
        palette = img.getpalette() if img.mode == "P" else None
        out = ImageOps.expand(img, border=padding, **opts)
        if palette is not None:
            out.putpalette(palette)
        return out
    return _pad_numpy(img, padding, padding_mode)


def _pad_numpy(img: Image.Image, padding: Any, padding_mode: str) -> Image.Image:
    if isinstance(padding, int):
        p = [padding] * 4
    elif len(padding) == 2:
        p = [padding[0], padding[1], padding[0], padding[1]]
    else:
        p = list(padding)  # left, top, right, bottom
    crop_l, crop_t, crop_r, crop_b = (-min(x, 0) for x in p)
    if crop_l or crop_t or crop_r or crop_b:
        img = img.crop((crop_l, crop_t, img.width - crop_r, img.height - crop_b))
    left, top, right, bottom = (max(x, 0) for x in p)
    palette = img.getpalette() if img.mode == "P" else None
    array = np.asarray(img)
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (array.ndim - 2)
    out = Image.fromarray(np.pad(array, widths, mode=padding_mode))
    if palette is not None:
        out.putpalette(palette)
    return out


def rotate(
    img: Image.Image,
    angle: float,
    interpolation: int = 0,
    expand: bool = False,
    center: Any = None,
    fill: Any = None,
) -> Image.Image:
    _require_pil(img)
    opts = parse_fill(fill, img)
    return img.rotate(angle, interpolation, expand, center, **opts)


def adjust_brightness(img: Image.Image, factor: float) -> Image.Image:
    _require_pil(img)
    return ImageEnhance.Brightness(img).enhance(factor)


def adjust_contrast(img: Image.Image, factor: float) -> Image.Image:
    _require_pil(img)
    return ImageEnhance.Contrast(img).enhance(factor)


def adjust_saturation(img: Image.Image, factor: float) -> Image.Image:
    _require_pil(img)
    return ImageEnhance.Color(img).enhance(factor)


def adjust_hue(img: Image.Image, hue_factor: float) -> Image.Image:
    """Shifts Pillow's 8-bit hue channel by hue_factor * 255 (wrapping around)."""
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    _require_pil(img)
    input_mode = img.mode
    if input_mode in {"L", "1", "I", "F"}:
        return img
    h, s, v = img.convert("HSV").split()
    np_h = np.array(h, dtype=np.uint8)
    # uint8 addition wraps modulo 256, which is the hue's circle.
    np_h += np.int32(hue_factor * 255).astype(np.uint8)
    h = image_from_array(np_h, "L")
    return Image.merge("HSV", (h, s, v)).convert(input_mode)


def to_grayscale(img: Image.Image, num_output_channels: int) -> Image.Image:
    _require_pil(img)
    if num_output_channels == 1:
        return img.convert("L")
    if num_output_channels == 3:
        gray = np.array(img.convert("L"), dtype=np.uint8)
        return image_from_array(np.dstack([gray, gray, gray]), "RGB")
    raise ValueError("num_output_channels should be either 1 or 3")
