"""What every loss shares: checking and applying `reduction`, the legacy arguments, dtype names."""

from __future__ import annotations

import warnings

from ... import _C

Tensor = _C.Tensor

__all__: list[str] = []  # helpers for the loss files, not public names of `F`

# PyTorch's scalar-type names, as its kernel error messages spell them ("... for 'Long'").
_SCALAR_TYPE_NAMES = {
    _C.float64: "Double",
    _C.float32: "Float",
    _C.float16: "Half",
    _C.bfloat16: "BFloat16",
    _C.int64: "Long",
    _C.int32: "Int",
    _C.int16: "Short",
    _C.int8: "Char",
    _C.uint8: "Byte",
    _C.bool: "Bool",
}


def scalar_type_name(dtype: _C.dtype) -> str:
    """The name PyTorch's messages give a dtype: 'Float' for float32, 'Long' for int64."""
    return _SCALAR_TYPE_NAMES.get(dtype, str(dtype))


def legacy_get_string(
    size_average: bool | None, reduce: bool | None, emit_warning: bool = True
) -> str:
    """Maps the deprecated `size_average`/`reduce` pair to a `reduction` string, with
    PyTorch's deprecation warning. Either being None counts as True."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        reduction = "mean"
    elif reduce:
        reduction = "sum"
    else:
        reduction = "none"
    if emit_warning:
        warnings.warn(
            "size_average and reduce args will be deprecated, "
            f"please use reduction='{reduction}' instead.",
            stacklevel=3,
        )
    return reduction


def resolve_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """The reduction a loss applies: the legacy pair overrides `reduction` when either is set;
    an unknown name raises PyTorch's ValueError."""
    if size_average is not None or reduce is not None:
        return legacy_get_string(size_average, reduce)
    return check_reduction(reduction)


def check_reduction(reduction: str) -> str:
    """'none', 'mean' or 'sum' ('elementwise_mean' is the old, deprecated name of 'mean')."""
    if reduction in ("none", "mean", "sum"):
        return reduction
    if reduction == "elementwise_mean":
        warnings.warn(
            "reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
            stacklevel=3,
        )
        return "mean"
    raise ValueError(f"{reduction} is not a valid value for reduction")


def apply_reduction(loss: Tensor, reduction: str) -> Tensor:
    """The per-element losses, their mean or their sum (`reduction` already checked)."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def warn_if_sizes_differ(input: Tensor, target: Tensor) -> None:
    """The regression losses broadcast a target of another shape, which is nearly always a bug
    (a (N,) target against an (N, 1) output gives an (N, N) loss): PyTorch warns, so do we."""
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            stacklevel=3,
        )


def refuse_integral(input: Tensor, target: Tensor, kernel: str) -> None:
    """Losses PyTorch only has floating kernels for refuse integer operands with the message
    its dispatcher gives: '"mse_cpu" not implemented for 'Long''."""
    dtype = _C.result_type(input, target)
    if not dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_type_name(dtype)}'")


def refuse_grad(value: Tensor | None, function: str, argument: str) -> None:
    """PyTorch's fused losses have no gradient for some arguments (weights, a margin target);
    it refuses such an argument that requires grad rather than silently ignore it."""
    if value is not None and value.requires_grad:
        raise RuntimeError(
            f"The function '{function}' is not differentiable with respect to argument "
            f"'{argument}'. This input cannot have requires_grad True."
        )
