"""The Connectionist Temporal Classification loss: the forward algorithm in log space.

CTC scores a target sequence (say "cat") against per-frame class log probabilities by summing
the probabilities of every alignment that collapses to it: frames may repeat a label or emit
the blank, and "aa" in a target needs a blank between the two labels. The sum runs over the
extended target "-c-a-t-" (a blank around every label) with the recursion

    alpha[t, s] = logsumexp(alpha[t-1, s], alpha[t-1, s-1], alpha[t-1, s-2] if allowed)
                  + log_probs[t, label[s]]

where the skip s-2 -> s is allowed when label[s] is not blank and differs from label[s-2].
The loss is -log(alpha[T-1, last] + alpha[T-1, last-1]) in probability space.

Written with Tensor ops over the whole batch at once, one step per frame, autograd gives the
exact gradient with respect to `log_probs`. (PyTorch's fused kernel returns that gradient
plus exp(log_probs), a term that `log_softmax`'s backward cancels: through a log_softmax, the
usual way to make log_probs, both give the same gradient.)
"""

from __future__ import annotations

from collections.abc import Sequence

from ... import _C
from ..._dtype_info import finfo
from ._loss_reduction import check_reduction, scalar_type_name

Tensor = _C.Tensor

__all__ = ["ctc_loss"]

_CHECKING = "(while checking arguments for ctc_loss_allocate_outputs)"


def _lengths(lengths: Tensor | Sequence[int], name: str) -> list[int]:
    """Lengths as Python ints; a tensor must hold integers."""
    if isinstance(lengths, Tensor):
        integral = not lengths.dtype.is_floating_point and lengths.dtype != _C.bool
        if not integral:
            raise RuntimeError(f"{name} must be integral")
        return [int(v) for v in lengths.reshape(-1).tolist()]
    return [int(v) for v in lengths]


def _check_lengths(values: list[int], name: str, at_most: int | None) -> None:
    for value in values:
        if value < 0:
            raise RuntimeError(
                f"Expected {name} to have value at least 0, but got value {value} {_CHECKING}"
            )
        if at_most is not None and value > at_most:
            raise RuntimeError(
                f"Expected {name} to have value at most {at_most}, but got value {value} "
                f"{_CHECKING}"
            )


def _padded_targets(targets: Tensor, target_lengths: list[int]) -> Tensor:
    """Targets as an (N, S) tensor, S the longest target, from either accepted layout:
    already padded (N, S'), or all targets concatenated in one 1-D tensor."""
    batch = len(target_lengths)
    longest = max(target_lengths, default=0)
    if targets.dim() == 1:
        total = sum(target_lengths)
        if targets.shape[0] != total:
            raise RuntimeError(
                f"Expected tensor to have size {total} at dimension 0, but got size "
                f"{targets.shape[0]} for argument #2 'targets' {_CHECKING}"
            )
        rows = []
        start = 0
        for length in target_lengths:
            row = targets[start : start + length]
            rows.append(_C.cat((row, row.new_zeros(longest - length))))
            start += length
        return _C.stack(rows) if rows else targets.new_zeros(batch, longest)
    if targets.shape[1] < longest:
        raise RuntimeError(
            f"Expected tensor to have size at least {longest} at dimension 1, but got size "
            f"{targets.shape[1]} for argument #2 'targets' {_CHECKING}"
        )
    return targets[:, :longest]


def _shift_right(alpha: Tensor, steps: int, fill: Tensor) -> Tensor:
    """alpha[:, s - steps] at position s; the first `steps` positions get `fill`."""
    steps = min(steps, alpha.shape[1])
    return _C.cat((fill[:, :steps], alpha[:, : alpha.shape[1] - steps]), 1)


