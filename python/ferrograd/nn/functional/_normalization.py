"""Normalisation: batch, instance, layer, group and RMS norm, local response norm, normalize."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ... import _C
from ..._dtype_info import finfo
from ...autograd.grad_mode import no_grad
from ._loss_reduction import scalar_type_name
from ._padding import pad
from ._pooling import avg_pool2d, avg_pool3d

Tensor = _C.Tensor

__all__ = [
    "batch_norm",
    "group_norm",
    "instance_norm",
    "layer_norm",
    "local_response_norm",
    "normalize",
    "rms_norm",
]


def _shape_list(shape: int | Sequence[int]) -> list[int]:
    return [shape] if isinstance(shape, int) else [int(s) for s in shape]


def _verify_batch_size(size: Sequence[int]) -> None:
    """Training statistics need at least two values per channel (batch times spatial)."""
    if size[0] * math.prod(size[2:]) == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {size}"
        )


def _verify_spatial_size(size: Sequence[int]) -> None:
    """Instance statistics need at least two spatial values per channel."""
    if math.prod(size[2:]) == 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size {size}"
        )


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-05,
) -> Tensor:
    """Normalises each channel (dim 1) over the batch and spatial dims.

    Training uses the batch's statistics and moves the running ones (when given) towards
    them, in place; evaluation uses the running statistics."""
    if training:
        _verify_batch_size(input.size())
    return _C.batch_norm(
        input, weight, bias, running_mean, running_var, training, momentum, eps, False
    )


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-05,
) -> Tensor:
    """Normalises each channel of each sample over its spatial dims.

    Computed as a batch norm of the input seen as one sample with N * C channels, so the
    per-channel parameters and running statistics are repeated N times; the running
    statistics then take the mean of their N updated copies."""
    if use_input_stats:
        _verify_spatial_size(input.size())
    batch, channels = input.shape[0], input.shape[1]
    merged = input.reshape(1, batch * channels, *input.shape[2:])

    def repeated(t: Tensor | None) -> Tensor | None:
        return None if t is None else t.repeat(batch)

    merged_mean, merged_var = repeated(running_mean), repeated(running_var)
    out = batch_norm(
        merged,
        merged_mean,
        merged_var,
        repeated(weight),
        repeated(bias),
        use_input_stats,
        momentum,
        eps,
    )
    if use_input_stats:
        with no_grad():
            for running, merged_stat in ((running_mean, merged_mean), (running_var, merged_var)):
                if running is not None and merged_stat is not None:
                    running.copy_(merged_stat.view(batch, channels).mean(0))
    return out.view(input.shape)


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-05,
) -> Tensor:
    """Normalises over the trailing `normalized_shape` dims of each sample."""
    return _C.layer_norm(input, _shape_list(normalized_shape), weight, bias, eps)


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-05,
) -> Tensor:
    """Normalises each group of `C / num_groups` channels of each sample."""
    if input.dim() < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.dim()}"
        )
    size = input.size()
    _verify_batch_size([size[0] * size[1] // num_groups, num_groups, *size[2:]])
    return _C.group_norm(input, num_groups, weight, bias, eps)


def rms_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    eps: float | None = None,
) -> Tensor:
    """x / sqrt(mean(x^2) + eps) over the trailing dims, times `weight`; `eps` defaults to
    the machine epsilon of the input's dtype."""
    shape = _shape_list(normalized_shape)
    if not shape:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at "
            f"least one element, but got normalized_shape = {shape}"
        )
    if weight is not None and list(weight.shape) != shape:
        raise RuntimeError(
            "Expected weight to be of same shape as normalized_shape, but got weight of shape "
            f"{list(weight.shape)} and normalized_shape = {shape}"
        )
    if list(input.shape[input.dim() - len(shape) :]) != shape or input.dim() < len(shape):
        raise RuntimeError(
            f"Given normalized_shape={shape}, expected input with shape "
            f"[*{str(shape)[1:-1]}], but got input of size{list(input.shape)}"
        )
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f"\"rms_norm\" not implemented for '{scalar_type_name(input.dtype)}'"
        )
    if eps is None:
        eps = finfo(input.dtype).eps
    dims = list(range(-len(shape), 0))
    out = input * (input * input).mean(dims, keepdim=True).add(eps).rsqrt()
    return out if weight is None else out * weight


def local_response_norm(
    input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """x / (k + alpha * mean of x^2 over `size` neighbouring channels) ** beta.

    The window runs along dim 1, `size // 2` channels before and `(size - 1) // 2` after,
    zero-padded at the ends; the mean always divides by `size`."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(
            "Expected 3D or higher dimensionality                          "
            f"input (got {dim} dimensions)"
        )
    if input.numel() == 0:
        return input
    squares = input * input
    before, after = size // 2, (size - 1) // 2
    if dim == 3:
        # (N, 1, C, L): the window slides down the channel dim as a (size, 1) pooling.
        padded = pad(squares.unsqueeze(1), (0, 0, before, after))
        window_mean = avg_pool2d(padded, (size, 1), stride=1).squeeze(1)
    else:
        n, c = input.shape[0], input.shape[1]
        volume = squares.reshape(n, 1, c, input.shape[2], -1)
        padded = pad(volume, (0, 0, 0, 0, before, after))
        window_mean = avg_pool3d(padded, (size, 1, 1), stride=1).squeeze(1)
        window_mean = window_mean.reshape(input.shape)
    return input / (window_mean * alpha + k).pow(beta)


def normalize(
    input: Tensor,
    p: float = 2.0,
    dim: int = 1,
    eps: float = 1e-12,
    out: Tensor | None = None,
) -> Tensor:
    """x / max(||x||_p, eps) along `dim`."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    return _C.div(input, denom, out=out)
