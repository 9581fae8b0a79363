"""Embeddings (a lookup of weight rows by index) and one-hot encoding."""

from __future__ import annotations

from ... import _C
from ...autograd.grad_mode import no_grad

Tensor = _C.Tensor

__all__ = ["embedding", "one_hot"]


def _renorm_rows(weight: Tensor, indices: Tensor, max_norm: float, norm_type: float) -> None:
    """Scales the looked-up rows whose `norm_type`-norm exceeds `max_norm` down to it, in place
    and outside autograd, as PyTorch's `embedding_renorm_` does."""
    with no_grad():
        rows = indices.reshape(-1).unique()
        picked = weight.index_select(0, rows)
        norms = picked.norm(p=norm_type, dim=1, keepdim=True)
        # PyTorch's scale: max_norm / (norm + 1e-7), only where the norm is too large.
        scale = (max_norm / (norms + 1e-7)).clamp(max=1.0)
        weight.index_copy_(0, rows, picked * scale)


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """`weight[input]`: one row of `weight` per index. The row at `padding_idx` gets no
    gradient; `max_norm` renormalises the rows used, in place."""
    if input.dtype not in (_C.int64, _C.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {input.type()} instead (while checking arguments for "
            "embedding)"
        )
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < weight.size(0), "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -weight.size(0), "Padding_idx must be within num_embeddings"
            padding_idx = weight.size(0) + padding_idx
    if sparse:
        raise RuntimeError("sparse gradients are not supported by ferrograd; use sparse=False")
    if max_norm is not None:
        _renorm_rows(weight, input.contiguous(), max_norm, norm_type)
    flat = input.reshape(-1)
    rows = weight.index_select(0, flat)
    grad_scale = _gradient_scale(flat, weight, padding_idx, scale_grad_by_freq)
    if grad_scale is not None:
        # value: rows exactly (the second term is exactly zero); gradient: scaled per row.
        frozen = rows.detach()
        rows = frozen + (rows - frozen) * grad_scale.to(rows.dtype).unsqueeze(1)
    return rows.view(*input.shape, weight.size(1))


def _gradient_scale(
    flat: Tensor, weight: Tensor, padding_idx: int | None, by_freq: bool
) -> Tensor | None:
    """The factor on each looked-up row's gradient: 0 at the padding index, and 1 / (count of
    the index in the batch) with `scale_grad_by_freq`; None when every factor is 1."""
    if padding_idx is None and not by_freq:
        return None
    with no_grad():
        # In the weight's dtype, since a GPU may lack float64; 1 / count rounds to the same
        # value as a float64 quotient rounded to that dtype would.
        scale = _C.ones(flat.shape, dtype=weight.dtype, device=weight.device)
        if by_freq:
            counts = flat.long().bincount(minlength=weight.size(0))
            scale = scale / counts.index_select(0, flat.long())
        if padding_idx is not None:
            scale = scale.masked_fill(flat == padding_idx, 0.0)
    return scale


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """An int64 tensor with one more dim of size `num_classes`: 1 at each value's class."""
    if tensor.dtype != _C.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() == 0:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        return _C.zeros((*tensor.shape, num_classes), dtype=_C.int64, device=tensor.device)
    if tensor.min().item() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(tensor.max().item()) + 1
    elif tensor.max().item() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = _C.zeros((*tensor.shape, num_classes), dtype=_C.int64, device=tensor.device)
    return out.scatter_(-1, tensor.unsqueeze(-1), 1)
