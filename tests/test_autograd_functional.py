"""``ferrograd.autograd.functional``: jacobian, hessian, vjp, jvp, vhp, hvp against
hand-derived derivatives, PyTorch's docstring examples (values from the reference PyTorch,
written as literals), ``create_graph``, the ``strict`` rules, ``v`` validation, the errors for
non-Tensor inputs and outputs and for ``"forward-mode"``, and properties: the Jacobian agrees
with central finite differences, ``vjp`` with ``v @ J`` and ``jvp`` with ``J @ v``.
"""

from __future__ import annotations

import importlib
import inspect

import ferrograd as torch
import numpy as np
import pytest
from ferrograd.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


def close(actual, expected, atol: float = 1e-5) -> None:
    """``actual`` (a Tensor or nested tuples of them) equals ``expected`` (nested lists/tuples
    of numbers) in structure, shape and value."""
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple) and len(actual) == len(expected)
        for a, e in zip(actual, expected):
            close(a, e, atol)
        return
    assert isinstance(actual, torch.Tensor)
    expected = np.asarray(expected, dtype=np.float64)
    assert tuple(actual.shape) == expected.shape
    np.testing.assert_allclose(actual.detach().double().numpy(), expected, atol=atol, rtol=1e-5)


def t(values, **kw) -> torch.Tensor:
    return torch.tensor(values, **kw)


X22 = [[0.4, 0.9], [0.2, 0.7]]
A = [0.3, 0.8]
B = [0.6, 0.1]


# ---------------------------------------------------------------- module and signatures


def test_module_is_importable_and_an_attribute():
    module = importlib.import_module("ferrograd.autograd.functional")
    assert torch.autograd.functional is module
    assert sorted(module.__all__) == ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


@pytest.mark.parametrize(
    "fn, params",
    [
        (vjp, "func inputs v=None create_graph=False strict=False"),
        (jvp, "func inputs v=None create_graph=False strict=False"),
        (vhp, "func inputs v=None create_graph=False strict=False"),
        (hvp, "func inputs v=None create_graph=False strict=False"),
        (
            jacobian,
            "func inputs create_graph=False strict=False vectorize=False strategy='reverse-mode'",
        ),
        (
            hessian,
            (
                "func inputs create_graph=False strict=False vectorize=False "
                "outer_jacobian_strategy='reverse-mode'"
            ),
        ),
    ],
)
def test_signatures_match_pytorch(fn, params):
    got = [
        p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
        for p in inspect.signature(fn).parameters.values()
    ]
    assert got == params.split()


# ---------------------------------------------------------------- jacobian


def test_jacobian_of_exp_is_diag_exp():
    # d exp(x)_i / d x_j = exp(x_i) [i == j]
    x = t(A)
    close(jacobian(torch.exp, x), np.diag(np.exp(A)))


def test_jacobian_of_row_sums_of_exp():
    # y_i = sum_k exp(x_ik): dy_i / dx_jk = exp(x_jk) [i == j]; shape y.shape + x.shape
    x = t(X22)
    e = np.exp(X22)
    close(jacobian(lambda x: x.exp().sum(dim=1), x), [[e[0], [0, 0]], [[0, 0], e[1]]])


def test_jacobian_of_matmul_is_the_matrix():
    # y = W x: J = W
    w = t([[1.0, 2.0, 3.0], [-1.0, 0.5, 4.0]])
    close(jacobian(lambda x: w @ x, t([0.1, 0.2, 0.3])), w.numpy())


def test_jacobian_scalar_input_and_output():
    # d(x^2)/dx = 2x, a 0-d tensor
    close(jacobian(lambda x: x * x, t(3.0)), 6.0)


def test_jacobian_tuple_inputs():
    # f(x, y) = 2 exp(x) + 3 y: J_x = diag(2 exp(x)), J_y = 3 I
    j = jacobian(lambda x, y: 2 * x.exp() + 3 * y, (t(A), t(B)))
    close(j, (np.diag(2 * np.exp(A)), 3 * np.eye(2)))


