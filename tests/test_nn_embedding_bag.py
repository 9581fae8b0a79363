"""F.embedding_bag and nn.EmbeddingBag: bags against a per-bag numpy loop, gradcheck w.r.t.
the weight and the per-sample weights, values, reprs and messages recorded from PyTorch."""

from __future__ import annotations

import re

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from ferrograd import nn
from ferrograd.autograd import gradcheck
from hypothesis import given, settings
from hypothesis import strategies as st


def reference_bags(indices, weight, offsets, mode, per_sample_weights, include_last_offset, pad):
    """One bag at a time: bag b is indices[offsets[b]:offsets[b + 1]], padding left out."""
    bounds = list(offsets) + ([] if include_last_offset else [len(indices)])
    out = np.zeros((len(bounds) - 1, weight.shape[1]))
    for bag, (start, end) in enumerate(zip(bounds[:-1], bounds[1:])):
        picked = [i for i in range(start, end) if indices[i] != pad]
        if not picked:
            continue
        rows = weight[indices[picked]]
        if per_sample_weights is not None:
            rows = rows * per_sample_weights[picked][:, None]
        out[bag] = {"sum": rows.sum(0), "mean": rows.mean(0), "max": rows.max(0)}[mode]
    return out


@st.composite
def bag_cases(draw):
    num_embeddings = draw(st.integers(2, 5))
    sizes = draw(st.lists(st.integers(0, 3), min_size=1, max_size=4))
    mode = draw(st.sampled_from(["sum", "mean", "max"]))
    include_last_offset = draw(st.booleans())
    pad = draw(st.one_of(st.none(), st.integers(0, num_embeddings - 1)))
    with_weights = mode == "sum" and draw(st.booleans())
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    # With include_last_offset, entries past the last offset belong to no bag.
    trailing = draw(st.integers(0, 2)) if include_last_offset else 0
    indices = rng.integers(0, num_embeddings, sum(sizes) + trailing)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    if include_last_offset:
        offsets = np.append(offsets, sum(sizes))
    weight = rng.standard_normal((num_embeddings, 3))
    per_sample_weights = rng.standard_normal(len(indices)) if with_weights else None
    return indices, weight, offsets, mode, per_sample_weights, include_last_offset, pad


def call(indices, weight, offsets, mode, per_sample_weights, include_last_offset, pad):
    return F.embedding_bag(
        torch.tensor(indices, dtype=torch.int64),
        weight,
        torch.tensor(offsets, dtype=torch.int64),
        mode=mode,
        per_sample_weights=per_sample_weights,
        include_last_offset=include_last_offset,
        padding_idx=pad,
    )


@settings(max_examples=20)
@given(case=bag_cases())
def test_bags_match_numpy_and_gradcheck(case):
    indices, weight, offsets, mode, per_sample_weights, include_last_offset, pad = case
    expected = reference_bags(*case)
    w = torch.tensor(weight, requires_grad=True)
    psw = None if per_sample_weights is None else torch.tensor(per_sample_weights)
    out = call(indices, w, offsets, mode, psw, include_last_offset, pad)
    assert out.dtype == torch.float64
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12, atol=1e-12)
    # The padding row is left out of every bag, so its gradient is zero both ways.
    if psw is None:
        assert gradcheck(
            lambda t: call(indices, t, offsets, mode, None, include_last_offset, pad), (w,)
        )
    else:
        psw.requires_grad_(True)
        assert gradcheck(
            lambda t, p: call(indices, t, offsets, mode, p, include_last_offset, pad), (w, psw)
        )


@settings(max_examples=10)
@given(
    bags=st.integers(0, 3),
    size=st.integers(1, 3),
    mode=st.sampled_from(["sum", "mean", "max"]),
    seed=st.integers(0, 2**16),
)
def test_two_dimensional_input_is_fixed_size_bags(bags, size, mode, seed):
    rng = np.random.default_rng(seed)
    weight = rng.standard_normal((4, 2))
    indices = rng.integers(0, 4, (bags, size))
    offsets = np.arange(0, bags * size, size)
    expected = reference_bags(indices.reshape(-1), weight, offsets, mode, None, False, None)
    out = F.embedding_bag(torch.tensor(indices), torch.tensor(weight), mode=mode)
    assert list(out.shape) == [bags, 2]
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)


