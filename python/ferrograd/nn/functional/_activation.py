"""Activation functions of `nn.functional`, composed from Tensor ops.

relu, sigmoid and tanh are core ops. The others are written here from them and from `where`, so
their gradients come from the ops they are made of; each formula picks its masks so that the
gradient at a kink (x exactly on a threshold) is the one PyTorch's own kernels give.
"""

from __future__ import annotations

import math

from ... import _C
from ..._dtype_info import finfo
from ._dtype_checks import require_floating, scalar_type_name

Tensor = _C.Tensor

__all__ = [
    "celu",
    "celu_",
    "elu",
    "elu_",
    "gelu",
    "glu",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "hardtanh_",
    "leaky_relu",
    "leaky_relu_",
    "logsigmoid",
    "mish",
    "prelu",
    "relu",
    "relu6",
    "relu_",
    "rrelu",
    "rrelu_",
    "selu",
    "selu_",
    "sigmoid",
    "silu",
    "softplus",
    "softshrink",
    "softsign",
    "tanh",
    "tanhshrink",
    "threshold",
    "threshold_",
]

# SELU's constants (Klambauer et al. 2017): they make the activations self-normalising.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _maybe_in_place(input: Tensor, result_of, inplace: bool) -> Tensor:
    """`result_of(x)` as a new tensor, or written back into `input` when `inplace`.

    In place, the formula runs on a clone when `input` is tracked: the formula saves its input
    for backward, and that saved copy must not be the tensor being overwritten.
    """
    if not inplace:
        return result_of(input)
    source = input.clone() if input.requires_grad else input
    return input.copy_(result_of(source))


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(0, x)."""
    return input.relu_() if inplace else input.relu()


def relu_(input: Tensor) -> Tensor:
    return input.relu_()


def _hardtanh(x: Tensor, min_val: float, max_val: float) -> Tensor:
    # Inside the open interval the gradient is 1; on and beyond the bounds the value is a
    # constant bound, so the gradient there is 0 (PyTorch's HardtanhBackward0).
    inside = (x > min_val) & (x < max_val)
    return _C.where(inside, x, x.detach().clamp(min_val, max_val))


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """x clamped to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_in_place(input, lambda x: _hardtanh(x, min_val, max_val), inplace)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(0, x), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def _negative_part(x: Tensor) -> Tensor:
    """min(x, 0) whose gradient at 0 is 1, as the x <= 0 branch of PyTorch's ELU kernels."""
    return _C.where(x > 0, 0.0, x)


def _elu(x: Tensor, alpha: float, scale: float, input_scale: float) -> Tensor:
    # scale * x for x > 0, scale * alpha * (exp(input_scale * x) - 1) for x <= 0.
    negative = (_negative_part(x) * input_scale).expm1() * (alpha * scale)
    return _C.where(x > 0, x * scale, negative)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    require_floating(input, "elu_cpu")
    return _maybe_in_place(input, lambda x: _elu(x, alpha, 1.0, 1.0), inplace)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, inplace=True)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with SELU's fixed constants."""
    require_floating(input, "elu_cpu")
    return _maybe_in_place(input, lambda x: _elu(x, _SELU_ALPHA, _SELU_SCALE, 1.0), inplace)


def selu_(input: Tensor) -> Tensor:
    return selu(input, inplace=True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    require_floating(input, "elu_cpu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _maybe_in_place(input, lambda x: _elu(x, alpha, 1.0, 1.0 / alpha), inplace)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return celu(input, alpha, inplace=True)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, negative_slope * x otherwise."""
    require_floating(input, "leaky_relu_cpu")
    return _maybe_in_place(input, lambda x: _C.where(x > 0, x, x * negative_slope), inplace)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, inplace=True)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """leaky_relu with a learned slope per channel (dim 1), or one slope for all."""
    require_floating(input, "prelu_cpu")
    if weight.numel() != 1:
        channels = input.shape[1] if input.dim() >= 2 else 1
        if weight.numel() != channels:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers"
                f" = {weight.numel()} and channel size = {channels}."
            )
        if input.dim() >= 2:
            weight = weight.reshape([channels] + [1] * (input.dim() - 2))
    return _C.where(input > 0, input, weight * input)


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """Leaky ReLU whose slope is drawn from U(lower, upper) in training, their mean otherwise."""
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)

    def randomized(x: Tensor) -> Tensor:
        slopes = _C.empty_like(x).uniform_(lower, upper)
        return _C.where(x > 0, x, x * slopes)

    return _maybe_in_place(input, randomized, inplace)