def test_jacobian_tuple_outputs():
    # (exp(x), sum(x)): diag(exp(x)) and a row of ones
    j = jacobian(lambda x: (x.exp(), x.sum()), t(A))
    close(j, (np.diag(np.exp(A)), [1.0, 1.0]))


def test_jacobian_tuple_inputs_and_outputs():
    # (x * y, sum(x)): J[0] = (diag(y), diag(x)), J[1] = (ones, zeros) (sum ignores y)
    j = jacobian(lambda x, y: (x * y, x.sum()), (t(A), t(B)))
    close(j, ((np.diag(B), np.diag(A)), ([1.0, 1.0], [0.0, 0.0])))


def test_jacobian_one_element_tuples_stay_tuples():
    j = jacobian(lambda x: (2 * x,), (t(A),))
    assert isinstance(j, tuple) and isinstance(j[0], tuple)
    close(j, ((2 * np.eye(2),),))


def test_jacobian_of_unused_input_and_constant_output_is_zero():
    close(jacobian(lambda x, y: (x**2).sum(), (t(A), t(B))), (2 * np.array(A), [0.0, 0.0]))
    close(jacobian(lambda x: torch.ones(3), t(A)), np.zeros((3, 2)))


def test_jacobian_vectorize_gives_the_same_result():
    def linear_model(x):
        w = t([[2.0, -1.0], [0.0, 1.0]])
        return x @ w.T + t([1.0, 0.5])

    x = t([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]], requires_grad=True)
    j = jacobian(linear_model, x, vectorize=True)
    assert j.shape == torch.Size([4, 2, 4, 2])
    close(j[0, :, 0, :], [[2.0, -1.0], [0.0, 1.0]])
    close(j[1, :, 0, :], np.zeros((2, 2)))
    close(j, jacobian(linear_model, x).numpy())


def test_jacobian_of_captured_input_differentiates_only_the_argument():
    # f(t) = t * x with x captured: the copy of x passed as t is a different tensor, so
    # J = diag(x) (not 2 diag(x)).
    x = t([0.5, 1.5], requires_grad=True)
    close(jacobian(lambda u: u * x, x), np.diag([0.5, 1.5]))


# ---------------------------------------------------------------- hessian


def test_hessian_of_sum_of_cubes_is_diag_6x():
    # f = sum x^3: d2f / dx_i dx_j = 6 x_i [i == j]
    x = t(A)
    close(hessian(lambda x: (x**3).sum(), x), np.diag(6 * np.array(A)))


def test_hessian_of_quadratic_form():
    # f = x^T M x: H = M + M^T
    m = np.array([[1.0, 2.0], [0.5, -3.0]])
    mt = t(m.tolist())
    close(hessian(lambda x: x @ (mt @ x), t(A)), m + m.T)


def test_hessian_tuple_inputs_mixed_terms():
    # f = sum x * y^2: H_xx = 0, H_xy = H_yx = diag(2y), H_yy = diag(2x)
    h = hessian(lambda x, y: (x * y * y).sum(), (t(A), t(B)))
    d2y, d2x = np.diag(2 * np.array(B)), np.diag(2 * np.array(A))
    close(h, ((np.zeros((2, 2)), d2y), (d2y, d2x)))


def test_hessian_one_element_tuple_and_linear_function():
    h = hessian(lambda x: (x**3).sum(), (t(A),))
    assert isinstance(h, tuple) and isinstance(h[0], tuple)
    close(h, ((np.diag(6 * np.array(A)),),))
    close(hessian(lambda x: (2 * x).sum(), t(A)), np.zeros((2, 2)))


def test_hessian_rejects_non_scalar_functions():
    with pytest.raises(RuntimeError, match=r"^The Tensor returned by the function given to "):
        hessian(lambda x: x**2, t(A))
    with pytest.raises(
        RuntimeError, match=r"^The function given to hessian should return a single Tensor$"
    ):
        hessian(lambda x: ((x**2).sum(),), t(A))


# ---------------------------------------------------------------- vjp / jvp