W = [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0], [8.0, 9.0], [10.0, 11.0]]


def test_values_recorded_from_pytorch():
    w = torch.tensor(W)
    idx = torch.tensor([1, 2, 3, 4, 5])
    # Entries past the last offset belong to no bag.
    out = F.embedding_bag(idx, w, torch.tensor([0, 2, 3]), mode="sum", include_last_offset=True)
    assert out.tolist() == [[6.0, 8.0], [6.0, 7.0]]
    out = F.embedding_bag(idx, w, torch.tensor([0, 5]), mode="sum")
    assert out.tolist() == [[30.0, 35.0], [0.0, 0.0]]
    assert F.embedding_bag(idx, w, torch.tensor([0]), include_last_offset=True).shape == (0, 2)
    assert F.embedding_bag(idx, w, torch.tensor([], dtype=torch.int64)).shape == (0, 2)
    padded = torch.tensor([1, 2, 2, 3, 2])
    bags = torch.tensor([0, 2, 3])
    expected = [[2.0, 3.0], [0.0, 0.0], [6.0, 7.0]]
    assert F.embedding_bag(padded, w, bags, mode="mean", padding_idx=2).tolist() == expected
    assert F.embedding_bag(padded, w, bags, mode="max", padding_idx=2).tolist() == expected
    psw = torch.arange(5.0)
    out = F.embedding_bag(padded, w, bags, mode="sum", padding_idx=2, per_sample_weights=psw)
    assert out.tolist() == [[0.0, 0.0], [0.0, 0.0], [18.0, 21.0]]
    out = F.embedding_bag(torch.tensor([1, 5, 2, 3, 2]), w, bags, mode="sum", padding_idx=-1)
    assert out.tolist() == [[2.0, 3.0], [4.0, 5.0], [10.0, 12.0]]
    empty = F.embedding_bag(torch.tensor([], dtype=torch.int64), w, torch.tensor([0, 0]))
    assert empty.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    # int32 indices and offsets, mixed or not.
    out = F.embedding_bag(idx.int(), w, torch.tensor([0, 2], dtype=torch.int32), mode="sum")
    assert out.tolist() == [[6.0, 8.0], [24.0, 27.0]]
    out = F.embedding_bag(idx, w, torch.tensor([0, 2], dtype=torch.int32), mode="mean")
    assert out.tolist() == [[3.0, 4.0], [8.0, 9.0]]


def test_max_gradient_goes_to_the_first_maximum():
    for order, winner in (([0, 1], 0), ([1, 0], 1)):
        w = torch.tensor([[1.0, 5.0], [1.0, 5.0], [0.0, 0.0]], requires_grad=True)
        F.embedding_bag(torch.tensor(order), w, torch.tensor([0]), mode="max").sum().backward()
        expected = [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]
        expected[winner] = [1.0, 1.0]
        assert w.grad.tolist() == expected
    w = torch.tensor([[-1.0, -5.0], [-2.0, -5.0], [0.0, 0.0]])
    out = F.embedding_bag(
        torch.tensor([0, 1, 2, 2]), w, torch.tensor([0, 2, 4]), mode="max", padding_idx=2
    )
    assert out.tolist() == [[-1.0, -5.0], [0.0, 0.0], [0.0, 0.0]]