def rrelu_(
    input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False
) -> Tensor:
    return rrelu(input, lower, upper, training, inplace=True)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x) with Phi the standard normal CDF, or its tanh approximation."""
    require_floating(input, "GeluKernelImpl")
    if approximate == "none":
        return input * 0.5 * (1.0 + (input * (1.0 / math.sqrt(2.0))).erf())
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (input + 0.044715 * input * input * input)
        return input * 0.5 * (1.0 + inner.tanh())
    raise RuntimeError("approximate argument must be either none or tanh.")


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    require_floating(input, "silu_cpu")
    return _maybe_in_place(input, lambda x: x * x.sigmoid(), inplace)


def _softplus(x: Tensor, beta: float, threshold: float) -> Tensor:
    # log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (no overflow). The
    # exponential runs on an input capped at the threshold so that the unused branch stays
    # finite and its zero gradient is not 0 * inf.
    scaled = x * beta
    capped = _C.where(scaled > threshold, 0.0, scaled)
    return _C.where(scaled > threshold, x, capped.exp().log1p() / beta)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta * x)) / beta, linear above `threshold`."""
    require_floating(input, "softplus_cpu")
    return _softplus(input, beta, threshold)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    require_floating(input, "mish_cpu")
    return _maybe_in_place(input, lambda x: x * _softplus(x, 1.0, 20.0).tanh(), inplace)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = min(x, 0) - log(1 + exp(-|x|)), stable for large |x|."""
    require_floating(input, "log_sigmoid_cpu")
    return _C.where(input > 0, 0.0, input) - (-input.abs()).exp().log1p()


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6; its gradient is 1/6 strictly between -3 and 3."""
    require_floating(input, "hardsigmoid_cpu")
    return _maybe_in_place(input, lambda x: _hardtanh(x + 3.0, 0.0, 6.0) / 6.0, inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6: 0 up to -3, the parabola up to 3, x above."""
    require_floating(input, "hardswish_cpu")

    def formula(x: Tensor) -> Tensor:
        parabola = x * (x + 3.0) / 6.0
        return _C.where(x <= -3.0, 0.0, _C.where(x < 3.0, parabola, x))

    return _maybe_in_place(input, formula, inplace)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd above lambd, x + lambd below -lambd, 0 in between."""
    require_floating(input, "softshrink_check")
    if lambd < 0:
        largest = finfo(input.dtype).max
        raise RuntimeError(
            f"lambda must be in range [0, {largest:g}] for input dtype "
            f"{scalar_type_name(input.dtype)}, but found {lambd:g}"
        )
    return _C.where(input > lambd, input - lambd, _C.where(input < -lambd, input + lambd, 0.0))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, 0 elsewhere."""
    require_floating(input, "hardshrink_cpu")
    return _C.where((input > lambd) | (input < -lambd), input, 0.0)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - input.tanh()


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, `value` elsewhere."""
    return _maybe_in_place(input, lambda x: _C.where(x > threshold, x, value), inplace)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return _maybe_in_place(input, lambda x: _C.where(x > threshold, x, value), True)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b), where a and b are the two halves of `input` along `dim`."""
    require_floating(input, "glu_cpu")
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    size = input.shape[dim]
    if size % 2 != 0:
        wrapped = dim % input.dim()
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {wrapped} is size {size}"
        )
    a, b = input.chunk(2, dim)
    return a * b.sigmoid()
