"""From tokens to the fixed-size integer tensors a model takes: index lookup, truncation and
padding to one length, and batching into a LongTensor."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .. import Tensor, long, tensor
from ._vocab import Vocab

__all__ = ["encode", "pad_truncate", "to_tensor", "truncate"]


def truncate(ids: Sequence[Any], max_seq_len: int) -> list[Any]:
    """The first `max_seq_len` items (a list of sequences: each one truncated)."""
    if ids and isinstance(ids[0], (list, tuple)):
        return [list(seq[:max_seq_len]) for seq in ids]
    return list(ids[:max_seq_len])


def pad_truncate(
    ids: Sequence[Any],
    length: int,
    pad_value: Any,
    pad_first: bool = False,
    truncate_first: bool = False,
) -> list[Any]:
    """Exactly `length` items: longer sequences lose their end (or, with `truncate_first`,
    their beginning); shorter ones get `pad_value` at the end (or, `pad_first`, the front).

    The tutorials' IMDB pipeline keeps the *last* words and pads in *front*
    (`pad_first=True, truncate_first=True`), so the words nearest the end of the review sit
    in fixed positions; torchtext's `Field(fix_length=...)` defaults to the opposite.
    """
    ids = list(ids)
    if len(ids) > length:
        ids = ids[len(ids) - length :] if truncate_first else ids[:length]
    padding = [pad_value] * (length - len(ids))
    return padding + ids if pad_first else ids + padding


def encode(
    tokens: Iterable[str],
    vocab: Vocab,
    fix_length: int | None = None,
    pad_token: str = "<pad>",
    pad_first: bool = False,
    truncate_first: bool = False,
) -> list[int]:
    """Token indices, brought to `fix_length` (if given) with `pad_token`'s index."""
    ids = vocab.lookup_indices(tokens)
    if fix_length is None:
        return ids
    if pad_token not in vocab:
        raise ValueError(f"pad_token {pad_token!r} is not in the vocabulary")
    return pad_truncate(ids, fix_length, vocab[pad_token], pad_first, truncate_first)


def to_tensor(input: Sequence[Any], padding_value: int | None = None, dtype: Any = long) -> Tensor:
    """A list of ints -> 1-d tensor; a list of lists -> 2-d tensor [batch, longest], shorter
    rows padded at the end with `padding_value` (required when the lengths differ)."""
    if not input or not isinstance(input[0], (list, tuple)):
        return tensor(list(input), dtype=dtype)
    longest = max(len(row) for row in input)
    if padding_value is None:
        if any(len(row) != longest for row in input):
            raise ValueError("padding_value is required when the sequences differ in length")
        padding_value = 0
    return tensor(
        [list(row) + [padding_value] * (longest - len(row)) for row in input], dtype=dtype
    )