def test_vjp_is_v_times_jacobian():
    # f = W x: v^T J = v^T W
    w = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 4.0]])
    out, r = vjp(lambda x: t(w.tolist()) @ x, t([0.1, 0.2, 0.3]), t([2.0, -1.0]))
    close(out, w @ [0.1, 0.2, 0.3])
    close(r, np.array([2.0, -1.0]) @ w)


def test_vjp_without_v_for_a_scalar_output():
    # f = sum x^3: v = 1, the gradient 3 x^2
    out, r = vjp(lambda x: (x**3).sum(), t(X22))
    close(out, (np.array(X22) ** 3).sum())
    close(r, 3 * np.array(X22) ** 2)


def test_vjp_tuple_outputs_and_unused_input():
    # (2x, exp(x)) against (1, b): 2 + b exp(x); f ignores y, whose vjp is zeros
    _out, r = vjp(lambda x: (x * 2, x.exp()), t(A), (torch.ones(2), t(B)))
    close(r, 2 + np.array(B) * np.exp(A))
    _, r = vjp(lambda x, y: (x**2).sum(), (t(A), t(B)))
    close(r, (2 * np.array(A), [0.0, 0.0]))


def test_jvp_is_jacobian_times_v():
    # f = W x: J v = W v
    w = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 4.0]])
    _, r = jvp(lambda x: t(w.tolist()) @ x, t([0.1, 0.2, 0.3]), t([1.0, -1.0, 2.0]))
    close(r, w @ [1.0, -1.0, 2.0])


def test_jvp_tuple_outputs_and_single_element_input_without_v():
    # (2x, sum(x)) along v: (2v, sum(v))
    out, r = jvp(lambda x: (x * 2, x.sum()), t(A), t(B))
    close(out, (2 * np.array(A), sum(A)))
    close(r, (2 * np.array(B), sum(B)))
    out, r = jvp(lambda x: x * 3, t([2.0]))
    close(r, [3.0])


def test_jvp_of_constant_output_is_zero():
    _, r = jvp(lambda x: (x * 2, torch.ones(3)), t(A), t(B))
    close(r, (2 * np.array(B), np.zeros(3)))


# ---------------------------------------------------------------- vhp / hvp


@pytest.mark.parametrize("fn", [vhp, hvp])
def test_vhp_hvp_of_quadratic_form(fn):
    # f = x^T M x: H = M + M^T; v^T H = H^T v = H v (H is symmetric)
    m = np.array([[1.0, 2.0], [0.5, -3.0]])
    mt = t(m.tolist())
    x, v = np.array(A), np.array([1.0, -2.0])
    out, r = fn(lambda x: x @ (mt @ x), t(A), t(v.tolist()))
    close(out, x @ m @ x)
    close(r, (m + m.T) @ v)


@pytest.mark.parametrize("fn", [vhp, hvp])
def test_vhp_hvp_tuple_inputs(fn):
    # f = sum x y^2 (see the hessian test): H (vx, vy) = (2y vy, 2y vx + 2x vy)
    x, y, vx, vy = map(np.array, (A, B, [1.0, 2.0], [-1.0, 0.5]))
    out, r = fn(lambda x, y: (x * y * y).sum(), (t(x), t(y)), (t(vx), t(vy)))
    close(out, (x * y * y).sum())
    close(r, (2 * y * vy, 2 * y * vx + 2 * x * vy))


@pytest.mark.parametrize("fn", [vhp, hvp])
def test_vhp_hvp_without_v_and_of_linear_function(fn):
    # f = x^3 at x = 2: H = 6x = 12; f linear: H = 0
    _, r = fn(lambda x: (x**3).sum(), t([2.0]))
    close(r, [12.0])
    _, r = fn(lambda x: (2 * x).sum(), t(A), t(B))
    close(r, [0.0, 0.0])


@pytest.mark.parametrize("fn", [vhp, hvp])
def test_vhp_hvp_reject_non_scalar_functions(fn):
    name = fn.__name__
    with pytest.raises(RuntimeError, match=f"^The Tensor returned by the function given to {name}"):
        fn(lambda x: x**2, t(A), t(B))
    with pytest.raises(RuntimeError, match=f"^The function given to {name} should return a single"):
        fn(lambda x: ((x**2).sum(),), t(A), t(B))


