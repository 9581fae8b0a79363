"""Colour adjustments of tensor images [..., 1 or 3, H, W]: grayscale, brightness, contrast,
saturation and hue, with torchvision's formulas (so results match it value for value).

Brightness, contrast and saturation all blend the image with a reference image:
`factor * img + (1 - factor) * reference` (black, the mean gray, the grayscale image). A
factor of 1 keeps the image; 0 gives the reference; above 1 extrapolates away from it.
"""

from __future__ import annotations

from ... import (
    Tensor,
    arange,
    einsum,
    float32,
    floor,
    fmod,
    int32,
    mean,
    ones_like,
    stack,
    where,
    zeros_like,
)
from ... import max as tmax
from ... import min as tmin
from ._tensor_core import (
    assert_channels,
    assert_image_tensor,
    convert_image_dtype,
    get_dimensions,
    max_value,
)


def rgb_to_grayscale(img: Tensor, num_output_channels: int = 1) -> Tensor:
    """Luma 0.2989 R + 0.587 G + 0.114 B (ITU-R 601), in the image's own dtype."""
    if img.ndim < 3:
        raise TypeError(
            f"Input image tensor should have at least 3 dimensions, but found {img.ndim}"
        )
    assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if img.shape[-3] == 3:
        r, g, b = img.unbind(dim=-3)
        gray = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(-3)
    else:
        gray = img.clone()
    if num_output_channels == 3:
        return gray.expand(img.shape)
    return gray


def _blend(img1: Tensor, img2: Tensor, ratio: float) -> Tensor:
    ratio = float(ratio)
    bound = max_value(img1.dtype)
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, bound).to(img1.dtype)


def adjust_brightness(img: Tensor, brightness_factor: float) -> Tensor:
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    assert_image_tensor(img)
    assert_channels(img, [1, 3])
    return _blend(img, zeros_like(img), brightness_factor)


def adjust_contrast(img: Tensor, contrast_factor: float) -> Tensor:
    """Blends with the image's mean gray level (over channels, height and width)."""
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    assert_image_tensor(img)
    assert_channels(img, [3, 1])
    dtype = img.dtype if img.is_floating_point() else float32
    gray = rgb_to_grayscale(img) if get_dimensions(img)[0] == 3 else img
    level = mean(gray.to(dtype), dim=(-3, -2, -1), keepdim=True)
    return _blend(img, level, contrast_factor)


def adjust_saturation(img: Tensor, saturation_factor: float) -> Tensor:
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    assert_image_tensor(img)
    assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:  # a gray image has no saturation (as Pillow)
        return img
    return _blend(img, rgb_to_grayscale(img), saturation_factor)


def adjust_hue(img: Tensor, hue_factor: float) -> Tensor:
    """Rotates the hue by `hue_factor` turns (in [-0.5, 0.5]) through HSV space."""
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if not isinstance(img, Tensor):
        raise TypeError("Input img should be Tensor image")
    assert_image_tensor(img)
    assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    orig_dtype = img.dtype
    hsv = _rgb_to_hsv(convert_image_dtype(img, float32))
    h, s, v = hsv.unbind(dim=-3)
    h = (h + hue_factor) % 1.0  # a floored modulo: -0.25 turns is 0.75 turns
    rgb = _hsv_to_rgb(stack((h, s, v), dim=-3))
    return convert_image_dtype(rgb, orig_dtype)


def _rgb_to_hsv(img: Tensor) -> Tensor:
    """Pillow's RGB -> HSV (all in [0, 1]); gray pixels (max == min) get hue and saturation 0,
    and the divisions are guarded so no NaN is ever produced."""
    r, g, b = img.unbind(dim=-3)
    maxc = tmax(img, dim=-3).values
    minc = tmin(img, dim=-3).values
    gray = maxc == minc
    chroma = maxc - minc
    ones = ones_like(maxc)
    s = chroma / where(gray, ones, maxc)
    divisor = where(gray, ones, chroma)
    rc = (maxc - r) / divisor
    gc = (maxc - g) / divisor
    bc = (maxc - b) / divisor
    # Which channel holds the maximum picks the 60-degree sector the hue lies in.
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = fmod((hr + hg + hb) / 6.0 + 1.0, 1.0)
    return stack((h, s, maxc), dim=-3)


def _hsv_to_rgb(img: Tensor) -> Tensor:
    """HSV -> RGB: the sector i = floor(6 h) selects, through a one-hot mask, which of
    v, p, q, t goes to each of R, G, B."""
    h, s, v = img.unbind(dim=-3)
    i = floor(h * 6.0)
    f = h * 6.0 - i
    i = i.to(dtype=int32) % 6
    p = (v * (1.0 - s)).clamp(0.0, 1.0)
    q = (v * (1.0 - s * f)).clamp(0.0, 1.0)
    t = (v * (1.0 - s * (1.0 - f))).clamp(0.0, 1.0)
    mask = i.unsqueeze(-3) == arange(6, device=i.device).view(-1, 1, 1)
    a1 = stack((v, q, p, p, t, v), dim=-3)
    a2 = stack((t, v, v, q, p, p), dim=-3)
    a3 = stack((p, p, t, v, v, q), dim=-3)
    a4 = stack((a1, a2, a3), dim=-4)
    return einsum("...ijk, ...xijk -> ...xjk", mask.to(dtype=img.dtype), a4)