def test_scale_grad_by_freq_and_padding_gradients():
    # Recorded from PyTorch: counts are over the whole input; the padding row gets nothing.
    idx = torch.tensor([1, 1, 2, 1, 3, 2])
    bags = torch.tensor([0, 3, 4])
    w = torch.randn(6, 2, requires_grad=True)
    F.embedding_bag(
        idx, w, bags, mode="sum", scale_grad_by_freq=True, padding_idx=3
    ).sum().backward()
    assert w.grad[:, 0].tolist() == [0.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    w.grad = None
    out = F.embedding_bag(idx, w, bags, mode="mean", scale_grad_by_freq=True, padding_idx=3)
    out.sum().backward()
    np.testing.assert_allclose(w.grad[:, 1].numpy(), [0, 5 / 9, 2 / 3, 0, 0, 0], rtol=1e-6)
    # The value itself is unscaled.
    plain = F.embedding_bag(idx, w, bags, mode="mean", padding_idx=3)
    assert out.tolist() == plain.tolist()


def test_per_sample_weights_gradient_skips_padding():
    w = torch.randn(5, 3, dtype=torch.float64)
    p = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    idx = torch.tensor([[0, 4, 4], [1, 2, 3]])
    F.embedding_bag(idx, w, mode="sum", per_sample_weights=p, padding_idx=4).sum().backward()
    assert p.grad[0, 1:].tolist() == [0.0, 0.0]
    assert p.grad[1].tolist() == w[1:4].sum(1).tolist()


def test_max_norm_renormalises_the_used_rows_in_place():
    w = torch.tensor(W)
    out = F.embedding_bag(torch.tensor([1, 5]), w, torch.tensor([0]), max_norm=2.0, mode="sum")
    np.testing.assert_allclose(out.numpy(), [[2.4547, 3.1440]], atol=1e-4)
    np.testing.assert_allclose(w[1].numpy(), [1.1094, 1.6641], atol=1e-4)
    np.testing.assert_allclose(w[5].numpy(), [1.3453, 1.4799], atol=1e-4)
    assert w[2].tolist() == [4.0, 5.0]


FLOAT_NAME = "ferrograd.FloatTensor"
ERRORS = [
    (
        lambda w: F.embedding_bag(torch.tensor([1, 2]), w, torch.tensor([1])),
        RuntimeError,
        (
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
            "position 0. However, got 1"
        ),
    ),
    (
        lambda w: F.embedding_bag(torch.tensor([1, 2]), w, torch.tensor([0, 3])),
        RuntimeError,
        "offsets[-1] can not be greater than input's length 2 but got offsets[-1] of 3",
    ),
    (
        lambda w: F.embedding_bag(torch.tensor([1, 2, 3]), w, torch.tensor([0, 2, 1])),
        RuntimeError,
        "Expected i < index_size to be true, but got false.",
    ),
    (
        lambda w: F.embedding_bag(
            torch.tensor([1, 2, 3]), w, torch.tensor([0, 2, 1]), include_last_offset=True
        ),
        RuntimeError,
        (
            "Your input appears to be incorrect: the last offset value should be the size of the "
            "indices tensor, but it seems not to be the case."
        ),
    ),
    (
        lambda w: F.embedding_bag(
            torch.tensor([1]), w, torch.tensor([], dtype=torch.int64), include_last_offset=True
        ),
        RuntimeError,
        "include_last_offset: number of offset should be at least 1",
    ),
    (
        lambda w: F.embedding_bag(torch.tensor([1, 7]), w, torch.tensor([0]), mode="sum"),
        RuntimeError,
        "Index 1 of input takes value 7 which is not in the valid range [0, 6)",
    ),
    (
        lambda w: F.embedding_bag(torch.tensor([1, -1]), w, torch.tensor([0]), mode="max"),
        RuntimeError,
        "embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be -1",
    ),
    (
        lambda w: F.embedding_bag(torch.tensor([1.0, 2.0]), w, torch.tensor([0])),
        RuntimeError,
        (
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
            f"Long, Int; but got {FLOAT_NAME} instead (while checking arguments for embedding_bag)"
        ),
    ),
    (
        lambda w: F.embedding_bag(torch.tensor([1, 2]), w, torch.tensor([0.0])),
        RuntimeError,
        (
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
            f"Long, Int; but got {FLOAT_NAME} instead (while checking arguments for embedding_bag)"
        ),
    ),
    (
        lambda w: F.embedding_bag(torch.tensor([1]), w.long(), torch.tensor([0])),
        RuntimeError,
        (
            "Expected tensor for argument #1 'weight' to have one of the following scalar types: "
            "Half, BFloat16, Float, Double; but got ferrograd.LongTensor instead (while checking "
            "arguments for embedding_bag)"
        ),
    ),
    (
        lambda w: F.embedding_bag(
            torch.tensor([1]),
            w,
            torch.tensor([0]),
            mode="sum",
            per_sample_weights=torch.ones(1, dtype=torch.float64),
        ),
        RuntimeError,
        (
            "Expected tensor for argument #1 'weight' to have the same type as tensor for argument "
            f"#1 'per_sample_weights'; but type {FLOAT_NAME} does not equal ferrograd.DoubleTensor "
            "(while checking arguments for embedding_bag)"
        ),
    ),
    (
        lambda w: F.embedding_bag(
            torch.tensor([1, 2]), w, torch.tensor([0]), per_sample_weights=torch.ones(3)
        ),
        ValueError,
        (
            "embedding_bag: If per_sample_weights (ferrograd.Size([3])) is not None, then it must "
            "have the same shape as the input (ferrograd.Size([2]))"
        ),
    ),
    (
        lambda w: F.embedding_bag(
            torch.tensor([1, 2]),
            w,
            torch.tensor([0]),
            mode="mean",
            per_sample_weights=torch.ones(2),
        ),
        NotImplementedError,
        (
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported "
            "for mode='sum' (got mode='mean'). Please open a feature request on GitHub."
        ),
    ),
    (
        lambda w: F.embedding_bag(torch.tensor([1]), w, torch.tensor([0]), mode="min"),
        ValueError,
        "mode has to be one of sum, mean or max",
    ),
    (
        lambda w: F.embedding_bag(
            torch.tensor([1]), w, torch.tensor([0]), mode="max", scale_grad_by_freq=True
        ),
        ValueError,
        "max mode does not support scaling the gradient by the frequency",
    ),
    (
        lambda w: F.embedding_bag(torch.tensor([1]), w, torch.tensor([0]), mode="max", sparse=True),
        ValueError,
        "max mode does not support sparse weights",
    ),
    (
        lambda w: F.embedding_bag(torch.tensor([1]), w.reshape(-1), torch.tensor([0])),
        ValueError,
        "weight has to be a 2D Tensor, but got Tensor of dimension 1",
    ),
    (
        lambda w: F.embedding_bag(torch.tensor([[[1]]]), w),
        ValueError,
        "input has to be 1D or 2D Tensor, but got Tensor of dimension 3",
    ),
    (
        lambda w: F.embedding_bag(torch.tensor([[1]]), w, torch.tensor([0])),
        ValueError,
        (
            "if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
            "fixed length sequences. However, found offsets of type <class 'ferrograd.Tensor'>"
        ),
    ),
    (
        lambda w: F.embedding_bag(torch.tensor([1]), w),
        ValueError,
        "offsets has to be a 1D Tensor but got None",
    ),
    (
        lambda w: F.embedding_bag(torch.tensor([1]), w, torch.tensor([[0]])),
        ValueError,
        "offsets has to be a 1D Tensor",
    ),
    (
        lambda w: F.embedding_bag(torch.tensor([1]), w, torch.tensor([0]), padding_idx=6),
        RuntimeError,
        "padding_idx must be within the number of embeddings, -6 through 5, but got 6",
    ),
    (
        lambda w: F.embedding_bag(torch.tensor([1]), w, torch.tensor([0]), padding_idx=-7),
        RuntimeError,
        "padding_idx must be within the number of embeddings, -6 through 5, but got -7",
    ),
]


@pytest.mark.parametrize("fn, exc, message", ERRORS)
def test_errors_recorded_from_pytorch(fn, exc, message):
    with pytest.raises(exc, match=re.escape(message)):
        fn(torch.tensor(W))


def test_old_argument_order_warns_and_swaps():
    with pytest.warns(UserWarning, match="Argument order of nn.functional.embedding_bag"):
        out = F.embedding_bag(torch.tensor(W), torch.tensor([1, 2]), torch.tensor([0]))
    assert out.tolist() == [[3.0, 4.0]]


def test_module_repr_and_init():
    assert repr(nn.EmbeddingBag(10, 3)) == "EmbeddingBag(10, 3, mode='mean')"
    full = nn.EmbeddingBag(
        10,
        3,
        max_norm=1,
        norm_type=1,
        scale_grad_by_freq=True,
        mode="sum",
        padding_idx=-2,
        include_last_offset=True,
        sparse=True,
    )
    assert repr(full) == (
        "EmbeddingBag(10, 3, max_norm=1, norm_type=1, scale_grad_by_freq=True, mode='sum', "
        "padding_idx=8)"
    )
    assert repr(nn.EmbeddingBag(10, 3, max_norm=1.5, norm_type=2.0, mode="max", padding_idx=0)) == (
        "EmbeddingBag(10, 3, max_norm=1.5, mode='max', padding_idx=0)"
    )
    torch.manual_seed(0)
    bag = nn.EmbeddingBag(200, 50, padding_idx=1)
    assert bag.weight.shape == (200, 50) and bag.weight.dtype == torch.float32
    assert bag.weight.requires_grad and bag.padding_idx == 1
    assert bag.weight[1].tolist() == [0.0] * 50
    # Drawn from N(0, 1).
    assert abs(bag.weight.mean().item()) < 0.05 and abs(bag.weight.std().item() - 1) < 0.05
    assert nn.EmbeddingBag(4, 2, dtype=torch.float64).weight.dtype == torch.float64
    assert [name for name, _ in bag.named_parameters()] == ["weight"]


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: nn.EmbeddingBag(4, 2, padding_idx=4), "padding_idx must be within num_embeddings"),
        (
            lambda: nn.EmbeddingBag(4, 2, padding_idx=-5),
            "padding_idx must be within num_embeddings",
        ),
        (
            lambda: nn.EmbeddingBag(4, 2, _weight=torch.zeros(3, 2)),
            "Shape of weight does not match num_embeddings and embedding_dim",
        ),
        (
            lambda: nn.EmbeddingBag.from_pretrained(torch.zeros(3)),
            "Embeddings parameter is expected to be 2-dimensional",
        ),
    ],
)
def test_module_assertions(make, message):
    with pytest.raises(AssertionError, match=re.escape(message)):
        make()


