"""Tokenizers: splitting a text into a list of word tokens.

`tokenize` is the one the tutorials' IMDB pipeline uses: lowercase, turn the HTML line breaks
of the reviews (`<br />`) into spaces, delete every ASCII punctuation character, split on
whitespace. `get_tokenizer` gives torchtext's choices by name.
"""

from __future__ import annotations

import re
import string
from typing import Callable

__all__ = ["clean_text", "get_tokenizer", "tokenize"]

_PUNCTUATION = re.compile(f"[{re.escape(string.punctuation)}]")


def clean_text(text: str) -> str:
    """Lowercased, `<br />` replaced by a space, punctuation removed ("Don't!" -> "dont")."""
    lowered = text.lower().replace("<br />", " ")
    return _PUNCTUATION.sub("", lowered)


def tokenize(text: str) -> list[str]:
    """`clean_text(text)` split on runs of whitespace (so no empty tokens)."""
    return clean_text(text).split()


# torchtext's "basic_english" rules, in order: quotes and full stops, commas, brackets, ! and ?
# become separate tokens, double quotes vanish, ; and : become spaces.
_BASIC_ENGLISH = [
    (re.compile(pattern), replacement)
    for pattern, replacement in [
        (r"\'", " '  "),
        (r"\"", ""),
        (r"\.", " . "),
        (r"<br \/>", " "),
        (r",", " , "),
        (r"\(", " ( "),
        (r"\)", " ) "),
        (r"\!", " ! "),
        (r"\?", " ? "),
        (r"\;", " "),
        (r"\:", " "),
        (r"\s+", " "),
    ]
]


def _basic_english_normalize(line: str) -> list[str]:
    line = line.lower()
    for pattern, replacement in _BASIC_ENGLISH:
        line = pattern.sub(replacement, line)
    return line.split()


def _split_tokenizer(text: str) -> list[str]:
    return text.split()


def get_tokenizer(tokenizer: str | Callable[[str], list[str]] | None, language: str = "en"):
    """None -> `str.split`; "basic_english" -> torchtext's normaliser; "tutorial" ->
    `tokenize`; a callable is returned as it is."""
    if tokenizer is None:
        return _split_tokenizer
    if tokenizer == "basic_english":
        if language != "en":
            raise ValueError("Basic normalization is only available for Enlish(en)")
        return _basic_english_normalize
    if tokenizer == "tutorial":
        return tokenize
    if callable(tokenizer):
        return tokenizer
    raise ValueError(
        f"Requested tokenizer {tokenizer}, valid choices are a callable that takes a single "
        'string as input, None for str.split, "basic_english" or "tutorial" (third-party '
        "tokenizers such as spacy are not bundled)"
    )
