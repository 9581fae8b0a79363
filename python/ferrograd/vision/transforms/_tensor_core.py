"""Tensor images (shape [..., C, H, W]): sizes, dtype scaling, flips, crops, padding, normalize.

The tensor half of the functional API, written with ferrograd Tensor ops so it runs on any
device. `functional.py` dispatches here for a Tensor and to `_pil.py` for a PIL image.
"""

from __future__ import annotations

from typing import Any

from ... import Tensor, as_tensor, float32, float64, int8, int16, int32, int64, tensor, uint8
from ...nn import functional as nnF

# The largest value of each integer dtype: an integer image spans [0, max]; a float one [0, 1].
_MAX_VALUE = {uint8: 255, int8: 127, int16: 32767, int32: 2147483647, int64: 9223372036854775807}


def max_value(dtype: Any) -> int:
    """The value that means "full intensity" for an image of this dtype (1 for floats)."""
    return _MAX_VALUE.get(dtype, 1)


def is_float_dtype(dtype: Any) -> bool:
    return tensor(0, dtype=dtype).is_floating_point()


def assert_image_tensor(img: Tensor) -> None:
    if not img.ndim >= 2:
        raise TypeError("Tensor is not a torch image.")


def get_dimensions(img: Tensor) -> list[int]:
    """[channels, height, width]; a 2-d tensor is one channel."""
    assert_image_tensor(img)
    channels = 1 if img.ndim == 2 else img.shape[-3]
    height, width = img.shape[-2:]
    return [channels, height, width]


def assert_channels(img: Tensor, permitted: list[int]) -> None:
    channels = get_dimensions(img)[0]
    if channels not in permitted:
        raise TypeError(
            f"Input image tensor permitted channel values are {permitted}, but found {channels}"
        )


def convert_image_dtype(image: Tensor, dtype: Any) -> Tensor:
    """Casts and rescales so that full intensity stays full intensity (255 <-> 1.0)."""
    if image.dtype == dtype:
        return image
    if image.is_floating_point():
        if is_float_dtype(dtype):
            return image.to(dtype)
        # float32 cannot hold every int32/int64 value: torchvision refuses these casts.
        if (image.dtype == float32 and dtype in (int32, int64)) or (
            image.dtype == float64 and dtype == int64
        ):
            raise RuntimeError(
                f"The cast from {image.dtype} to {dtype} cannot be performed safely."
            )
        # Scaling by max + 1 - eps spreads [0, 1] evenly over the integers; by max alone only
        # exactly 1.0 would reach the top value.
        eps = 1e-3
        return image.mul(float(max_value(dtype)) + 1.0 - eps).to(dtype)
    input_max = float(max_value(image.dtype))
    if is_float_dtype(dtype):
        return image.to(dtype) / input_max
    output_max = float(max_value(dtype))
    # Integer to integer: a power-of-two factor (a shift) in either direction.
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return image.div(factor, rounding_mode="floor").to(dtype)
    factor = int((output_max + 1) // (input_max + 1))
    return image.to(dtype) * factor


def hflip(img: Tensor) -> Tensor:
    assert_image_tensor(img)
    return img.flip(-1)


def vflip(img: Tensor) -> Tensor:
    assert_image_tensor(img)
    return img.flip(-2)


def crop(img: Tensor, top: int, left: int, height: int, width: int) -> Tensor:
    """The box [top, top+height) x [left, left+width); parts outside the image are zeros."""
    assert_image_tensor(img)
    _, h, w = get_dimensions(img)
    right = left + width
    bottom = top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding_ltrb = [
            max(-left + min(0, right), 0),
            max(-top + min(0, bottom), 0),
            max(right - max(w, left), 0),
            max(bottom - max(h, top), 0),
        ]
        return pad(img[..., max(top, 0) : bottom, max(left, 0) : right], padding_ltrb, fill=0)
    return img[..., top:bottom, left:right]


def parse_padding(padding: int | list[int]) -> list[int]:
    """int, [all], [left/right, top/bottom] or [left, top, right, bottom] -> [l, r, t, b]."""
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[0], padding[1], padding[1]]
    return [padding[0], padding[2], padding[1], padding[3]]