def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths: Tensor | Sequence[int],
    target_lengths: Tensor | Sequence[int],
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """CTC loss of (T, N, C) log probabilities (or (T, C) unbatched) against targets given as
    (N, S) padded rows or one concatenated 1-D tensor, with per-sample lengths."""
    reduction = check_reduction(reduction)
    if not log_probs.dtype.is_floating_point:
        raise NotImplementedError(
            f"\"ctc_loss_cpu\" not implemented for '{scalar_type_name(log_probs.dtype)}'"
        )
    batched = log_probs.dim() == 3
    if not batched:
        log_probs = log_probs.unsqueeze(1)
        targets = targets.unsqueeze(0)
    inputs = _lengths(input_lengths, "input_lengths")
    target_lens = _lengths(target_lengths, "target_lengths")
    if log_probs.dim() != 3:
        raise RuntimeError(
            f"Expected 3-dimensional tensor, but got {log_probs.dim()}-dimensional tensor for "
            f"argument #1 'log_probs' {_CHECKING}"
        )
    frames, batch, classes = log_probs.shape
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    if len(inputs) != batch:
        raise RuntimeError("input_lengths must be of size batch_size")
    if len(target_lens) != batch:
        raise RuntimeError("target_lengths must be of size batch_size")
    _check_lengths(target_lens, "target_lengths", None)
    _check_lengths(inputs, "input_lengths", frames)
    # PyTorch takes host targets with GPU log-probabilities: they follow log_probs.
    device = log_probs.device
    labels = _padded_targets(targets.to(device, _C.int64), target_lens)

    longest = labels.shape[1]
    states = 2 * longest + 1
    target_len = _C.tensor(target_lens, dtype=_C.int64, device=device)
    input_len = _C.tensor(inputs, dtype=_C.int64, device=device)
    # Padding beyond a sample's length becomes blank, so every gather stays in range.
    in_target = _C.arange(longest, device=device).unsqueeze(0) < target_len.unsqueeze(1)
    labels = _C.where(in_target, labels, blank)
    # The extended labels "-l1-l2-...-": a blank before each label, and one at the end.
    blanks = _C.full_like(labels, blank)
    pairs = _C.stack((blanks, labels), 2).reshape(batch, 2 * longest)
    extended = _C.cat((pairs, _C.full((batch, 1), blank, dtype=_C.int64, device=device)), 1)
    before_previous = _shift_right(
        extended, 2, _C.full((batch, 2), blank, dtype=_C.int64, device=device)
    )
    can_skip = (extended != blank) & (extended != before_previous)

    # A very negative finite number stands for log(0): -inf would make the gradient of
    # logsumexp 0/0 = nan in states no alignment reaches.
    log_zero = finfo(log_probs.dtype).min / 4
    impossible = log_probs.new_full((batch, states), log_zero)
    # emissions[t, n, s] = log_probs[t, n, extended[n, s]], for every frame at once.
    emissions = log_probs.gather(2, extended.unsqueeze(0).expand(frames, batch, states))

    # At t = 0 a path starts on the first blank or the first label.
    starts = _C.arange(states, device=device).unsqueeze(0) < 2
    alpha = _C.where(starts, emissions[0], log_zero)
    for t in range(1, frames):
        stay = alpha
        advance = _shift_right(alpha, 1, impossible)
        skip = _C.where(can_skip, _shift_right(alpha, 2, impossible), log_zero)
        step = _C.stack((stay, advance, skip)).logsumexp(0) + emissions[t]
        # Samples whose input has ended keep their last alpha.
        alpha = _C.where((input_len > t).unsqueeze(1), step, alpha)

    # A path ends on the last label or on the blank after it.
    last = (2 * target_len).unsqueeze(1)
    end_on_blank = alpha.gather(1, last)
    end_on_label = _C.where(
        target_len.unsqueeze(1) > 0, alpha.gather(1, (last - 1).clamp_min(0)), log_zero
    )
    log_likelihood = _C.cat((end_on_blank, end_on_label), 1).logsumexp(1)
    if 0 in inputs:
        # No frame at all: the empty target has probability 1, any other 0.
        empty = _C.where(target_len == 0, 0.0, log_zero).to(log_likelihood.dtype)
        log_likelihood = _C.where(input_len == 0, empty, log_likelihood)
    unreachable = log_likelihood < log_zero / 2
    loss = _C.where(unreachable, 0.0 if zero_infinity else float("inf"), -log_likelihood)

    if reduction == "mean":
        # Each sample's loss per target label, then the batch mean.
        return (loss / target_len.clamp_min(1).to(loss.dtype)).mean()
    if reduction == "sum":
        return loss.sum()
    return loss if batched else loss.squeeze(0)