def test_from_pretrained_and_forward():
    pretrained = torch.tensor([[1, 2.3, 3], [4, 5.1, 6.3]])
    bag = nn.EmbeddingBag.from_pretrained(pretrained)
    assert repr(bag) == "EmbeddingBag(2, 3, mode='mean')" and not bag.weight.requires_grad
    np.testing.assert_allclose(bag(torch.tensor([[1, 0]])).numpy(), [[2.5, 3.7, 4.65]], rtol=1e-6)
    bag = nn.EmbeddingBag.from_pretrained(pretrained, freeze=False, mode="max")
    assert bag.weight.requires_grad
    out = bag(torch.tensor([1, 0, 1]), torch.tensor([0, 1]))
    np.testing.assert_allclose(out.detach().numpy(), [[4, 5.1, 6.3], [4, 5.1, 6.3]], rtol=1e-6)
    out.sum().backward()
    assert bag.weight.grad.tolist() == [[0.0, 0.0, 0.0], [2.0, 2.0, 2.0]]
    bag = nn.EmbeddingBag.from_pretrained(pretrained, mode="sum")
    out = bag(torch.tensor([1, 0, 1]), torch.tensor([0, 1]), torch.tensor([2.0, 0.5, -1.0]))
    np.testing.assert_allclose(out.numpy(), [[8, 10.2, 12.6], [-3.5, -3.95, -4.8]], rtol=1e-6)