# ---------------------------------------------------------------- PyTorch's docstring examples


def exp_reducer(x):
    return x.exp().sum(dim=1)


def pow_reducer(x):
    return x.pow(3).sum()


def pow_adder_reducer(x, y):
    return (2 * x.pow(2) + 3 * y.pow(2)).sum()


def adder(x, y):
    return 2 * x + 3 * y


X44 = [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8], [0.9, 1.0, 1.1, 1.2], [-0.3, -0.2, -0.1, 0.0]]
EXP_REDUCED = [5.168257, 7.710134, 11.502168, 3.464386]


def test_docstring_vjp():
    out, r = vjp(exp_reducer, t(X44), torch.ones(4))
    close(out, EXP_REDUCED)
    close(
        r,
        [
            [1.105171, 1.221403, 1.349859, 1.491825],
            [1.648721, 1.822119, 2.013753, 2.225541],
            [2.459603, 2.718282, 3.004166, 3.320117],
            [0.740818, 0.818731, 0.904837, 1.000000],
        ],
    )
    out, r = vjp(exp_reducer, t(X44), torch.ones(4), create_graph=True)
    assert out.grad_fn is not None and r.grad_fn is not None
    close(vjp(adder, (t(A), t(B)), torch.ones(2)), ([2.4, 1.9], ([2.0, 2.0], [3.0, 3.0])))


def test_docstring_jvp():
    close(jvp(exp_reducer, t(X44), torch.ones(4, 4)), (EXP_REDUCED, EXP_REDUCED))
    out, r = jvp(exp_reducer, t(X44), torch.ones(4, 4), create_graph=True)
    assert out.grad_fn is not None and r.grad_fn is not None
    v = (torch.ones(2), torch.ones(2))
    close(jvp(adder, (t(A), t(B)), v), ([2.4, 1.9], [5.0, 5.0]))


def test_docstring_jacobian():
    expected = [[[1.491825, 2.459603], [0.0, 0.0]], [[0.0, 0.0], [1.221403, 2.013753]]]
    close(jacobian(exp_reducer, t(X22)), expected)
    j = jacobian(exp_reducer, t(X22), create_graph=True)
    assert j.grad_fn is not None
    close(j, expected)
    j = jacobian(lambda x, y: 2 * x.exp() + 3 * y, (t(A), t(B)))
    close(j, ([[2.699718, 0.0], [0.0, 4.451082]], [[3.0, 0.0], [0.0, 3.0]]))


def test_docstring_hessian():
    expected = [
        [[[2.4, 0.0], [0.0, 0.0]], [[0.0, 5.4], [0.0, 0.0]]],
        [[[0.0, 0.0], [1.2, 0.0]], [[0.0, 0.0], [0.0, 4.2]]],
    ]
    close(hessian(pow_reducer, t(X22)), expected)
    h = hessian(pow_reducer, t(X22), create_graph=True)
    assert h.grad_fn is not None
    close(h, expected)
    zero = np.zeros((2, 2))
    close(
        hessian(pow_adder_reducer, (t(A), t(B))),
        ((4 * np.eye(2), zero), (zero, 6 * np.eye(2))),
    )


@pytest.mark.parametrize("fn", [vhp, hvp])
def test_docstring_vhp_hvp(fn):
    close(fn(pow_reducer, t(X22), torch.ones(2, 2)), (1.144, [[2.4, 5.4], [1.2, 4.2]]))
    out, r = fn(pow_reducer, t(X22), torch.ones(2, 2), create_graph=True)
    assert out.grad_fn is not None and r.grad_fn is not None
    v = (torch.zeros(2), torch.ones(2))
    close(fn(pow_adder_reducer, (t(A), t(B)), v), (2.57, ([0.0, 0.0], [6.0, 6.0])))


# ---------------------------------------------------------------- create_graph and grad mode


def cube(x):
    return x**3


