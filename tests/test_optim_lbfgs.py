"""LBFGS on the Rosenbrock function (with and without the strong-Wolfe line search) against
iterates recorded from torch.optim.LBFGS, and on quadratics whose minimum is known."""

from __future__ import annotations

import ferrograd as torch
import numpy as np
import pytest
from ferrograd import optim


def rosenbrock_run(steps, dtype=torch.float64, **options):
    """Losses and points after each `step(closure)`, from (-1.5, 2); and the optimizer."""
    x = torch.tensor([-1.5, 2.0], dtype=dtype, requires_grad=True)
    lbfgs = optim.LBFGS([x], **options)

    def closure():
        lbfgs.zero_grad()
        # f(x, y) = (1 - x)^2 + 100 (y - x^2)^2, minimum 0 at (1, 1).
        loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
        loss.backward()
        return loss

    history = []
    for _ in range(steps):
        loss = lbfgs.step(closure)
        history.append((loss.item(), x.tolist()))
    return history, lbfgs.state[x]


# torch.optim.LBFGS(lr=1, max_iter=20, history_size=10), float64: (loss returned, point after).
TORCH_STRONG_WOLFE = [
    (12.5, [-0.08523120550524242, -0.02882464531631397]),
    (1.3079683882673427, [0.9997609786712734, 0.9995387882216061]),
    (8.526705732565528e-08, [0.9999834179208867, 0.9999669023996953]),
    (2.754046907500365e-10, [0.9999834179208867, 0.9999669023996953]),
]
TORCH_NO_LINE_SEARCH = [
    (12.5, [-0.7817427682517829, 0.6141036968671132]),
    (3.1754964895216133, [0.19397539945492967, 0.010145692335085086]),
]


def test_strong_wolfe_iterates_match_pytorch():
    history, state = rosenbrock_run(
        4, lr=1, max_iter=20, history_size=10, line_search_fn="strong_wolfe"
    )
    for (loss, point), (torch_loss, torch_point) in zip(history, TORCH_STRONG_WOLFE):
        assert loss == pytest.approx(torch_loss, rel=1e-7, abs=1e-12)
        np.testing.assert_allclose(point, torch_point, rtol=1e-8)
    # The same numbers of function evaluations and iterations as PyTorch's run.
    assert (state["func_evals"], state["n_iter"]) == (53, 41)


def test_fixed_step_iterates_match_pytorch():
    # Rosenbrock amplifies last-bit differences, so only the first two calls are compared.
    history, state = rosenbrock_run(2, lr=1, max_iter=20, history_size=10)
    for (loss, point), (torch_loss, torch_point) in zip(history, TORCH_NO_LINE_SEARCH):
        assert loss == pytest.approx(torch_loss, rel=1e-10)
        np.testing.assert_allclose(point, torch_point, rtol=1e-7)
    assert (state["func_evals"], state["n_iter"]) == (40, 40)


def test_small_history_converges_like_pytorch():
    history, state = rosenbrock_run(
        3,
        lr=0.5,
        max_iter=30,
        history_size=2,
        line_search_fn="strong_wolfe",
        tolerance_change=1e-12,
    )
    np.testing.assert_allclose(history[-1][1], [1.0000012385123722, 1.0000025536701125], rtol=1e-9)
    assert (state["func_evals"], state["n_iter"]) == (72, 62)
    assert len(state["old_dirs"]) == 2


def test_float32_strong_wolfe_reaches_the_minimum():
    history, _ = rosenbrock_run(
        4, dtype=torch.float32, lr=1, max_iter=20, line_search_fn="strong_wolfe"
    )
    np.testing.assert_allclose(history[-1][1], [1.0, 1.0], atol=1e-3)


def test_maximize_finds_the_maximum_of_a_concave_quadratic():
    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    lbfgs = optim.LBFGS([x], line_search_fn="strong_wolfe", maximize=True)
    target = torch.tensor([3.0, -1.0], dtype=torch.float64)
    weights = torch.tensor([1.0, 10.0], dtype=torch.float64)

    def closure():
        lbfgs.zero_grad()
        loss = -(((x - target) ** 2) * weights).sum()
        loss.backward()
        return loss

    lbfgs.step(closure)
    # PyTorch stops at the same point, after 6 evaluations.
    np.testing.assert_allclose(x.tolist(), [3.0000002652351068, -1.0000019253972643], rtol=1e-12)
    assert lbfgs.state[x]["func_evals"] == 6


def test_least_squares_is_solved_exactly():
    # For a quadratic, L-BFGS with exact curvature pairs reaches the solution of A x = b.
    a = torch.tensor([[3.0, 1.0], [1.0, 2.0]], dtype=torch.float64)
    b = torch.tensor([9.0, 8.0], dtype=torch.float64)
    x = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    lbfgs = optim.LBFGS(
        [x], line_search_fn="strong_wolfe", tolerance_grad=1e-12, tolerance_change=1e-16
    )

    def closure():
        lbfgs.zero_grad()
        loss = 0.5 * (x @ (a @ x)) - b @ x
        loss.backward()
        return loss

    lbfgs.step(closure)
    np.testing.assert_allclose(x.tolist(), [2.0, 3.0], rtol=1e-8)  # 3*2+3 = 9, 2+2*3 = 8


def test_unknown_line_search_is_refused():
    x = torch.tensor([1.0], requires_grad=True)
    lbfgs = optim.LBFGS([x], line_search_fn="armijo")

    def closure():
        lbfgs.zero_grad()
        loss = (x * x).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="^only 'strong_wolfe' is supported$"):
        lbfgs.step(closure)
