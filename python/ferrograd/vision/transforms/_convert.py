"""Conversion transforms: `ToTensor`, `PILToTensor`, `ToPILImage`, `ConvertImageDtype`, and
`Normalize` (the usual last step: centre each channel for the network)."""

from __future__ import annotations

from typing import Any

from ... import Tensor
from ...nn import Module
from . import functional as F

__all__ = ["ConvertImageDtype", "Normalize", "PILToTensor", "ToPILImage", "ToTensor"]


class ToTensor:
    """PIL image or HWC uint8 ndarray -> CHW float tensor with values in [0, 1]."""

    def __call__(self, pic: Any) -> Tensor:
        return F.to_tensor(pic)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}()"


class PILToTensor:
    """PIL image -> CHW tensor of the same dtype, values not rescaled."""

    def __call__(self, pic: Any) -> Tensor:
        return F.pil_to_tensor(pic)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}()"


class ToPILImage:
    """CHW tensor or HWC ndarray -> PIL image (`mode` is guessed from the channels if None)."""

    def __init__(self, mode: str | None = None) -> None:
        self.mode = mode

    def __call__(self, pic: Any) -> Any:
        return F.to_pil_image(pic, self.mode)

    def __repr__(self) -> str:
        detail = f"mode={self.mode}" if self.mode is not None else ""
        return f"{self.__class__.__name__}({detail})"


class ConvertImageDtype(Module):
    """Casts a tensor image to `dtype`, rescaling the values (uint8 255 <-> float 1.0)."""

    def __init__(self, dtype: Any) -> None:
        super().__init__()
        self.dtype = dtype

    def forward(self, image: Tensor) -> Tensor:
        return F.convert_image_dtype(image, self.dtype)


class Normalize(Module):
    """output[c] = (input[c] - mean[c]) / std[c] for each channel c of a float tensor image;
    with mean = std = 0.5 this maps [0, 1] to [-1, 1]."""

    def __init__(self, mean: Any, std: Any, inplace: bool = False) -> None:
        super().__init__()
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def forward(self, tensor: Tensor) -> Tensor:
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(mean={self.mean}, std={self.std})"