def quartic(x):
    return (x**4).sum()


@pytest.mark.parametrize(
    "name, call, first, second",
    [
        # J = diag(3x^2); d(sum J)/dx = 6x
        (
            "jacobian",
            lambda x: jacobian(cube, x, create_graph=True),
            [[0.75, 0.0], [0.0, 6.75]],
            [3.0, 9.0],
        ),
        # H = diag(6x); d(sum H)/dx = 6
        (
            "hessian",
            lambda x: hessian(lambda u: (u**3).sum(), x, create_graph=True),
            [[3.0, 0.0], [0.0, 9.0]],
            [6.0, 6.0],
        ),
        # v^T J = J v = 3x^2 (v = 1); derivative 6x
        ("vjp", lambda x: vjp(cube, x, torch.ones(2), create_graph=True)[1], None, [3.0, 9.0]),
        ("jvp", lambda x: jvp(cube, x, torch.ones(2), create_graph=True)[1], None, [3.0, 9.0]),
        # H v = 12 x^2 (v = 1); derivative 24 x
        ("vhp", lambda x: vhp(quartic, x, torch.ones(2), create_graph=True)[1], None, [12, 36]),
        ("hvp", lambda x: hvp(quartic, x, torch.ones(2), create_graph=True)[1], None, [12, 36]),
    ],
)
def test_create_graph_result_is_differentiable_again(name, call, first, second):
    x = t([0.5, 1.5], requires_grad=True)
    result = call(x)
    assert result.requires_grad
    if first is not None:
        close(result, first)
    (g,) = torch.autograd.grad(result.sum(), x)
    close(g, second)
    assert x.grad is None


def test_without_create_graph_results_have_no_graph_and_inputs_are_untouched():
    x = t([0.5, 1.5], requires_grad=True)
    assert not jacobian(cube, x).requires_grad
    out, r = vjp(cube, x, x)
    assert not out.requires_grad and not r.requires_grad
    for fn in (vhp, hvp):
        out, r = fn(quartic, x, x)
        assert not out.requires_grad and not r.requires_grad
    assert x.grad is None and x.is_leaf and x.requires_grad
    y = t([0.5, 1.5])
    jacobian(cube, y)
    assert not y.requires_grad


def test_under_no_grad():
    x = t([0.5, 1.5], requires_grad=True)
    with torch.no_grad():
        _, r = vjp(cube, x, torch.ones(2))
        assert not r.requires_grad
        close(jacobian(cube, x), np.diag([0.75, 6.75]))
        _, r = vjp(cube, x, torch.ones(2), create_graph=True)
        assert r.requires_grad
        assert not torch.is_grad_enabled()


# ---------------------------------------------------------------- strict


def unused_y(x, y):
    return (x**2).sum()


def constant(x):
    return torch.ones(2)


def linear(x):
    return (2 * x).sum()


