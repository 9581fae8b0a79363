"""F.embedding, nn.Embedding and F.one_hot: lookups against numpy, gradients with repeated
indices and padding_idx, max_norm, reprs and messages recorded from PyTorch."""

from __future__ import annotations

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from ferrograd import nn
from ferrograd.autograd import gradcheck
from hypothesis import given, settings
from hypothesis import strategies as st


@settings(max_examples=10)
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=2), rows=st.integers(2, 5))
def test_lookup_matches_numpy_and_gradcheck(shape, rows):
    rng = np.random.default_rng(rows)
    w = rng.standard_normal((rows, 3))
    idx = rng.integers(0, rows, shape)
    wt = torch.tensor(w, requires_grad=True)
    out = F.embedding(torch.tensor(idx), wt)
    np.testing.assert_array_equal(out.detach().numpy(), w[idx])
    # (padding_idx is left out: its zero gradient is by design, not the numerical one.)
    assert gradcheck(lambda t: F.embedding(torch.tensor(idx), t), (wt,))


def test_repeated_indices_padding_and_frequency_scaling():
    w = torch.randn(5, 2, requires_grad=True)
    idx = torch.tensor([[1, 2], [1, 0]])
    F.embedding(idx, w, padding_idx=2).sum().backward()
    # Row 1 is used twice, row 0 once, row 2 is the padding row (no gradient).
    assert w.grad.tolist() == [[1, 1], [2, 2], [0, 0], [0, 0], [0, 0]]
    w.grad = None
    out = F.embedding(idx, w, scale_grad_by_freq=True)
    np.testing.assert_array_equal(out.detach().numpy(), w.detach().numpy()[idx.numpy()])
    out.sum().backward()
    assert w.grad.tolist() == [[1, 1], [1, 1], [1, 1], [0, 0], [0, 0]]


def test_max_norm_renormalises_used_rows_in_place():
    w = torch.tensor([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]])
    out = F.embedding(torch.tensor([0, 1]), w, max_norm=1.0)
    # Row 0 (norm 5) is scaled to norm 1; row 1 (norm 0.5) and the unused row 2 are kept.
    np.testing.assert_allclose(w.norm(dim=1).numpy(), [1.0, 0.5, 10.0], rtol=1e-6)
    np.testing.assert_allclose(out.numpy(), [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)


def test_layer_init_padding_and_from_pretrained():
    torch.manual_seed(0)
    layer = nn.Embedding(1000, 4, padding_idx=-1)
    assert layer.padding_idx == 999
    assert layer.weight[999].tolist() == [0, 0, 0, 0]
    values = layer.weight.detach().numpy()[:999]
    assert abs(values.mean()) < 0.1 and abs(values.std() - 1) < 0.1
    assert list(layer.state_dict()) == ["weight"]
    pretrained = torch.randn(4, 2)
    frozen = nn.Embedding.from_pretrained(pretrained)
    assert not frozen.weight.requires_grad
    np.testing.assert_array_equal(frozen(torch.tensor([3])).numpy(), pretrained[3:].numpy())
    assert nn.Embedding.from_pretrained(pretrained, freeze=False).weight.requires_grad


def test_reprs():
    assert repr(nn.Embedding(10, 3)) == "Embedding(10, 3)"
    assert repr(nn.Embedding(10, 3, padding_idx=0)) == "Embedding(10, 3, padding_idx=0)"
    assert repr(nn.Embedding(10, 3, max_norm=1.0)) == "Embedding(10, 3, max_norm=1.0)"
    assert (
        repr(nn.Embedding(10, 3, scale_grad_by_freq=True, sparse=True))
        == "Embedding(10, 3, scale_grad_by_freq=True, sparse=True)"
    )
    assert repr(nn.Embedding.from_pretrained(torch.randn(4, 2))) == "Embedding(4, 2)"


def test_one_hot():
    assert F.one_hot(torch.tensor([1, 3])).tolist() == [[0, 1, 0, 0], [0, 0, 0, 1]]
    out = F.one_hot(torch.tensor([[0], [2]]), 4)
    assert out.dtype == torch.int64 and out.shape == (2, 1, 4)
    assert F.one_hot(torch.zeros(0, dtype=torch.int64), 3).shape == (0, 3)


@pytest.mark.parametrize(
    "call, exc, message",
    [
        (
            lambda: F.embedding(torch.tensor([7]), torch.randn(5, 3)),
            IndexError,
            "index out of range in self",
        ),
        (
            lambda: F.embedding(torch.tensor([1]), torch.randn(5, 3), padding_idx=7),
            AssertionError,
            "Padding_idx must be within num_embeddings",
        ),
        (
            lambda: F.embedding(torch.tensor([1]), torch.randn(5)),
            RuntimeError,
            "'weight' must be 2-D",
        ),
        (
            lambda: nn.Embedding(5, 3, padding_idx=5),
            AssertionError,
            "Padding_idx must be within num_embeddings",
        ),
        (
            lambda: F.one_hot(torch.tensor([1, 3]), 2),
            RuntimeError,
            "Class values must be smaller than num_classes.",
        ),
        (
            lambda: F.one_hot(torch.tensor([1.0, 3.0])),
            RuntimeError,
            "one_hot is only applicable to index tensor of type LongTensor.",
        ),
        (
            lambda: F.one_hot(torch.tensor([-1, 3])),
            RuntimeError,
            "Class values must be non-negative.",
        ),
        (
            lambda: F.one_hot(torch.zeros(0, dtype=torch.int64)),
            RuntimeError,
            "Can not infer total number of classes from empty tensor.",
        ),
    ],
)
def test_error_messages(call, exc, message):
    with pytest.raises(exc) as e:
        call()
    assert str(e.value) == message
