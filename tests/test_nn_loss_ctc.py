"""CTC loss: against a brute-force numpy reference that sums over every alignment, values and
gradients (through a log-softmax) recorded from PyTorch, float64 gradcheck, the target
layouts, and PyTorch's error messages."""

from __future__ import annotations

import itertools

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from ferrograd.autograd import gradcheck
from hypothesis import given, settings
from hypothesis import strategies as st


def collapse(path: tuple[int, ...], blank: int) -> list[int]:
    """An alignment's labelling: merge repeated labels, then drop blanks."""
    merged = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
    return [k for k in merged if k != blank]


def ctc_brute_force(log_probs: np.ndarray, target: list[int], blank: int) -> float:
    """-log of the total probability of every alignment (one class per frame) that collapses
    to the target: exponential in T, fine for the tiny cases here."""
    frames, classes = log_probs.shape
    total = 0.0
    for path in itertools.product(range(classes), repeat=frames):
        if collapse(path, blank) == target:
            total += np.exp(sum(log_probs[t, k] for t, k in enumerate(path)))
    return -np.log(total) if total > 0 else np.inf


def log_softmax_np(x):
    shifted = x - x.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


def log_softmax(x):
    return x - x.logsumexp(-1, keepdim=True)


@st.composite
def ctc_case(draw):
    """Log probabilities (T, N, C), padded targets, lengths and a blank, all small."""
    frames, batch, classes = (
        draw(st.integers(1, 4)),
        draw(st.integers(1, 2)),
        draw(st.integers(2, 3)),
    )
    blank = draw(st.integers(0, classes - 1))
    seed = draw(st.integers(0, 2**32 - 1))
    logits = np.random.default_rng(seed).normal(size=(frames, batch, classes))
    non_blank = [k for k in range(classes) if k != blank]
    input_lengths = [draw(st.integers(1, frames)) for _ in range(batch)]
    targets = [
        draw(st.lists(st.sampled_from(non_blank), min_size=0, max_size=3)) for _ in range(batch)
    ]
    return log_softmax_np(logits), targets, input_lengths, blank


def padded(targets: list[list[int]]) -> torch.Tensor:
    width = max(1, max(len(t) for t in targets))
    return torch.tensor([t + [0] * (width - len(t)) for t in targets], dtype=torch.int64)


@settings(max_examples=20)
@given(case=ctc_case(), concatenated=st.booleans())
def test_ctc_matches_brute_force(case, concatenated):
    log_probs, targets, input_lengths, blank = case
    expected = [
        ctc_brute_force(log_probs[:length, n], targets[n], blank)
        for n, length in enumerate(input_lengths)
    ]
    if concatenated:
        target_arg = torch.tensor([k for t in targets for k in t], dtype=torch.int64)
    else:
        target_arg = padded(targets)
    target_lengths = [len(t) for t in targets]
    lp = torch.tensor(log_probs)
    out = F.ctc_loss(lp, target_arg, input_lengths, target_lengths, blank=blank, reduction="none")
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10)
    # 'mean' divides each loss by its target length (at least 1) before the batch mean.
    finite = np.isfinite(expected).all()
    if finite:
        mean = F.ctc_loss(lp, target_arg, input_lengths, target_lengths, blank=blank)
        per_label = np.array(expected) / np.maximum(target_lengths, 1)
        assert mean.item() == pytest.approx(per_label.mean(), rel=1e-10)
        summed = F.ctc_loss(
            lp, target_arg, input_lengths, target_lengths, blank=blank, reduction="sum"
        )
        assert summed.item() == pytest.approx(sum(expected), rel=1e-10)


@settings(max_examples=10)
@given(case=ctc_case())
def test_ctc_gradcheck(case):
    log_probs, targets, input_lengths, blank = case
    expected = [
        ctc_brute_force(log_probs[:length, n], targets[n], blank)
        for n, length in enumerate(input_lengths)
    ]
    if not np.isfinite(expected).all():
        return  # an impossible target has an infinite loss and no gradient to check
    target_lengths = [len(t) for t in targets]

    def loss(lp):
        return F.ctc_loss(lp, padded(targets), input_lengths, target_lengths, blank=blank)

    assert gradcheck(loss, (torch.tensor(log_probs, requires_grad=True),))


