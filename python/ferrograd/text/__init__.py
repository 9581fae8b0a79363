"""Text preprocessing, in the spirit of torchtext: tokenizers, a vocabulary, and encoding of
token lists into fixed-length index tensors for an `nn.Embedding`.

    from ferrograd.text import tokenize, build_vocab, encode
    vocab = build_vocab((tokenize(t) for t in texts), max_size=9998)  # <unk>=0, <pad>=1
    ids = encode(tokenize(review), vocab, fix_length=200)
"""

from ._encode import encode, pad_truncate, to_tensor, truncate
from ._tokenize import clean_text, get_tokenizer, tokenize
from ._vocab import Vocab, build_vocab, build_vocab_from_iterator

__all__ = [
    "Vocab",
    "build_vocab",
    "build_vocab_from_iterator",
    "clean_text",
    "encode",
    "get_tokenizer",
    "pad_truncate",
    "to_tensor",
    "tokenize",
    "truncate",
]
