"""Affine maps: `linear` (x A^T + b) and `bilinear` (x1^T A x2 + b)."""

from __future__ import annotations

from ... import _C

Tensor = _C.Tensor

__all__ = ["bilinear", "linear"]


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x @ weight.T + bias, over any leading batch dimensions of `x`."""
    if input.dim() == 0 or weight.dim() == 0:
        raise RuntimeError(
            "both arguments to linear need to be at least 1D, but they are "
            f"{input.dim()}D and {weight.dim()}D"
        )
    if bias is not None and input.dim() == 2:
        # One fused op (and one AddmmBackward0 node), as PyTorch records it.
        return _C.addmm(bias, input, weight.t())
    if bias is not None and input.dim() == 3 and input.is_contiguous():
        # Fold the two batch dimensions into one to use the same fused matrix product.
        batch, rows, features = input.shape
        flat = _C.addmm(bias, input.view(batch * rows, features), weight.t())
        return flat.view(batch, rows, flat.shape[-1])
    output = input.matmul(weight.t())
    if bias is not None:
        output = output + bias
    return output


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j] + bias[o]."""
    _check_bilinear(input1, input2, weight, bias)
    out_features, in1_features, in2_features = weight.shape
    batch_shape = list(input1.shape[:-1])
    x1 = input1.reshape(-1, in1_features)
    x2 = input2.reshape(-1, in2_features)
    # First contract over i with one matrix product: (N, in1) @ (in1, out*in2) ...
    by_output = weight.permute(1, 0, 2).reshape(in1_features, out_features * in2_features)
    partial = x1.matmul(by_output).view(-1, out_features, in2_features)
    # ... then over j: multiply by x2 broadcast along the output axis and sum.
    output = (partial * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        output = output + bias
    return output.reshape(batch_shape + [out_features])


def _check_bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None) -> None:
    """PyTorch's shape checks for `bilinear`, with its messages."""
    if input1.dim() != input2.dim():
        raise RuntimeError(
            f"bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()}"
        )
    for dim in range(input1.dim() - 1):
        if input1.shape[dim] != input2.shape[dim]:
            raise RuntimeError(
                f"bilinear(): input batch dimensions do not match at dim {dim}: got "
                f"{input1.shape[dim]} and {input2.shape[dim]}"
            )
    if weight.dim() != 3:
        raise IndexError(
            "Dimension out of range (expected to be in range of "
            f"[{-max(weight.dim(), 1)}, {max(weight.dim(), 1) - 1}], but got 2)"
        )
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(
            "bilinear(): input1 size does not match weight size: got "
            f"{input1.shape[-1]} but expected {weight.shape[1]}"
        )
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(
            "bilinear(): input2 size does not match weight size: got "
            f"{input2.shape[-1]} but expected {weight.shape[2]}"
        )
    if bias is not None and bias.shape[0] != weight.shape[0]:
        raise RuntimeError(
            "bilinear(): bias size does not match weight size: got "
            f"{bias.shape[0]} but expected {weight.shape[0]}"
        )
