"""Image utilities (``torchvision.utils``): `make_grid` tiles a batch of images into one image
for display, `save_image` writes a tensor (or a batch, as a grid) to an image file."""

from __future__ import annotations

import math
from typing import Any

from .. import Tensor, cat, is_tensor, no_grad, stack, uint8

__all__ = ["make_grid", "save_image"]


def _normalize_(images: Tensor, value_range: Any, scale_each: bool) -> None:
    """Clamps to (low, high) and maps that range to [0, 1], in place; the range is the data's
    own min/max unless given, over the whole batch or (`scale_each`) per image."""

    def norm_ip(img: Tensor, low: float, high: float) -> None:
        img.clamp_(min=low, max=high)
        img.sub_(low).div_(max(high - low, 1e-5))

    def norm_range(t: Tensor) -> None:
        if value_range is not None:
            norm_ip(t, value_range[0], value_range[1])
        else:
            norm_ip(t, float(t.min()), float(t.max()))

    if scale_each:
        for image in images:
            norm_range(image)
    else:
        norm_range(images)


def _as_batch(tensor: Any) -> Tensor:
    """A [B, C, H, W] batch from a tensor or a list of same-size images; one-channel images
    become three identical channels (the grid is an RGB picture)."""
    if not is_tensor(tensor):
        if isinstance(tensor, list):
            for t in tensor:
                if not is_tensor(t):
                    raise TypeError(
                        f"tensor or list of tensors expected, got a list containing {type(t)}"
                    )
        else:
            raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if isinstance(tensor, list):
        tensor = stack(tensor, dim=0)
    if tensor.dim() == 2:  # one H x W image
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 3:  # one C x H x W image
        if tensor.size(0) == 1:
            tensor = cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 4 and tensor.size(1) == 1:
        tensor = cat((tensor, tensor, tensor), 1)
    return tensor


@no_grad()
def make_grid(
    tensor: Any,
    nrow: int = 8,
    padding: int = 2,
    normalize: bool = False,
    value_range: tuple[float, float] | None = None,
    scale_each: bool = False,
    pad_value: float = 0.0,
) -> Tensor:
    """Tiles B images into a [C, H', W'] picture: `nrow` images per row, `padding` pixels of
    `pad_value` around each. With `normalize`, values are first mapped to [0, 1]."""
    tensor = _as_batch(tensor)
    if normalize is True:
        tensor = tensor.clone()  # do not change the caller's images
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError(
                "value_range has to be a tuple (min, max) if specified. min and max are numbers"
            )
        _normalize_(tensor, value_range, scale_each)
    if tensor.size(0) == 1:
        return tensor.squeeze(0)
    nmaps = tensor.size(0)
    xmaps = min(nrow, nmaps)
    ymaps = math.ceil(nmaps / xmaps)
    # Each cell is an image plus one padding strip; one more strip closes the last row/column.
    height, width = int(tensor.size(2) + padding), int(tensor.size(3) + padding)
    num_channels = tensor.size(1)
    grid = tensor.new_full(
        (num_channels, height * ymaps + padding, width * xmaps + padding), pad_value
    )
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= nmaps:
                break
            cell = grid.narrow(1, y * height + padding, height - padding)
            cell.narrow(2, x * width + padding, width - padding).copy_(tensor[k])
            k += 1
    return grid


@no_grad()
def save_image(tensor: Any, fp: Any, format: str | None = None, **kwargs: Any) -> None:
    """Writes an image (or a batch, tiled by `make_grid(**kwargs)`) with values in [0, 1] to
    `fp` (a path, or a file object with `format` given)."""
    from PIL import Image  # Pillow only when an image is actually written

    grid = make_grid(tensor, **kwargs)
    # +0.5 then truncation rounds to the nearest of 0..255.
    ndarr = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to("cpu", uint8).numpy()
    Image.fromarray(ndarr).save(fp, format=format)
