"""Embedding bags: the sum, mean or max of the embeddings of each bag of indices."""

from __future__ import annotations

import warnings

from ... import _C
from ...autograd.grad_mode import no_grad
from ._embedding import _renorm_rows

Tensor = _C.Tensor

__all__ = ["embedding_bag"]

_INDEX_DTYPES = (_C.int64, _C.int32)
_WEIGHT_DTYPES = (_C.float16, _C.bfloat16, _C.float32, _C.float64)
_BAD_OFFSETS_ORDER = (
    "Expected i < index_size to be true, but got false.  (Could this error message be improved?  "
    "If so, please report an enhancement request to PyTorch.)"
)


def embedding_bag(
    input: Tensor,
    weight: Tensor,
    offsets: Tensor | None = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """One row per bag: the sum, mean or max of the `weight` rows its indices pick.

    A 2-D `input` holds one fixed-size bag per row; a 1-D `input` is cut into bags at
    `offsets` (bag i starts at `offsets[i]`). Entries equal to `padding_idx` are left out of
    their bag, and an empty bag gives a row of zeros."""
    if weight.dtype == _C.int64 and input.is_floating_point():
        # PyTorch still accepts the old argument order, with a warning.
        warnings.warn(
            "Argument order of nn.functional.embedding_bag was changed. "
            "Usage `embedding_bag(weight, input, ...)` is deprecated, "
            "and should now be `embedding_bag(input, weight, ...)`.",
            stacklevel=2,
        )
        weight, input = input, weight
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
            f"then it must have the same shape as the input ({input.shape})"
        )
    if weight.dim() != 2:
        raise ValueError(
            f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}"
        )
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a mini-batch "
                "of fixed length sequences. However, found offsets of type "
                f"{type(offsets)}"
            )
        # Each row is one bag: the bags start every input.size(1) entries.
        offsets = _C.arange(0, input.numel(), input.size(1), dtype=input.dtype, device=input.device)
        include_last_offset = False
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}"
        )
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    _check_dtypes(input, offsets, weight, per_sample_weights)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub."
        )
    if sparse:
        raise RuntimeError("sparse gradients are not supported by ferrograd; use sparse=False")
    num_embeddings = weight.size(0)
    if padding_idx is not None:
        if not -num_embeddings <= padding_idx < num_embeddings:
            raise RuntimeError(
                "padding_idx must be within the number of embeddings, "
                f"-{num_embeddings} through {num_embeddings - 1}, but got {padding_idx}"
            )
        padding_idx %= num_embeddings
    _check_offsets(offsets, input.numel(), include_last_offset)
    indices = input.long()
    _check_indices(indices, num_embeddings, weight.dtype, mode, padding_idx)
    if max_norm is not None:
        _renorm_rows(weight, indices, max_norm, norm_type)
    return _reduce_bags(
        indices,
        weight,
        offsets.long(),
        scale_grad_by_freq,
        mode,
        per_sample_weights,
        include_last_offset,
        padding_idx,
    )


def _check_dtypes(
    input: Tensor, offsets: Tensor, weight: Tensor, per_sample_weights: Tensor | None
) -> None:
    """Indices and offsets must be int32/int64, weights floating, per-sample weights alike."""
    for indices in (input, offsets):
        if indices.dtype not in _INDEX_DTYPES:
            raise RuntimeError(
                "Expected tensor for argument #1 'indices' to have one of the following scalar "
                f"types: Long, Int; but got {indices.type()} instead (while checking arguments "
                "for embedding_bag)"
            )
    if weight.dtype not in _WEIGHT_DTYPES:
        raise RuntimeError(
            "Expected tensor for argument #1 'weight' to have one of the following scalar types: "
            f"Half, BFloat16, Float, Double; but got {weight.type()} instead (while checking "
            "arguments for embedding_bag)"
        )
    if per_sample_weights is not None and per_sample_weights.dtype != weight.dtype:
        raise RuntimeError(
            "Expected tensor for argument #1 'weight' to have the same type as tensor for "
            f"argument #1 'per_sample_weights'; but type {weight.type()} does not equal "
            f"{per_sample_weights.type()} (while checking arguments for embedding_bag)"
        )


def _check_offsets(offsets: Tensor, num_indices: int, include_last_offset: bool) -> None:
    """Offsets start at 0, never decrease and stay within the input."""
    if include_last_offset and offsets.numel() < 1:
        raise RuntimeError("include_last_offset: number of offset should be at least 1")
    if offsets.numel() == 0:
        return
    first, last = int(offsets[0].item()), int(offsets[-1].item())
    if first != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
            f"from position 0. However, got {first}\n[ {offsets.type()}{{}} ]"
        )
    if last > num_indices:
        raise RuntimeError(
            f"offsets[-1] can not be greater than input's length {num_indices} but got "
            f"offsets[-1] of {last}"
        )
    if offsets.numel() < 2:
        return
    if include_last_offset and last < int(offsets[-2].item()):
        raise RuntimeError(
            "Your input appears to be incorrect: the last offset value should be the size of "
            "the indices tensor, but it seems not to be the case."
        )
    if bool((offsets[1:] < offsets[:-1]).any().item()):
        raise RuntimeError(_BAD_OFFSETS_ORDER)


