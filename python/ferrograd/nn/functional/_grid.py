"""Spatial transformers: `affine_grid` makes sampling grids, `grid_sample` reads an image at them.

Grid coordinates are normalised to [-1, 1] per spatial dim, listed x first (the last dim of the
image). Sampling is written with gather and arithmetic on Tensors, so gradients reach both the
image and the grid (through the interpolation weights).
"""

from __future__ import annotations

import itertools
import warnings

from ... import _C

Tensor = _C.Tensor

__all__ = ["affine_grid", "grid_sample"]

_ALIGN_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details."
)


def _align_corners(align_corners: bool | None) -> bool:
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=3)
        return False
    return align_corners


def _base_coordinates(size: int, align_corners: bool, like: Tensor) -> Tensor:
    """The normalised coordinate of each pixel: its centre (or its edge, aligned corners),
    with the dtype and device of `like`."""
    factory = {"dtype": like.dtype, "device": like.device}
    if align_corners:
        return _C.linspace(-1.0, 1.0, size, **factory) if size > 1 else _C.zeros(1, **factory)
    return (_C.arange(size, **factory) * 2 + 1) / size - 1


def affine_grid(theta: Tensor, size: list[int], align_corners: bool | None = None) -> Tensor:
    """The grid (N, *spatial, d) that `theta` (N, d, d+1) maps the output's pixels to."""
    align = _align_corners(align_corners)
    if len(size) not in (4, 5):
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {tuple(size)}."
        )
    d = len(size) - 2
    if theta.dim() != 3 or tuple(theta.shape[1:]) != (d, d + 1):
        shape = "Nx2x3" if d == 2 else "Nx3x4"
        kind = "2D" if d == 2 else "3D"
        raise ValueError(
            f"Expected a batch of {kind} affine matrices of shape {shape} for size "
            f"{tuple(size)}. Got {theta.shape}."
        )
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {tuple(size)}")
    spatial = list(size[2:])
    # Homogeneous coordinates (x, y[, z], 1) of every output pixel, x varying fastest.
    axes = [_base_coordinates(n, align, theta) for n in reversed(spatial)]
    mesh = _C.meshgrid(*reversed(axes), indexing="ij")  # each has the spatial shape
    columns = [m.reshape(-1) for m in reversed(mesh)] + [
        _C.ones(mesh[0].numel(), dtype=theta.dtype, device=theta.device)
    ]
    base = _C.stack(columns, 1)  # (pixels, d + 1)
    grid = base.matmul(theta.transpose(1, 2))  # (N, pixels, d)
    return grid.reshape([size[0]] + spatial + [d])


def _unnormalise(coord: Tensor, size: int, align_corners: bool) -> Tensor:
    if align_corners:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord: Tensor, twice_low: int, twice_high: int) -> Tensor:
    """Fold a coordinate back into [low, high] by mirroring at the edges, as often as needed."""
    if twice_low == twice_high:
        return _C.zeros_like(coord)
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    distance = (coord - low).abs()
    extra = distance.fmod(span)
    flips = (distance / span).floor()
    return _C.where(flips.fmod(2) == 0, extra + low, span - extra + low)


def _source_coordinate(coord, size, padding_mode, align_corners) -> Tensor:
    x = _unnormalise(coord, size, align_corners)
    if padding_mode == "border":
        return x.clamp(0, size - 1)
    if padding_mode == "reflection":
        x = _reflect(x, 0, 2 * (size - 1)) if align_corners else _reflect(x, -1, 2 * size - 1)
        return x.clamp(0, size - 1)
    return x


def _gather(flat: Tensor, spatial: list[int], corner: list[Tensor]) -> Tensor:
    """The image values (N, C, points) at integer positions; 0 outside the image."""
    inside = None
    index = None
    for axis, position in enumerate(corner):  # corner lists positions for dims 2, 3, ...
        ok = (position >= 0) & (position <= spatial[axis] - 1)
        inside = ok if inside is None else inside & ok
        clamped = position.clamp(0, spatial[axis] - 1)
        index = clamped if index is None else index * spatial[axis] + clamped
    batch, channels = flat.shape[0], flat.shape[1]
    picked = flat.gather(2, index.unsqueeze(1).expand(batch, channels, index.shape[1]))
    return picked * inside.unsqueeze(1).to(flat.dtype)


def grid_sample(
    input: Tensor,
    grid: Tensor,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """Sample `input` (N, C, *spatial) at `grid` (N, *out, d): bilinear (trilinear) or nearest."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    align = _align_corners(align_corners)
    if grid.shape[0] != input.shape[0]:
        raise RuntimeError(
            "grid_sampler(): expected grid and input to have same batch size, but got input "
            f"with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
        )
    d = input.dim() - 2
    if d not in (2, 3) or grid.dim() != input.dim() or grid.shape[-1] != d:
        raise RuntimeError(
            f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, "
            f"but got input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
        )
    if mode == "bicubic":
        raise NotImplementedError("grid_sample: mode='bicubic' is not available in ferrograd yet")
    spatial = list(input.shape[2:])
    out_shape = list(grid.shape[1:-1])
    points = grid.reshape(grid.shape[0], -1, d)
    # Source positions per image dim (dims 2, 3, ...); the grid lists them x (last dim) first.
    coords = [
        _source_coordinate(points[..., d - 1 - axis], spatial[axis], padding_mode, align)
        for axis in range(d)
    ]
    flat = input.reshape(input.shape[0], input.shape[1], -1)
    if mode == "nearest":
        nearest = [c.round().to(_C.int64) for c in coords]
        # Times a constant 1 that depends on the grid: the grid gets a zero gradient (as in
        # PyTorch) rather than none.
        unit = (points * 0).sum(-1).unsqueeze(1) + 1
        result = _gather(flat, spatial, nearest) * unit
    else:
        lows = [c.floor() for c in coords]
        result = None
        for corner in itertools.product((0, 1), repeat=d):
            # Each corner weighs in with the product of (1 - distance) along every dim.
            weight = None
            positions = []
            for axis, upper in enumerate(corner):
                frac = coords[axis] - lows[axis]
                w = frac if upper else 1 - frac
                weight = w if weight is None else weight * w
                positions.append((lows[axis] + upper).to(_C.int64))
            term = _gather(flat, spatial, positions) * weight.unsqueeze(1)
            result = term if result is None else result + term
    return result.reshape([input.shape[0], input.shape[1]] + out_shape)