LOGITS = [
    [[0.2, -0.5, 1.0], [0.3, 0.1, -0.2]],
    [[1.5, 0.0, -1.0], [-0.4, 0.8, 0.2]],
    [[0.1, 0.9, 0.3], [0.0, -0.3, 1.1]],
    [[-0.7, 0.4, 0.6], [0.5, 0.5, -0.5]],
]


def test_values_and_gradients_recorded_from_pytorch():
    logits = torch.tensor(LOGITS, dtype=torch.float64, requires_grad=True)
    targets, lengths = torch.tensor([[1, 2], [2, 2]]), torch.tensor([2, 2])
    frames = torch.tensor([4, 4])
    per_sample = F.ctc_loss(log_softmax(logits), targets, frames, lengths, reduction="none")
    assert per_sample.tolist() == pytest.approx([2.1688281196696213, 3.787196488013579])
    loss = F.ctc_loss(log_softmax(logits), targets, frames, lengths)
    loss.backward()
    assert loss.item() == pytest.approx(1.4890061519208002)
    # PyTorch's gradient with respect to the logits, through log_softmax.
    np.testing.assert_allclose(
        logits.grad.numpy(),
        [
            [
                [-0.09219238279349404, -0.057288101585919834, 0.14948048437941386],
                [0.0588939757020831, 0.0843961344496792, -0.1432901101517623],
            ],
            [
                [0.022407957089663477, -0.03452586356107413, 0.01211790647141065],
                [-0.1383093202205717, 0.13513470796291152, 0.003174612257660207],
            ],
            [
                [0.015477856599261777, -0.01859017634835376, 0.003112319749091981],
                [-0.03301048013208677, 0.0390316480776731, -0.006021167945586338],
            ],
            [
                [0.018002910742643055, 0.09787517528587442, -0.11587808602851747],
                [-0.01453491068036819, 0.10557969956287955, -0.09104478888251136],
            ],
        ],
        rtol=1e-9,
        atol=1e-12,
    )


def test_concatenated_targets_blank_and_short_inputs_recorded_from_pytorch():
    logits = torch.tensor(LOGITS, dtype=torch.float64, requires_grad=True)
    # Targets [1] and [2, 2] concatenated, with blank = 2: the second target's labels equal
    # the blank, a degenerate input PyTorch still computes; these are its numbers.
    loss = F.ctc_loss(
        log_softmax(logits), torch.tensor([1, 2, 2]), [4, 3], [1, 2], blank=2, reduction="sum"
    )
    loss.backward()
    assert loss.item() == pytest.approx(5.4404017904529125)
    np.testing.assert_allclose(
        logits.grad.numpy(),
        [
            [
                [0.26866364480777033, -0.018448825131530868, -0.2502148196762395],
                [0.41232668557957863, 0.33758453779871667, -0.7499112233782952],
            ],
            [
                [0.7661572065563423, -0.5961022721376195, -0.17005493441872288],
                [0.1628071674674987, 0.5405388318516458, -0.7033459993191445],
            ],
            [
                [0.22487354697147813, -0.26600850488669514, 0.041134957915217034],
                [0.21074885572741595, 0.15612659231069234, -0.3668754480381083],
            ],
            [[0.13031926265819402, 0.0026751920820965894, -0.1329944547402906], [0.0, 0.0, 0.0]],
        ],
        rtol=1e-9,
        atol=1e-12,
    )


def test_empty_targets_impossible_targets_and_zero_infinity():
    lp = log_softmax(torch.tensor(LOGITS, dtype=torch.float64))
    targets = torch.tensor([[1, 2], [2, 2]])
    empty = F.ctc_loss(lp, targets, [4, 4], [2, 0], reduction="none")
    assert empty.tolist() == pytest.approx([2.1688281196696213, 5.120211033537207])
    # No frames and an empty target: probability 1, loss 0 (PyTorch gives -0.0).
    assert F.ctc_loss(lp, targets, [4, 0], [2, 0], reduction="none")[1].item() == 0.0
    # One frame cannot hold the two labels of [2, 2] (they need a blank between them).
    impossible = F.ctc_loss(lp, targets, [4, 1], [2, 2], reduction="none")
    assert impossible.tolist() == [pytest.approx(2.1688281196696213), float("inf")]
    zeroed = F.ctc_loss(lp, targets, [4, 1], [2, 2], zero_infinity=True)
    assert zeroed.item() == pytest.approx(0.5422070299174053)
    leaf = lp.detach().requires_grad_(True)
    F.ctc_loss(leaf, targets, [4, 1], [2, 2], zero_infinity=True).backward()
    assert bool(leaf.grad.isfinite().all())
    assert leaf.grad[:, 1].abs().sum().item() == 0.0