def _check_indices(
    indices: Tensor, num_embeddings: int, dtype: _C.dtype, mode: str, padding_idx: int | None
) -> None:
    """Every index must name a row of the weight."""
    out_of_range = (indices < 0) | (indices >= num_embeddings)
    if not bool(out_of_range.any().item()):
        return
    position = int(out_of_range.nonzero()[0, 0].item())
    value = int(indices[position].item())
    # PyTorch's messages differ by kernel: its fast path (float32 sum or mean without a
    # padding index) names the position, the general kernel only the value.
    if dtype == _C.float32 and mode != "max" and padding_idx is None:
        raise RuntimeError(
            f"Index {position} of input takes value {value} which is not in the valid range "
            f"[0, {num_embeddings})"
        )
    raise RuntimeError(
        f"embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be {value}"
    )


def _reduce_bags(
    indices: Tensor,
    weight: Tensor,
    offsets: Tensor,
    scale_grad_by_freq: bool,
    mode: str,
    per_sample_weights: Tensor | None,
    include_last_offset: bool,
    padding_idx: int | None,
) -> Tensor:
    """The bag reductions on validated 1-D int64 `indices` and `offsets`, all bags at once:
    each entry learns its bag number, and `index_add` sums the rows into their bags."""
    num_indices = indices.numel()
    num_bags = offsets.numel() - 1 if include_last_offset else offsets.numel()
    with no_grad():
        # bag_of[i] = number of bag starts at or before entry i, minus one. A start counted
        # twice (an empty bag) makes the number jump past the empty bag.
        starts = _C.zeros(num_indices + 1, dtype=_C.int64, device=indices.device)
        starts.index_add_(
            0, offsets[:num_bags], _C.ones(num_bags, dtype=_C.int64, device=indices.device)
        )
        bag_of = starts[:num_indices].cumsum(0) - 1
        kept = bag_of >= 0
        if include_last_offset:
            # The last offset ends the last bag: entries past it belong to no bag.
            end = int(offsets[-1].item())
            kept = kept & (_C.arange(num_indices, device=indices.device) < end)
        if padding_idx is not None:
            kept = kept & (indices != padding_idx)
        positions = kept.nonzero().reshape(-1)
        bags = bag_of.index_select(0, positions)
        kept_indices = indices.index_select(0, positions)

    rows = weight.index_select(0, kept_indices)
    if scale_grad_by_freq:
        with no_grad():
            counts = indices.bincount(minlength=weight.size(0)).index_select(0, kept_indices)
            grad_scale = (1.0 / counts.to(weight.dtype)).unsqueeze(1)
        # value: rows exactly (the second term is exactly zero); gradient: scaled per row.
        frozen = rows.detach()
        rows = frozen + (rows - frozen) * grad_scale
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.index_select(0, positions).unsqueeze(1)
    if mode == "max":
        rows = rows * _first_max_mask(rows.detach(), bags, num_bags).to(rows.dtype)

    out = _C.zeros((num_bags, weight.size(1)), dtype=weight.dtype, device=weight.device).index_add(
        0, bags, rows
    )
    if mode == "mean":
        with no_grad():
            sizes = _C.zeros(num_bags, dtype=weight.dtype, device=weight.device)
            sizes.index_add_(
                0, bags, _C.ones(bags.numel(), dtype=weight.dtype, device=weight.device)
            )
        out = out / sizes.clamp(min=1).unsqueeze(1)
    return out


def _first_max_mask(rows: Tensor, bags: Tensor, num_bags: int) -> Tensor:
    """True where an entry holds its bag's maximum of a feature, at the first such entry
    only, so that the maximum (and its gradient) comes from exactly one entry, as in PyTorch."""
    count, dim = rows.shape
    bag_index = bags.unsqueeze(1).expand(count, dim)
    bag_max = _C.zeros((num_bags, dim), dtype=rows.dtype, device=rows.device).scatter_reduce(
        0, bag_index, rows, "amax", include_self=False
    )
    is_max = rows == bag_max.index_select(0, bags)
    # Among the entries that hit the maximum, the one at the smallest position wins.
    position = _C.arange(count, device=rows.device).unsqueeze(1).expand(count, dim)
    candidate = position.masked_fill(~is_max, count)
    first = _C.full((num_bags, dim), count, dtype=_C.int64, device=rows.device).scatter_reduce(
        0, bag_index, candidate, "amin"
    )
    return position == first.index_select(0, bags)