NO_GRAD_OUTPUT = (
    r"^Output 0 of the user-provided function does not require gradients\. The outputs must "
    r"be computed in a differentiable manner from the input when running in strict mode\.$"
)
INDEPENDENT_1 = (
    r"^The output of the user-provided function is independent of input 1\. This is not "
    r"allowed in strict mode\.$"
)
LINEAR_JACOBIAN = (
    r"^While computing the hessian, found that the jacobian of the user-provided function "
    r"with respect to input 0 is independent of the input\. This is not allowed in strict mode"
)
STRICT_CG = (
    r"^The jacobian of the user-provided function is independent of input 0\. This is not "
    r"allowed in strict mode when create_graph=True\.$"
)
AB = (t(A), t(B))


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: jacobian(unused_y, AB, strict=True),
            (
                "^Output 0 of the user-provided function "
                "is independent of input 1. This is not allowed in strict mode.$"
            ),
        ),
        (lambda: jacobian(constant, t(A), strict=True), NO_GRAD_OUTPUT),
        (lambda: jacobian(lambda x: 2 * x, t(A), strict=True, create_graph=True), STRICT_CG),
        (lambda: vjp(unused_y, AB, strict=True), INDEPENDENT_1),
        (lambda: vjp(constant, t(A), t(B), strict=True), NO_GRAD_OUTPUT),
        (lambda: vjp(lambda x: 2 * x, t(A), t(B), strict=True, create_graph=True), STRICT_CG),
        (lambda: jvp(unused_y, AB, AB, strict=True), INDEPENDENT_1),
        (lambda: jvp(constant, t(A), t(B), strict=True), NO_GRAD_OUTPUT),
        (lambda: jvp(lambda x: 2 * x, t(A), t(B), strict=True, create_graph=True), STRICT_CG),
        (lambda: hessian(linear, t(A), strict=True), LINEAR_JACOBIAN),
        (lambda: hessian(lambda x: torch.ones(()), t(A), strict=True), NO_GRAD_OUTPUT),
        (lambda: hessian(unused_y, AB, strict=True), LINEAR_JACOBIAN.replace("input 0", "input 1")),
        (lambda: vhp(linear, t(A), t(B), strict=True), LINEAR_JACOBIAN),
        (lambda: vhp(unused_y, AB, AB, strict=True), INDEPENDENT_1),
        (lambda: hvp(linear, t(A), t(B), strict=True), LINEAR_JACOBIAN),
        (lambda: hvp(unused_y, AB, AB, strict=True), INDEPENDENT_1),
    ],
)
def test_strict_errors(call, message):
    with pytest.raises(RuntimeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_strict_accepts_what_is_fine():
    # a linear map is fine for jvp (J v does not need J to depend on x) without create_graph;
    # a quadratic is fine for hessian / hvp / vhp even with create_graph.
    close(jvp(lambda x: 2 * x, t(A), t(B), strict=True)[1], 2 * np.array(B))
    close(hessian(lambda x: (x**2).sum(), t(A), strict=True), 2 * np.eye(2))
    for fn in (vhp, hvp):
        _, r = fn(lambda x: (x**2).sum(), t(A), t(B), strict=True, create_graph=True)
        assert r.requires_grad
        close(r, 2 * np.array(B))


# ---------------------------------------------------------------- v validation


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: vjp(exp_reducer, t(X22)),
            (
                "The vector v can only be None if the user-provided "
                "function returns a single Tensor with a single element."
            ),
        ),
        (
            lambda: vjp(exp_reducer, t(X22), torch.ones(3)),
            "v has invalid size: should be ferrograd.Size([2]) but got ferrograd.Size([3]).",
        ),
        (
            lambda: vjp(exp_reducer, t(X22), (torch.ones(2), torch.ones(2))),
            "The given v should contain a single Tensor.",
        ),
        (
            lambda: vjp(lambda x: (x, x), t(A), (torch.ones(2),)),
            "v is a tuple of invalid length: should be 2 but got 1.",
        ),
        (
            lambda: vjp(lambda x: (x, x), t(A), (torch.ones(2), torch.ones(3))),
            (
                "Entry 1 in v has "
                "invalid size: should be ferrograd.Size([2]) but got ferrograd.Size([3])."
            ),
        ),
        (
            lambda: jvp(exp_reducer, t(X22)),
            (
                "The vector v can only be None if the input to the "
                "user-provided function is a single Tensor with a single element."
            ),
        ),
        (
            lambda: jvp(adder, AB, torch.ones(2)),
            "v is a tuple of invalid length: should be 2 but got 1.",
        ),
        (
            lambda: jvp(exp_reducer, t(X22), torch.ones(2)),
            "v has invalid size: should be ferrograd.Size([2, 2]) but got ferrograd.Size([2]).",
        ),
        (
            lambda: vhp(pow_reducer, t(X22)),
            (
                "The vector v can only be None if the input to the "
                "user-provided function is a single Tensor with a single element."
            ),
        ),
        (
            lambda: vhp(pow_reducer, t(X22), torch.ones(3)),
            "v has invalid size: should be ferrograd.Size([2, 2]) but got ferrograd.Size([3]).",
        ),
        (
            lambda: hvp(pow_adder_reducer, AB, (t(A),)),
            "v is a tuple of invalid length: should be 2 but got 1.",
        ),
        (
            lambda: hvp(pow_adder_reducer, AB, (t(A), torch.ones(3))),
            (
                "Entry 1 in v has invalid "
                "size: should be ferrograd.Size([2]) but got ferrograd.Size([3])."
            ),
        ),
    ],
)
def test_v_validation(call, message):
    with pytest.raises(RuntimeError) as info:
        call()
    assert str(info.value) == message


