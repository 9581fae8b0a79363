"""nn.utils: clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters."""

from __future__ import annotations

import math

import ferrograd as torch
import numpy as np
import pytest
from ferrograd import nn
from ferrograd.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    parameters_to_vector,
    vector_to_parameters,
)
from hypothesis import given, settings
from hypothesis import strategies as st


def params_with_grads(grads: list[list[float]]) -> list:
    params = []
    for grad in grads:
        p = nn.Parameter(torch.zeros(len(grad)))
        p.grad = torch.tensor(grad)
        params.append(p)
    return params


def test_clip_grad_norm_hand_checked():
    # One gradient [3, 4]: norm 5, scaled by 1 / (5 + 1e-6).
    (p,) = params_with_grads([[3.0, 4.0, 0.0]])
    total = clip_grad_norm_(p, 1.0)
    assert total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8, 0.0], rtol=1e-5)
    # Within the limit: unchanged (the coefficient is clamped to 1).
    (q,) = params_with_grads([[0.3, 0.4]])
    assert clip_grad_norm_([q], 1.0).item() == pytest.approx(0.5)
    np.testing.assert_allclose(q.grad.numpy(), [0.3, 0.4])
    # The infinity norm is the largest absolute value.
    (r,) = params_with_grads([[3.0, -4.0]])
    assert clip_grad_norm_([r], 1.0, norm_type="inf").item() == 4.0
    np.testing.assert_allclose(r.grad.numpy(), [0.75, -1.0], rtol=1e-5)
    # No gradients at all: a zero norm.
    assert clip_grad_norm_([nn.Parameter(torch.ones(2))], 1.0).item() == 0.0


@settings(max_examples=15)
@given(
    grads=st.lists(
        st.lists(st.floats(-10, 10, width=32), min_size=1, max_size=5), min_size=1, max_size=4
    ),
    max_norm=st.floats(0.1, 20),
    norm_type=st.sampled_from([1.0, 2.0, 3.0, math.inf]),
)
def test_clip_grad_norm_matches_numpy(grads, max_norm, norm_type):
    params = params_with_grads(grads)
    flat = np.concatenate([np.array(g, dtype=np.float64) for g in grads])
    expected_norm = np.linalg.norm(flat, ord=norm_type)
    total = clip_grad_norm_(params, max_norm, norm_type=norm_type)
    assert total.item() == pytest.approx(expected_norm, rel=1e-4, abs=1e-5)
    scale = min(1.0, max_norm / (expected_norm + 1e-6))
    for p, g in zip(params, grads):
        np.testing.assert_allclose(p.grad.numpy(), np.array(g) * scale, rtol=1e-4, atol=1e-5)


def test_clip_grad_norm_nonfinite():
    params = params_with_grads([[math.inf, 1.0, 1.0]])
    with pytest.raises(RuntimeError) as info:
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    assert str(info.value) == (
        "The total norm of order 2.0 for gradients from `parameters` is non-finite, so it cannot "
        "be clipped. To disable this error and scale the gradients by the non-finite norm "
        "anyway, set `error_if_nonfinite=False`"
    )
    # Without the flag, PyTorch scales by 1 / inf anyway: [nan, 0, 0].
    total = clip_grad_norm_(params, 1.0)
    assert math.isinf(total.item())
    grad = params[0].grad.numpy()
    assert math.isnan(grad[0]) and grad[1] == 0.0 and grad[2] == 0.0


def test_clip_grad_norm_on_a_model_and_through_nn_utils():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 1))
    (model(torch.randn(8, 3)) * 100).sum().backward()
    total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
    assert total.item() > 0.5
    after = np.sqrt(sum((p.grad.numpy() ** 2).sum() for p in model.parameters()))
    assert after == pytest.approx(0.5, rel=1e-4)


def test_clip_grad_value():
    params = params_with_grads([[-3.0, 0.5, 2.0], [0.1]])
    assert clip_grad_value_(params, 1.0) is None
    assert params[0].grad.tolist() == [-1.0, 0.5, 1.0]
    assert params[1].grad.tolist() == pytest.approx([0.1])
    single = params_with_grads([[5.0]])[0]
    nn.utils.clip_grad_value_(single, 2)
    assert single.grad.tolist() == [2.0]


def test_parameters_to_vector_and_back():
    lin = nn.Linear(2, 3)
    vec = parameters_to_vector(lin.parameters())
    expected = np.concatenate(
        [lin.weight.detach().numpy().ravel(), lin.bias.detach().numpy().ravel()]
    )
    np.testing.assert_array_equal(vec.detach().numpy(), expected)
    assert vec.shape == (9,)
    weight = lin.weight
    vector_to_parameters(torch.arange(9.0), lin.parameters())
    assert lin.weight is weight and isinstance(weight, nn.Parameter)
    assert lin.weight.tolist() == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    assert lin.bias.tolist() == [6.0, 7.0, 8.0]
    with pytest.raises(TypeError) as info:
        vector_to_parameters([1], lin.parameters())
    assert str(info.value) == "expected torch.Tensor, but got: list"
