"""ferrograd.text: tokenizers, the vocabulary (specials <unk>=0 and <pad>=1 as the tutorials'
IMDB model expects), and encoding to fixed-length index tensors."""

from __future__ import annotations

import ferrograd as torch
import pytest
from ferrograd.text import (
    Vocab,
    build_vocab,
    build_vocab_from_iterator,
    encode,
    get_tokenizer,
    pad_truncate,
    to_tensor,
    tokenize,
    truncate,
)
from hypothesis import given
from hypothesis import strategies as st

REVIEWS = [
    "The movie was GREAT!<br />Great acting.",
    "I didn't like the movie, at all...",
    "great fun, great cast",
]


def test_tokenize_lowercases_and_strips_punctuation():
    assert tokenize(REVIEWS[0]) == ["the", "movie", "was", "great", "great", "acting"]
    # Punctuation is deleted, not split on: "didn't" -> "didnt"; runs of spaces give no "".
    assert tokenize("I didn't   like it...") == ["i", "didnt", "like", "it"]
    assert tokenize("") == []


def test_get_tokenizer():
    assert get_tokenizer(None)("a  b\tc") == ["a", "b", "c"]
    basic = get_tokenizer("basic_english")
    # torchtext's documented example.
    assert basic("You can now install TorchText using pip!") == [
        "you", "can", "now", "install", "torchtext", "using", "pip", "!",
    ]  # fmt: skip
    assert basic("Don't (really)") == ["don", "'", "t", "(", "really", ")"]
    assert get_tokenizer("tutorial") is tokenize
    assert get_tokenizer(str.upper) is str.upper
    with pytest.raises(ValueError, match=r"Requested tokenizer spacy"):
        get_tokenizer("spacy")
    with pytest.raises(ValueError, match=r"only available for Enlish\(en\)"):
        get_tokenizer("basic_english", language="de")


def build() -> Vocab:
    return build_vocab(tokenize(text) for text in REVIEWS)


def test_vocab_order_specials_then_frequency_then_alphabet():
    vocab = build()
    # great x4, movie x2, the x2 (tie: alphabetical), then the words seen once, alphabetically.
    assert vocab.itos[:5] == ["<unk>", "<pad>", "great", "movie", "the"]
    assert vocab.itos[5:] == sorted(vocab.itos[5:])
    assert len(vocab) == 2 + 12  # 12 distinct words
    assert vocab["great"] == 2 and vocab.stoi["movie"] == 3
    assert vocab.freqs["great"] == 4


def test_unknown_tokens_map_to_unk_without_growing():
    vocab = build()
    assert vocab["zebra"] == 0 and vocab.stoi["zebra"] == 0
    assert "zebra" not in vocab and len(vocab.stoi) == len(vocab)
    assert vocab(["the", "zebra"]) == [4, 0]
    assert vocab.lookup_tokens([2, 1, 0]) == ["great", "<pad>", "<unk>"]


def test_max_size_and_min_freq():
    # max_size counts words only: 2 words + 2 specials.
    vocab = build_vocab((tokenize(t) for t in REVIEWS), max_size=2)
    assert vocab.itos == ["<unk>", "<pad>", "great", "movie"]
    frequent = build_vocab((tokenize(t) for t in REVIEWS), min_freq=2)
    assert frequent.itos == ["<unk>", "<pad>", "great", "movie", "the"]


def test_vocab_without_unk_raises_for_unknown_tokens():
    vocab = build_vocab([["a", "b"]], specials=("<pad>",))
    assert vocab.itos == ["<pad>", "a", "b"] and vocab.get_default_index() is None
    with pytest.raises(RuntimeError, match=r"Token zzz not found and default index is not set"):
        vocab["zzz"]
    with pytest.raises(KeyError):
        vocab.stoi["zzz"]
    vocab.set_default_index(0)
    assert vocab["zzz"] == 0


def test_specials_last():
    vocab = build_vocab([["b", "a", "b"]], specials_first=False)
    assert vocab.itos == ["b", "a", "<unk>", "<pad>"]
    assert vocab["nope"] == 2


def test_build_vocab_from_iterator_like_torchtext():
    # max_tokens includes the specials; no default index until one is set.
    vocab = build_vocab_from_iterator(
        (tokenize(t) for t in REVIEWS), specials=["<unk>"], max_tokens=3
    )
    assert vocab.get_itos() == ["<unk>", "great", "movie"]
    with pytest.raises(RuntimeError, match=r"Token fun not found"):
        vocab(["fun"])
    vocab.set_default_index(vocab["<unk>"])
    assert vocab(["fun", "great"]) == [0, 1]
    assert vocab.get_stoi() == {"<unk>": 0, "great": 1, "movie": 2}


def test_encode_to_fixed_length():
    vocab = build()
    tokens = tokenize(REVIEWS[1])  # 7 tokens: i didnt like the movie at all
    ids = vocab(tokens)
    assert encode(tokens, vocab) == ids
    # Longer than 4: keep the first 4 (or, truncate_first, the last 4).
    assert encode(tokens, vocab, fix_length=4) == ids[:4]
    assert encode(tokens, vocab, fix_length=4, truncate_first=True) == ids[-4:]
    # Shorter than 10: <pad> (index 1) after (or, pad_first, before) the words.
    assert encode(tokens, vocab, fix_length=10) == ids + [1, 1, 1]
    assert encode(tokens, vocab, fix_length=10, pad_first=True) == [1, 1, 1] + ids
    with pytest.raises(ValueError, match=r"pad_token '<pad>' is not in the vocabulary"):
        encode(tokens, build_vocab([tokens], specials=("<unk>",)), fix_length=3)


@given(st.lists(st.integers(0, 50), max_size=20), st.integers(0, 12), st.booleans(), st.booleans())
def test_pad_truncate_length_and_content(ids, length, pad_first, truncate_first):
    out = pad_truncate(ids, length, -1, pad_first=pad_first, truncate_first=truncate_first)
    assert len(out) == length
    kept = [x for x in out if x != -1]
    assert kept == (ids[max(len(ids) - length, 0) :] if truncate_first else ids[:length])
    if len(ids) < length:
        padding = out[: length - len(ids)] if pad_first else out[len(ids) :]
        assert padding == [-1] * (length - len(ids))


def test_to_tensor_and_truncate():
    assert to_tensor([3, 4]).dtype == torch.int64
    batch = to_tensor([[5, 6, 7], [8]], padding_value=1)
    assert batch.tolist() == [[5, 6, 7], [8, 1, 1]]
    with pytest.raises(ValueError, match=r"padding_value is required"):
        to_tensor([[5, 6], [7]])
    assert truncate([[1, 2, 3], [4]], 2) == [[1, 2], [4]]
    assert truncate([1, 2, 3], 1) == [1]


def test_pipeline_feeds_an_embedding_with_padding_idx():
    # The tutorials' model: Embedding(num_embeddings=MAX_WORDS, embedding_dim=3, padding_idx=1).
    vocab = build_vocab((tokenize(t) for t in REVIEWS), max_size=8)
    batch = to_tensor([encode(tokenize(t), vocab, fix_length=6, pad_first=True) for t in REVIEWS])
    assert tuple(batch.shape) == (3, 6)
    embedding = torch.nn.Embedding(len(vocab), 3, padding_idx=1)
    out = embedding(batch)
    assert tuple(out.shape) == (3, 6, 3)
    # Row 2 ("great fun great cast") is padded with 2 <pad> in front: zero vectors.
    assert out[2, :2].abs().sum().item() == 0.0