def check_pad_args(padding: Any, fill: Any, padding_mode: Any, fill_types: tuple) -> None:
    """The argument checks torchvision's `pad` makes, with its messages."""
    if not isinstance(padding, (int, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if fill is not None and not isinstance(fill, fill_types):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError(
            "Padding must be an int or a 1, 2, or 4 element tuple, not a "
            f"{len(padding)} element tuple"
        )
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")


def pad(
    img: Tensor, padding: int | list[int], fill: float | None = 0, padding_mode: str = "constant"
) -> Tensor:
    """Pads the last two dims: constant `fill`, or "edge", "reflect", "symmetric" borders."""
    assert_image_tensor(img)
    check_pad_args(padding, fill, padding_mode, (int, float))
    fill = 0 if fill is None else fill
    p = parse_padding(list(padding) if isinstance(padding, tuple) else padding)
    if padding_mode == "symmetric":
        return _pad_symmetric(img, p)
    squeeze = img.ndim < 4
    out = img.unsqueeze(0) if squeeze else img
    out_dtype = out.dtype
    # The non-constant modes of nn.functional.pad work on floats only.
    cast = padding_mode != "constant" and not out.is_floating_point()
    if cast:
        out = out.float()
    if padding_mode == "constant":
        out = nnF.pad(out, p, mode="constant", value=float(fill))
    else:
        out = nnF.pad(out, p, mode="replicate" if padding_mode == "edge" else "reflect")
    if squeeze:
        out = out.squeeze(0)
    return out.to(out_dtype) if cast else out


def _pad_symmetric(img: Tensor, padding: list[int]) -> Tensor:
    """Mirror padding that repeats the edge pixel ([1,2,3] -> [2,1,1,2,3,3,2]), by gathering
    rows and columns with index tensors; negative padding crops first."""
    left, right, top, bottom = padding
    if min(padding) < 0:
        crop_l, crop_r, crop_t, crop_b = (-min(x, 0) for x in padding)
        img = img[..., crop_t : img.shape[-2] - crop_b, crop_l : img.shape[-1] - crop_r]
        left, right, top, bottom = (max(x, 0) for x in padding)
    height, width = img.shape[-2], img.shape[-1]
    x_idx = list(range(left - 1, -1, -1)) + list(range(width)) + [-(i + 1) for i in range(right)]
    y_idx = list(range(top - 1, -1, -1)) + list(range(height)) + [-(i + 1) for i in range(bottom)]
    xs = tensor(x_idx)[None, :]
    ys = tensor(y_idx)[:, None]
    if img.ndim == 3:
        return img[:, ys, xs]
    if img.ndim == 4:
        return img[:, :, ys, xs]
    raise RuntimeError("Symmetric padding of N-D tensors are not supported yet")


def normalize(img: Tensor, mean: Any, std: Any, inplace: bool = False) -> Tensor:
    """(img - mean[c]) / std[c] per channel c of a float image [..., C, H, W]."""
    assert_image_tensor(img)
    if not img.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {img.dtype}.")
    if img.ndim < 3:
        raise ValueError(
            "Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = "
            f"{img.size()}"
        )
    if not inplace:
        img = img.clone()
    dtype = img.dtype
    mean_t = as_tensor(mean, dtype=dtype, device=img.device)
    std_t = as_tensor(std, dtype=dtype, device=img.device)
    if bool((std_t == 0).any()):
        raise ValueError(
            f"std evaluated to zero after conversion to {dtype}, leading to division by zero."
        )
    if mean_t.ndim == 1:
        mean_t = mean_t.view(-1, 1, 1)
    if std_t.ndim == 1:
        std_t = std_t.view(-1, 1, 1)
    return img.sub_(mean_t).div_(std_t)


def cast_squeeze_in(img: Tensor, req_dtypes: list[Any]) -> tuple[Tensor, bool, bool, Any]:
    """Makes an [N, C, H, W] image of a dtype in `req_dtypes` for an nn.functional op;
    returns what `cast_squeeze_out` needs to undo it."""
    squeeze = img.ndim < 4
    if squeeze:
        img = img.unsqueeze(0)
    out_dtype = img.dtype
    cast = out_dtype not in req_dtypes
    if cast:
        img = img.to(req_dtypes[0])
    return img, cast, squeeze, out_dtype


def cast_squeeze_out(img: Tensor, cast: bool, squeeze: bool, out_dtype: Any) -> Tensor:
    """Undoes `cast_squeeze_in`; integer images are rounded (not truncated) back."""
    if squeeze:
        img = img.squeeze(0)
    if cast:
        if not is_float_dtype(out_dtype):
            img = img.round()
        img = img.to(out_dtype)
    return img