# ---------------------------------------------------------------- TypeErrors


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: jacobian(cube, [t(A)]),
            (
                "The inputs given to jacobian must be either a Tensor "
                "or a tuple of Tensors but the given inputs has type <class 'list'>."
            ),
        ),
        (
            lambda: hessian(pow_reducer, 3),
            (
                "The inputs given to hessian must be either a Tensor "
                "or a tuple of Tensors but the given inputs has type <class 'int'>."
            ),
        ),
        (
            lambda: hvp(pow_adder_reducer, (t(A), 1), AB),
            (
                "The inputs given to hvp must be either "
                "a Tensor or a tuple of Tensors but the value at index 1 has type <class 'int'>."
            ),
        ),
        (
            lambda: jacobian(lambda x: 3, t(A)),
            (
                "The outputs of the user-provided function given "
                "to jacobian must be either a Tensor or a tuple of Tensors but the given outputs of "
                "the user-provided function has type <class 'int'>."
            ),
        ),
        (
            lambda: jvp(lambda x: (x, 3), t(A), t(B)),
            (
                "The outputs of the user-provided function "
                "given to jvp must be either a Tensor or a tuple of Tensors but the value at index 1 "
                "has type <class 'int'>."
            ),
        ),
        (
            lambda: vhp(lambda x: [x.sum()], t(A), t(B)),
            (
                "The outputs of the user-provided "
                "function given to vhp must be either a Tensor or a tuple of Tensors but the given "
                "outputs of the user-provided function has type <class 'list'>."
            ),
        ),
        (
            lambda: vjp(exp_reducer, t(X22), 3),
            (
                "The v given to vjp must be either a Tensor or a "
                "tuple of Tensors but the given v has type <class 'int'>."
            ),
        ),
        (
            lambda: jvp(adder, AB, (t(A), 2.0)),
            (
                "The v given to jvp must be either a Tensor or a "
                "tuple of Tensors but the value at index 1 has type <class 'float'>."
            ),
        ),
    ],
)
def test_type_errors(call, message):
    with pytest.raises(TypeError) as info:
        call()
    assert str(info.value) == message


# ---------------------------------------------------------------- strategy


def test_unknown_strategy_is_an_assertion_error():
    with pytest.raises(AssertionError, match='^Expected strategy to be either "forward-mode"'):
        jacobian(exp_reducer, t(X22), strategy="sideways")
    with pytest.raises(AssertionError, match='^Expected strategy to be either "forward-mode"'):
        hessian(pow_reducer, t(X22), outer_jacobian_strategy="sideways")


@pytest.mark.parametrize("vectorize", [False, True])
def test_forward_mode_is_not_available(vectorize):
    with pytest.raises(NotImplementedError, match="forward-mode AD is not available"):
        jacobian(exp_reducer, t(X22), vectorize=vectorize, strategy="forward-mode")
    with pytest.raises(NotImplementedError, match="forward-mode AD is not available"):
        hessian(pow_reducer, t(X22), vectorize=vectorize, outer_jacobian_strategy="forward-mode")


def test_forward_mode_combinations_pytorch_refuses_too():
    with pytest.raises(NotImplementedError, match="`create_graph=True` and `strategy="):
        jacobian(exp_reducer, t(X22), create_graph=True, strategy="forward-mode")
    with pytest.raises(RuntimeError, match="`strict=True` and `strategy="):
        jacobian(exp_reducer, t(X22), strict=True, strategy="forward-mode")
    with pytest.raises(RuntimeError, match="`strict=True` and `vectorized=True` are not"):
        jacobian(exp_reducer, t(X22), strict=True, vectorize=True)
    with pytest.raises(RuntimeError, match="`strict=True` and `vectorized=True` are not"):
        hessian(pow_reducer, t(X22), strict=True, vectorize=True)


