"""Variable-length sequences for the recurrent layers: PackedSequence, packing and padding.

A packed batch stores the sequences time step by time step: first every sequence's step 0,
then step 1 of the sequences at least 2 long, and so on. `batch_sizes[t]` says how many
sequences are still running at step t; the sequences are sorted longest first, so those are
always the first `batch_sizes[t]` of the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ... import _C

Tensor = _C.Tensor

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]


class PackedSequence(NamedTuple):
    """The packed data, the running batch size per step, and the sort that packing applied."""

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None

    def to(self, *args, **kwargs) -> PackedSequence:
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        # The sort indices go with the data, which they index; batch_sizes stay on the host
        # (PyTorch keeps them there too, as Python-readable lengths).
        return self._replace(
            data=data,
            sorted_indices=_follow(self.sorted_indices, data),
            unsorted_indices=_follow(self.unsorted_indices, data),
        )

    def cpu(self) -> PackedSequence:
        return self.to("cpu")

    def double(self) -> PackedSequence:
        return self._replace(data=self.data.double())

    def float(self) -> PackedSequence:
        return self._replace(data=self.data.float())

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def _follow(indices: Tensor | None, data: Tensor) -> Tensor | None:
    return None if indices is None else indices.to(data.device)


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation that undoes `permutation` (None stays None)."""
    if permutation is None:
        return None
    inverse = _C.empty_like(permutation)
    inverse.scatter_(
        0, permutation, _C.arange(permutation.numel(), dtype=_C.int64, device=permutation.device)
    )
    return inverse


def _lengths_list(lengths) -> list[int]:
    if isinstance(lengths, Tensor):
        if lengths.dim() != 1:
            raise RuntimeError(
                f"'lengths' argument should be a 1D CPU int64 tensor, but got "
                f"{lengths.dim()}D {lengths.device} {str(lengths.dtype).split('.')[-1]} tensor"
            )
        return [int(n) for n in lengths.tolist()]
    return [int(n) for n in lengths]


def pack_padded_sequence(
    input: Tensor, lengths, batch_first: bool = False, enforce_sorted: bool = True
) -> PackedSequence:
    """Pack a padded (T, B, *) batch (or (B, T, *) with batch_first) of the given lengths."""
    lengths_list = _lengths_list(lengths)
    if enforce_sorted:
        if any(a < b for a, b in zip(lengths_list, lengths_list[1:])):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability."
            )
        sorted_indices = None
    else:
        order = sorted(range(len(lengths_list)), key=lambda i: -lengths_list[i])
        sorted_indices = _C.tensor(order, dtype=_C.int64, device=input.device)
        lengths_list = [lengths_list[i] for i in order]
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if batch_first:
        input = input.transpose(0, 1)
    _check_lengths(input, lengths_list)
    steps = [input[t, : _running(lengths_list, t)] for t in range(lengths_list[0])]
    batch_sizes = [step.shape[0] for step in steps]
    return PackedSequence(
        _C.cat(steps, 0),
        _C.tensor(batch_sizes, dtype=_C.int64),
        sorted_indices,
        invert_permutation(sorted_indices),
    )


def _check_lengths(time_major: Tensor, lengths: list[int]) -> None:
    if not lengths or lengths[-1] <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in "
            "'lengths' that is <= 0"
        )
    if lengths[0] > time_major.shape[0]:
        raise RuntimeError(
            f"Expected all sequence lengths to be at most {time_major.shape[0]}, "
            f"but found {lengths[0]}"
        )


def _running(sorted_lengths: list[int], t: int) -> int:
    """How many of the (longest-first) sequences have a step t."""
    return sum(1 for n in sorted_lengths if n > t)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """Undo packing: the padded batch and each sequence's length (int64), in input order."""
    batch_sizes = [int(n) for n in sequence.batch_sizes.tolist()]
    max_length = len(batch_sizes)
    if total_length is not None:
        if total_length < max_length:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{max_length}"
            )
        max_length = total_length
    batch = batch_sizes[0]
    feature_shape = list(sequence.data.shape[1:])
    rows = []
    for t, chunk in enumerate(sequence.data.split(batch_sizes, 0)):
        missing = batch - batch_sizes[t]
        if missing:
            filler = chunk.new_full([missing] + feature_shape, padding_value)
            chunk = _C.cat([chunk, filler], 0)
        rows.append(chunk)
    for _ in range(len(batch_sizes), max_length):
        rows.append(sequence.data.new_full([batch] + feature_shape, padding_value))
    padded = _C.stack(rows, 0)
    lengths = [sum(1 for n in batch_sizes if n > b) for b in range(batch)]
    lengths_tensor = _C.tensor(lengths, dtype=_C.int64)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        # The lengths stay on the host, as in PyTorch, whatever device the indices are on.
        lengths_tensor = lengths_tensor.index_select(0, sequence.unsorted_indices.cpu())
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, lengths_tensor


def pad_sequence(
    sequences: Sequence[Tensor] | Tensor,
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stack sequences of different lengths (L_i, *) into (T, B, *) or (B, T, *), padded."""
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        missing = longest - s.shape[0]
        if missing:
            filler = s.new_full([missing] + list(s.shape[1:]), padding_value)
            s = _C.cat([s, filler] if padding_side == "right" else [filler, s], 0)
        padded.append(s)
    return _C.stack(padded, 0 if batch_first else 1)


def unpad_sequence(
    padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False
) -> list[Tensor]:
    """The list of sequences inside a padded batch, each cut to its length."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:n] for seq, n in zip(padded_sequences.unbind(0), _lengths_list(lengths))]


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (L_i, *) directly."""
    lengths = _C.tensor([s.shape[0] for s in sequences], dtype=_C.int64)
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences inside a packed batch."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