def test_unbatched_and_length_types():
    lp = log_softmax(torch.tensor(LOGITS, dtype=torch.float64))
    batched = F.ctc_loss(lp, torch.tensor([[1, 2], [2, 2]]), [4, 4], [2, 2], reduction="none")
    unbatched = F.ctc_loss(
        lp[:, 0], torch.tensor([1, 2]), torch.tensor(4), torch.tensor(2), reduction="none"
    )
    assert unbatched.shape == () and unbatched.item() == pytest.approx(batched[0].item())
    int32 = F.ctc_loss(
        lp,
        torch.tensor([[1, 2], [2, 2]], dtype=torch.int32),
        torch.tensor([4, 4], dtype=torch.int32),
        (2, 2),
        reduction="none",
    )
    assert int32.tolist() == pytest.approx(batched.tolist())


def test_ctc_errors():
    lp = log_softmax(torch.randn(6, 2, 4))
    tg, il, tl = torch.tensor([[1, 2, 2], [3, 1, 0]]), torch.tensor([6, 5]), torch.tensor([3, 2])
    checking = r" \(while checking arguments for ctc_loss_allocate_outputs\)$"
    with pytest.raises(
        RuntimeError,
        match=r"^Expected 3-dimensional tensor, but got 5-dimensional tensor for argument #1 "
        r"'log_probs'" + checking,
    ):
        F.ctc_loss(lp.unsqueeze(0), tg, il, tl)
    with pytest.raises(
        RuntimeError,
        match=r"^Expected input_lengths to have value at most 6, but got value 7" + checking,
    ):
        F.ctc_loss(lp, tg, torch.tensor([7, 5]), tl)
    with pytest.raises(
        RuntimeError,
        match=r"^Expected target_lengths to have value at least 0, but got value -1" + checking,
    ):
        F.ctc_loss(lp, tg, il, torch.tensor([3, -1]))
    with pytest.raises(RuntimeError, match="^input_lengths must be of size batch_size$"):
        F.ctc_loss(lp, tg, torch.tensor([6, 5, 4]), tl)
    with pytest.raises(RuntimeError, match="^target_lengths must be of size batch_size$"):
        F.ctc_loss(lp, tg, il, torch.tensor([3]))
    with pytest.raises(
        RuntimeError,
        match=r"^Expected tensor to have size at least 4 at dimension 1, but got size 3 for "
        r"argument #2 'targets'" + checking,
    ):
        F.ctc_loss(lp, tg, il, torch.tensor([4, 2]))
    with pytest.raises(
        RuntimeError,
        match=r"^Expected tensor to have size 5 at dimension 0, but got size 4 for argument "
        r"#2 'targets'" + checking,
    ):
        F.ctc_loss(lp, torch.tensor([1, 2, 2, 3]), il, tl)
    for blank in (4, -1):
        with pytest.raises(RuntimeError, match="^blank must be in label range$"):
            F.ctc_loss(lp, tg, il, tl, blank=blank)
    with pytest.raises(ValueError, match="^x is not a valid value for reduction$"):
        F.ctc_loss(lp, tg, il, tl, reduction="x")
    with pytest.raises(RuntimeError, match="^input_lengths must be integral$"):
        F.ctc_loss(lp, tg, il.double(), tl)
    with pytest.raises(RuntimeError, match="^target_lengths must be integral$"):
        F.ctc_loss(lp, tg, il, tl.float())
    with pytest.raises(NotImplementedError, match="^\"ctc_loss_cpu\" not implemented for 'Long'$"):
        F.ctc_loss(lp.long(), tg, il, tl)
