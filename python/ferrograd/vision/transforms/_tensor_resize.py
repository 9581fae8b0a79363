"""Resizing tensor images: the output size rule, and antialiased (area-aware) resampling.

Plain bilinear/bicubic interpolation looks at the 2 or 4 nearest input pixels, so shrinking an
image by a large factor skips most pixels and aliases. With `antialias=True` (torchvision's
default) the filter is stretched by the shrink factor so every input pixel contributes, which
is what Pillow does. That resampling is separable: each output row is a weighted sum of input
rows, so it is a matrix product `W_h @ img @ W_w^T` with small weight matrices built here.
"""

from __future__ import annotations

import numpy as np

from ... import Tensor, float32, float64, from_numpy, matmul, uint8
from ...nn import functional as nnF
from ._tensor_core import assert_image_tensor, cast_squeeze_in, cast_squeeze_out


def compute_resized_output_size(
    image_size: tuple[int, int], size: list[int], max_size: int | None = None
) -> list[int]:
    """[new_h, new_w]: `size` of one value sets the shorter edge and keeps the aspect ratio
    (the longer edge is truncated to an int); two values are (h, w)."""
    h, w = image_size
    if len(size) != 1:
        return [size[0], size[1]]
    short, long = (w, h) if w <= h else (h, w)
    requested_short = size[0]
    new_short, new_long = requested_short, int(requested_short * long / short)
    if max_size is not None:
        if max_size <= requested_short:
            raise ValueError(
                f"max_size = {max_size} must be strictly greater than the requested "
                f"size for the smaller edge size = {size}"
            )
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    return [new_h, new_w]


def _triangle(x: np.ndarray) -> np.ndarray:
    """The bilinear filter: weight 1 at distance 0, falling to 0 at distance 1."""
    return np.maximum(0.0, 1.0 - np.abs(x))


def _cubic(x: np.ndarray) -> np.ndarray:
    """Keys' cubic convolution with a = -0.5 (Pillow's bicubic), support 2."""
    a = -0.5
    x = np.abs(x)
    near = ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    far = (((x - 5.0) * x + 8.0) * x - 4.0) * a
    return np.where(x < 1.0, near, np.where(x < 2.0, far, 0.0))


def antialias_weights(in_size: int, out_size: int, mode: str) -> np.ndarray:
    """The (out_size, in_size) matrix whose row i holds the input weights of output pixel i.

    Output pixel i is centred at input coordinate `scale * (i + 0.5)`. When shrinking
    (scale > 1) the filter is widened by `scale`; the weights are renormalised to sum to 1,
    which also handles the image border (PyTorch's and Pillow's rule).
    """
    filter_fn, half_width = (_triangle, 1.0) if mode == "bilinear" else (_cubic, 2.0)
    scale = in_size / out_size
    support = half_width * scale if scale >= 1.0 else half_width
    inv_scale = 1.0 / scale if scale >= 1.0 else 1.0
    weights = np.zeros((out_size, in_size), dtype=np.float64)
    for i in range(out_size):
        center = scale * (i + 0.5)
        # int() truncates toward zero, like the C++ cast in the reference implementation.
        lo = max(int(center - support + 0.5), 0)
        hi = min(int(center + support + 0.5), in_size)
        taps = filter_fn((np.arange(lo, hi) - center + 0.5) * inv_scale)
        total = taps.sum()
        weights[i, lo:hi] = taps / total if total != 0.0 else taps
    return weights


def _antialias_resize(img: Tensor, size: list[int], mode: str) -> Tensor:
    """Separable resampling of a float [N, C, H, W] image: widths first, then heights."""
    dtype = img.dtype
    in_h, in_w = img.shape[-2], img.shape[-1]
    out = img
    if size[1] != in_w:
        w_weights = from_numpy(antialias_weights(in_w, size[1], mode).T.copy()).to(dtype)
        out = matmul(out, w_weights.to(img.device))
    if size[0] != in_h:
        h_weights = from_numpy(antialias_weights(in_h, size[0], mode)).to(dtype)
        out = matmul(h_weights.to(img.device), out)
    return out


def resize(
    img: Tensor, size: list[int], interpolation: str = "bilinear", antialias: bool | None = True
) -> Tensor:
    """Resizes [..., H, W] to `size` = [h, w] with "nearest", "nearest-exact", "bilinear" or
    "bicubic"; integer images are computed in float32 and rounded back."""
    assert_image_tensor(img)
    size = list(size)
    antialias = bool(antialias) and interpolation in ("bilinear", "bicubic")
    out, cast, squeeze, out_dtype = cast_squeeze_in(img, [float32, float64])
    if antialias:
        out = _antialias_resize(out, size, interpolation)
    else:
        align_corners = False if interpolation in ("bilinear", "bicubic") else None
        out = nnF.interpolate(out, size=size, mode=interpolation, align_corners=align_corners)
    if interpolation == "bicubic" and out_dtype == uint8:
        # Cubic weights can be negative, so the result may overshoot [0, 255].
        out = out.clamp(min=0, max=255)
    return cast_squeeze_out(out, cast, squeeze, out_dtype)