# ---------------------------------------------------------------- properties

VALUES = st.floats(-1.0, 1.0, allow_nan=False, width=64)


def vectors(n: int):
    return hnp.arrays(np.float64, (n,), elements=VALUES)


@st.composite
def problems(draw):
    """A point (x, y), a fixed matrix W and vectors shaped like the inputs and outputs of
    f(x, y) = (W exp(x) * sin(y).sum(), x * y.sum() + x**2)."""
    n, m, k = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    w = draw(hnp.arrays(np.float64, (k, n), elements=VALUES))
    return {
        "inputs": (draw(vectors(n)), draw(vectors(m))),
        "w": w,
        "v_in": (draw(vectors(n)), draw(vectors(m))),
        "v_out": (draw(vectors(k)), draw(vectors(n))),
    }


def as_function(w: np.ndarray):
    wt = torch.tensor(w)

    def f(x, y):
        return (wt @ x.exp()) * y.sin().sum(), x * y.sum() + x**2

    return f


def finite_difference_jacobian(f, inputs, i: int, j: int, eps: float = 1e-6) -> np.ndarray:
    """d f_i / d input_j by central differences: column c is (f(x + eps e_c) - f(x - eps e_c))
    / (2 eps)."""
    columns = []
    for c in range(inputs[j].size):
        shifted = []
        for sign in (1.0, -1.0):
            args = [a.copy() for a in inputs]
            args[j][c] += sign * eps
            shifted.append(f(*map(torch.tensor, args))[i].numpy())
        columns.append((shifted[0] - shifted[1]) / (2 * eps))
    return np.stack(columns, axis=-1)


@settings(max_examples=12)
@given(problems())
def test_jacobian_vjp_jvp_agree_with_finite_differences(p):
    f = as_function(p["w"])
    inputs = tuple(torch.tensor(a) for a in p["inputs"])
    jac = jacobian(f, inputs)
    for i in range(2):
        for j in range(2):
            expected = finite_difference_jacobian(f, p["inputs"], i, j)
            np.testing.assert_allclose(jac[i][j].numpy(), expected, atol=1e-6)
    jn = [[jac[i][j].numpy() for j in range(2)] for i in range(2)]
    # vjp: (v^T J)_j = sum_i v_i @ J[i][j]
    _, r = vjp(f, inputs, tuple(torch.tensor(v) for v in p["v_out"]))
    for j in range(2):
        expected = sum(p["v_out"][i] @ jn[i][j] for i in range(2))
        np.testing.assert_allclose(r[j].numpy(), expected, atol=1e-10)
    # jvp: (J v)_i = sum_j J[i][j] @ v_j
    _, r = jvp(f, inputs, tuple(torch.tensor(v) for v in p["v_in"]))
    for i in range(2):
        expected = sum(jn[i][j] @ p["v_in"][j] for j in range(2))
        np.testing.assert_allclose(r[i].numpy(), expected, atol=1e-10)


@settings(max_examples=8)
@given(problems())
def test_hvp_vhp_agree_with_hessian(p):
    # g = sum of f's first output: a scalar whose Hessian is symmetric, so H v = v^T H.
    f = as_function(p["w"])

    def g(x, y):
        return f(x, y)[0].sum()

    inputs = tuple(torch.tensor(a) for a in p["inputs"])
    h = hessian(g, inputs)
    hn = [[h[i][j].numpy() for j in range(2)] for i in range(2)]
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(hn[i][j], hn[j][i].T, atol=1e-10)
    v = tuple(torch.tensor(a) for a in p["v_in"])
    for fn in (hvp, vhp):
        _, r = fn(g, inputs, v)
        for i in range(2):
            expected = sum(hn[i][j] @ p["v_in"][j] for j in range(2))
            np.testing.assert_allclose(r[i].numpy(), expected, atol=1e-10)
