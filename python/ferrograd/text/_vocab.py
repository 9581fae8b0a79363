"""`Vocab`: the token <-> index tables, and two ways to build one from tokenized texts.

Indices are what an `nn.Embedding` looks up. Special tokens come first: with the tutorials'
specials `<unk>` is 0 (every unknown word) and `<pad>` is 1 (filler, hence
`Embedding(..., padding_idx=1)`). Then words by decreasing frequency, ties alphabetically.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

__all__ = ["Vocab", "build_vocab", "build_vocab_from_iterator"]


class _StoI(dict):
    """token -> index; an unknown token reads as the default index without being added (a
    `defaultdict` would insert it and grow the table)."""

    def __init__(self, entries: dict[str, int], default: int | None) -> None:
        super().__init__(entries)
        self.default = default

    def __missing__(self, token: str) -> int:
        if self.default is None:
            raise KeyError(token)
        return self.default


class Vocab:
    """`itos` (index -> token, a list) and `stoi` (token -> index, a dict).

    `vocab[token]` is the token's index, or the default index (`<unk>`'s, when it is a
    special) for a token not in the vocabulary; `vocab(tokens)` maps a list.
    """

    UNK = "<unk>"

    def __init__(
        self,
        counter: Counter,
        max_size: int | None = None,
        min_freq: int = 1,
        specials: Sequence[str] = ("<unk>", "<pad>"),
        specials_first: bool = True,
    ) -> None:
        self.freqs = counter
        counts = counter.copy()
        min_freq = max(min_freq, 1)
        self.itos: list[str] = list(specials) if specials_first else []
        if specials_first and max_size is not None:
            max_size += len(specials)  # max_size counts the words only
        for token in specials:
            del counts[token]  # specials are placed by position, not by frequency
        # Alphabetical first, then a stable sort by decreasing frequency: ties stay alphabetical.
        by_frequency = sorted(counts.items(), key=lambda item: item[0])
        by_frequency.sort(key=lambda item: item[1], reverse=True)
        for token, freq in by_frequency:
            if freq < min_freq or len(self.itos) == max_size:
                break
            self.itos.append(token)
        if not specials_first:
            self.itos.extend(specials)
        self.unk_index = self.itos.index(Vocab.UNK) if Vocab.UNK in specials else None
        self.stoi = _StoI({token: i for i, token in enumerate(self.itos)}, self.unk_index)

    def __getitem__(self, token: str) -> int:
        index = self.stoi.get(token, self.stoi.default)
        if index is None:
            raise RuntimeError(f"Token {token} not found and default index is not set")
        return index

    def __call__(self, tokens: Iterable[str]) -> list[int]:
        return self.lookup_indices(tokens)

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def __repr__(self) -> str:
        return f"Vocab(size={len(self)}, default_index={self.stoi.default})"

    def lookup_indices(self, tokens: Iterable[str]) -> list[int]:
        return [self[token] for token in tokens]

    def lookup_token(self, index: int) -> str:
        if not 0 <= index < len(self.itos):
            raise RuntimeError(
                f"Specified index {index} is out of bounds of the size of itos dictionary: "
                f"{len(self.itos)}."
            )
        return self.itos[index]

    def lookup_tokens(self, indices: Iterable[int]) -> list[str]:
        return [self.lookup_token(index) for index in indices]

    def set_default_index(self, index: int | None) -> None:
        """The index unknown tokens get (None: they raise RuntimeError)."""
        self.stoi.default = index

    def get_default_index(self) -> int | None:
        return self.stoi.default

    def get_stoi(self) -> dict[str, int]:
        return dict(self.stoi)

    def get_itos(self) -> list[str]:
        return list(self.itos)


def _count(iterator: Iterable[Iterable[str]]) -> Counter:
    counter: Counter = Counter()
    for tokens in iterator:
        counter.update(tokens)
    return counter


def build_vocab(
    iterator: Iterable[Iterable[str]],
    max_size: int | None = None,
    min_freq: int = 1,
    specials: Sequence[str] = ("<unk>", "<pad>"),
    specials_first: bool = True,
) -> Vocab:
    """A vocabulary of the `max_size` most frequent tokens (specials not counted) seen at
    least `min_freq` times in `iterator` (an iterable of token lists). With the default
    specials, `<unk>` is 0, `<pad>` is 1 and unknown tokens map to 0."""
    return Vocab(_count(iterator), max_size, min_freq, specials, specials_first)


def build_vocab_from_iterator(
    iterator: Iterable[Iterable[str]],
    min_freq: int = 1,
    specials: Sequence[str] | None = None,
    special_first: bool = True,
    max_tokens: int | None = None,
) -> Vocab:
    """torchtext's modern builder: `max_tokens` counts the specials too, and no default index
    is set (call `set_default_index(vocab["<unk>"])` for unknown tokens)."""
    counter = _count(iterator)
    specials = list(specials or [])
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    if max_tokens is not None:
        if len(specials) >= max_tokens:
            raise AssertionError(
                "len(specials) >= max_tokens, so the vocab will be entirely special tokens."
            )
        ranked = ranked[: max_tokens - len(specials)]
    kept = Counter({token: freq for token, freq in ranked if token not in specials})
    vocab = Vocab(kept, None, min_freq, specials, special_first)
    vocab.set_default_index(None)
    return vocab
