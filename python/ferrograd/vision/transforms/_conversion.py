"""Between PIL images, numpy arrays and tensors: `to_tensor`, `pil_to_tensor`, `to_pil_image`.

Images are stored height x width x channels (HWC) by Pillow and numpy, but channels first
(CHW) by PyTorch convolutions; these functions move the channel axis and, for 8-bit data,
rescale 0..255 to 0.0..1.0 (`to_tensor`) or back (`to_pil_image`).
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ... import Tensor, as_tensor, from_numpy, get_default_dtype, uint8
from ._pil import image_from_array, is_pil_image

# Pillow modes whose pixels are not 8-bit: read them with their own numpy dtype.
_MODE_TO_NPTYPE = {
    "I": np.int32,
    "I;16" if sys.byteorder == "little" else "I;16B": np.int16,
    "F": np.float32,
}


def to_tensor(pic: Any) -> Tensor:
    """PIL image or HWC ndarray -> CHW tensor; 8-bit data becomes the default float dtype
    divided by 255, other data keeps its values and dtype."""
    if not (is_pil_image(pic) or isinstance(pic, np.ndarray)):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if isinstance(pic, np.ndarray) and pic.ndim not in (2, 3):
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    float_dtype = get_default_dtype()
    if isinstance(pic, np.ndarray):
        if pic.ndim == 2:
            pic = pic[:, :, None]
        img = from_numpy(pic.transpose((2, 0, 1))).contiguous()
        return img.to(dtype=float_dtype).div(255) if img.dtype == uint8 else img
    array = np.array(pic, _MODE_TO_NPTYPE.get(pic.mode, np.uint8), copy=True)
    img = from_numpy(array)
    if pic.mode == "1":
        img = 255 * img  # a bilevel image reads as 0/1
    width, height = pic.size
    img = img.view(height, width, len(pic.getbands())).permute((2, 0, 1)).contiguous()
    return img.to(dtype=float_dtype).div(255) if img.dtype == uint8 else img


def pil_to_tensor(pic: Any) -> Tensor:
    """PIL image -> CHW tensor of the image's own dtype, values unscaled (a copy)."""
    if not is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    img = as_tensor(np.array(pic, copy=True))
    width, height = pic.size
    return img.view(height, width, len(pic.getbands())).permute((2, 0, 1))


def _mode_for(npimg: np.ndarray, mode: str | None) -> str:
    """The Pillow mode for an HWC array, checking a requested one against the channel count."""
    channels = npimg.shape[2]
    if channels == 1:
        expected = {
            np.dtype(np.uint8): "L",
            np.dtype(np.int16): "I;16" if sys.byteorder == "little" else "I;16B",
            np.dtype(np.int32): "I",
            np.dtype(np.float32): "F",
        }.get(npimg.dtype)
        if mode is not None and mode != expected:
            raise ValueError(
                f"Incorrect mode ({mode}) supplied for input type {np.dtype}. Should be {expected}"
            )
        mode = expected
    else:
        permitted = {2: ["LA"], 4: ["RGBA", "CMYK", "RGBX"]}.get(channels, ["RGB", "YCbCr", "HSV"])
        if mode is not None and mode not in permitted:
            kind = {2: "2D", 4: "4D"}.get(channels, "3D")
            raise ValueError(f"Only modes {permitted} are supported for {kind} inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = permitted[0]
    if mode is None:
        raise TypeError(f"Input type {npimg.dtype} is not supported")
    return mode


def to_pil_image(pic: Any, mode: str | None = None) -> Any:
    """CHW tensor or HWC ndarray -> PIL image; floats are taken as [0, 1] and scaled by 255."""
    if isinstance(pic, Tensor):
        if pic.ndim == 3:
            pic = pic.permute((1, 2, 0))
        pic = pic.numpy(force=True)
    elif not isinstance(pic, np.ndarray):
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if pic.ndim == 2:
        pic = np.expand_dims(pic, 2)
    if pic.ndim != 3:
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    if pic.shape[-1] > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {pic.shape[-1]} channels.")
    npimg = pic
    if np.issubdtype(npimg.dtype, np.floating) and mode != "F":
        npimg = (npimg * 255).astype(np.uint8)
    mode = _mode_for(npimg, mode)
    if npimg.shape[2] == 1:
        npimg = npimg[:, :, 0]
    return image_from_array(npimg, mode)
