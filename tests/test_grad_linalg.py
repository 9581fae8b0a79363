"""Gradients of the linear-algebra ops: determinants, inverses and solves, the Cholesky, QR,
SVD and eigen decompositions, least squares and the pseudo-inverse, matrix norms and
condition numbers.

The property tests draw well-conditioned inputs by construction, since the formulas hold only
away from singular matrices and repeated eigen- or singular values:

* ``dominant(a)`` adds ``30 * (i + 1)`` to the diagonal: with entries of ``a`` below 2 in
  size, its singular values (and, for a square ``a``, its eigenvalues, by Gershgorin's discs)
  stay at least 18 apart and away from 0, so they are distinct and, for ``eig``, real;
* ``positive_definite(a) = a aᵀ + n I`` for the Cholesky factor and ``logdet``.

Decompositions whose vectors are fixed only up to sign are checked through functions that
do not see the sign: the values, ``U diag(c) Vh``, and the squared entries of each factor.
"""

from __future__ import annotations

import math

import ferrograd as torch
import numpy as np
import pytest
from grad_support import ANY, check, tensors
from hypothesis import assume, given, settings
from hypothesis import strategies as st

INF = math.inf


@st.composite
def matrices(draw, square: bool = False, max_batch: int = 2):
    """A float64 leaf of shape ``batch + (m, n)``: 0 to ``max_batch`` batch dims, m and n in
    1..3 (equal when ``square``), contiguous or transposed."""
    batch = tuple(draw(st.lists(st.integers(1, 2), max_size=max_batch)))
    m = draw(st.integers(1, 3))
    n = m if square else draw(st.integers(1, 3))
    return draw(tensors(batch + (m, n), ANY))


def dominant(a: torch.Tensor) -> torch.Tensor:
    """``a`` plus ``30 * (i + 1)`` on its (rectangular) diagonal: distinct singular values far
    from 0 (and distinct real eigenvalues when square)."""
    m, n = a.shape[-2:]
    shift = torch.zeros(m, n, dtype=a.dtype)
    for i in range(min(m, n)):
        shift[i, i] = 30.0 * (i + 1)
    return a + shift


def positive_definite(a: torch.Tensor) -> torch.Tensor:
    n = a.shape[-1]
    return a @ a.mT + n * torch.eye(n, dtype=a.dtype)


def symmetric(a: torch.Tensor) -> torch.Tensor:
    return dominant(a + a.mT)


def weights(n: int) -> torch.Tensor:
    """Distinct weights for combining vectors without seeing their signs."""
    return torch.arange(1, n + 1, dtype=torch.float64)


# --- determinants, inverses, solves --------------------------------------------------------


LU_OPS = [
    ("det", lambda a: torch.linalg.det(dominant(a))),
    ("Tensor.det", lambda a: dominant(a).det()),
    ("slogdet", lambda a: torch.linalg.slogdet(dominant(a)).logabsdet),
    ("logdet", lambda a: torch.logdet(positive_definite(a))),
    ("inv", lambda a: torch.linalg.inv(dominant(a))),
    ("inverse", lambda a: torch.inverse(dominant(a))),
    ("inv_ex", lambda a: torch.linalg.inv_ex(dominant(a)).inverse),
]


@pytest.mark.parametrize("name, fn", LU_OPS, ids=[r[0] for r in LU_OPS])
@settings(max_examples=10)
@given(data=st.data())
def test_determinant_and_inverse_gradients(name, fn, data):
    a = data.draw(matrices(square=True))
    check(fn, (a,), twice=True)


@settings(max_examples=12)
@given(data=st.data())
def test_solve_gradients(data):
    # A and B with batch dims that broadcast; B a matrix, or a (batch of) vector(s).
    n = data.draw(st.integers(1, 3))
    a_batch = tuple(data.draw(st.lists(st.integers(1, 2), max_size=2)))
    left = data.draw(st.booleans())
    vector = left and data.draw(st.booleans())
    if vector:
        b_shape = a_batch + (n,)
    else:
        k = data.draw(st.integers(1, 3))
        b_batch = tuple(data.draw(st.sampled_from([(), (1,), (2,), (2, 1)])))
        b_shape = b_batch + ((n, k) if left else (k, n))
        # A B shaped like A's batch plus one dim would be read as a batch of vectors.
        assume(b_shape != a_batch + (n,))
    a = data.draw(tensors(a_batch + (n, n), ANY))
    b = data.draw(tensors(b_shape, ANY))
    check(lambda a, b: torch.linalg.solve(dominant(a), b, left=left), (a, b), twice=True)
    check(lambda a, b: torch.linalg.solve_ex(dominant(a), b, left=left).result, (a, b), True)


def test_det_gradient_by_hand():
    # det [[a, b], [c, d]] = ad - bc: the gradient is [[d, -c], [-b, a]].
    a = torch.tensor([[3.0, 0.0], [4.0, 5.0]], dtype=torch.float64, requires_grad=True)
    torch.linalg.det(a).backward()
    np.testing.assert_allclose(a.grad.numpy(), [[5.0, -4.0], [0.0, 3.0]], atol=1e-12)


def test_det_of_a_singular_matrix_has_the_cofactors_as_gradient():
    # The gradient of det is the matrix of cofactors, defined for singular matrices too
    # (rank 2 here; PyTorch gives the same under create_graph=True).
    a = torch.tensor(
        [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]], dtype=torch.float64, requires_grad=True
    )
    torch.linalg.det(a).backward()
    np.testing.assert_allclose(
        a.grad.numpy(), [[4.0, 4.0, -4.0], [-2.0, -2.0, 2.0], [0.0, 0.0, 0.0]], atol=1e-12
    )


def test_inverse_gradient_by_hand():
    # d(A⁻¹) = -A⁻¹ dA A⁻¹; values from PyTorch.
    a = torch.tensor([[3.0, 0.0], [4.0, 5.0]], dtype=torch.float64, requires_grad=True)
    torch.linalg.inv(a).sum().backward()
    expected = [
        [-0.022222222222222227, 0.004444444444444442],
        [-0.06666666666666667, 0.01333333333333333],
    ]
    np.testing.assert_allclose(a.grad.numpy(), expected, rtol=1e-12)


def test_logdet_of_a_negative_determinant_is_nan_with_zero_gradient():
    a = torch.tensor([[0.0, 1.0], [1.0, 0.0]], dtype=torch.float64, requires_grad=True)
    out = torch.logdet(a)
    assert math.isnan(out.item())
    out.backward()
    assert a.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_slogdet_sign_has_a_node_but_no_gradient():
    a = torch.tensor([[2.0, 1.0], [1.0, 3.0]], dtype=torch.float64, requires_grad=True)
    sign, _ = torch.linalg.slogdet(a)
    assert type(sign.grad_fn).__name__ == "LinalgSlogdetBackward0"
    assert torch.autograd.grad(sign, a, allow_unused=True) == (None,)


# --- Cholesky and QR -----------------------------------------------------------------------


@pytest.mark.parametrize("upper", [False, True])
@settings(max_examples=10)
@given(data=st.data())
def test_cholesky_gradients(upper, data):
    a = data.draw(matrices(square=True))
    check(lambda a: torch.linalg.cholesky(positive_definite(a), upper=upper), (a,), True)
    check(lambda a: torch.linalg.cholesky_ex(positive_definite(a), upper=upper).L, (a,), True)


def test_cholesky_gradient_is_symmetric_as_in_pytorch():
    a = torch.tensor([[2.0, 1.0], [1.0, 2.0]], dtype=torch.float64, requires_grad=True)
    torch.linalg.cholesky(a).sum().backward()
    expected = [
        [0.2788387679126027, 0.14942924536134225],
        [0.14942924536134222, 0.4082482904638631],
    ]
    np.testing.assert_allclose(a.grad.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("mode", ["reduced", "complete"])
@settings(max_examples=10)
@given(data=st.data())
def test_qr_gradients(mode, data):
    a = data.draw(matrices())
    m, n = a.shape[-2:]
    if mode == "complete" and m > n:
        a = a.mT  # complete Q of a tall matrix is not determined by it
    check(lambda a: torch.linalg.qr(dominant(a), mode=mode), (a,), twice=True)


def test_qr_refuses_the_modes_it_cannot_differentiate():
    a = torch.rand(4, 3, dtype=torch.float64, requires_grad=True)
    _, r = torch.linalg.qr(a, mode="r")
    assert type(r.grad_fn).__name__ == "LinalgQrBackward0"
    with pytest.raises(RuntimeError, match="which is not computed when mode='r'"):
        r.sum().backward()
    _, r = torch.linalg.qr(a, mode="complete")
    with pytest.raises(
        RuntimeError, match="not differentiable when mode='complete' and nrows > ncols"
    ):
        r.sum().backward()


# --- SVD and eigen decompositions ----------------------------------------------------------


def svd_invariants(u, s, vh):
    """The singular values, ``U diag(c) Vh`` and the squared factors: blind to signs."""
    k = s.shape[-1]
    return s, (u[..., :, :k] * weights(k)) @ vh[..., :k, :], u**2, vh**2


@settings(max_examples=10)
@given(data=st.data())
def test_svd_gradients(data):
    a = data.draw(matrices())
    check(lambda a: svd_invariants(*torch.linalg.svd(dominant(a), full_matrices=False)), (a,), True)
    check(lambda a: torch.linalg.svdvals(dominant(a)), (a,), True)
    # The legacy svd returns V (not Vh), and its U, S, V share the node.
    check(lambda a: legacy_svd_invariants(dominant(a)), (a,), True)


def legacy_svd_invariants(a):
    u, s, v = torch.svd(a)
    return svd_invariants(u, s, v.mT)


def test_complete_svd_differentiates_through_its_first_k_vectors():
    # As in PyTorch: the extra columns of a complete U are not determined by A and get no
    # gradient, so the gradient equals the reduced SVD's for what both have.
    a = torch.tensor([[3.0, 1.0], [0.5, 2.0], [1.0, -1.0]], dtype=torch.float64, requires_grad=True)
    u, s, _ = torch.linalg.svd(a, full_matrices=True)
    (s.sum() + (u[:, :2] ** 2 * weights(2)).sum()).backward()
    full = a.grad.clone()
    a.grad = None
    u, s, _ = torch.linalg.svd(a, full_matrices=False)
    (s.sum() + (u**2 * weights(2)).sum()).backward()
    np.testing.assert_allclose(full.numpy(), a.grad.numpy(), rtol=1e-10)


def test_singular_values_gradient_by_hand():
    a = torch.tensor([[3.0, 0.0], [4.0, 5.0]], dtype=torch.float64, requires_grad=True)
    torch.linalg.svdvals(a).sum().backward()
    expected = [
        [0.8944271909999157, -0.4472135954999577],
        [0.44721359549995776, 0.8944271909999156],
    ]
    np.testing.assert_allclose(a.grad.numpy(), expected, rtol=1e-12)


def test_repeated_singular_values_have_a_gradient():
    # Values alone need no gaps between them: the identity's are all 1.
    a = torch.eye(3, dtype=torch.float64, requires_grad=True)
    torch.linalg.svdvals(a).sum().backward()
    assert a.grad.tolist() == torch.eye(3, dtype=torch.float64).tolist()
    a.grad = None
    torch.linalg.eigvalsh(a).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), np.eye(3), atol=1e-12)


def eigh_invariants(w, v):
    return w, (v * weights(w.shape[-1])) @ v.mT, v**2


@settings(max_examples=10)
@given(data=st.data())
def test_eigh_gradients(data):
    a = data.draw(matrices(square=True))
    check(lambda a: eigh_invariants(*torch.linalg.eigh(symmetric(a))), (a,), True)
    check(lambda a: eigh_invariants(*torch.linalg.eigh(symmetric(a), UPLO="U")), (a,), True)
    check(lambda a: torch.linalg.eigvalsh(symmetric(a)), (a,), True)


def test_eigvalsh_gradient_by_hand():
    # [[2, 1], [1, 2]] has eigenvalues 1 and 3 with eigenvectors (1, -1) and (1, 1) / sqrt 2.
    a = torch.tensor([[2.0, 1.0], [1.0, 2.0]], dtype=torch.float64, requires_grad=True)
    (torch.linalg.eigvalsh(a) * torch.tensor([1.0, 2.0], dtype=torch.float64)).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [[1.5, 0.5], [0.5, 1.5]], rtol=1e-12)


def eig_invariants(a):
    w, v = torch.linalg.eig(a)
    return w, v**2


@settings(max_examples=10)
@given(data=st.data())
def test_eig_gradients_for_real_eigenvalues(data):
    a = data.draw(matrices(square=True))
    check(lambda a: eig_invariants(dominant(a)), (a,), True)
    check(lambda a: torch.linalg.eigvals(dominant(a)), (a,), True)


# --- least squares and the pseudo-inverse --------------------------------------------------


@settings(max_examples=10)
@given(data=st.data())
def test_pinv_gradients(data):
    a = data.draw(matrices())
    check(lambda a: torch.linalg.pinv(dominant(a)), (a,), True)
    if a.shape[-1] == a.shape[-2]:
        check(lambda a: torch.linalg.pinv(symmetric(a), hermitian=True), (a,), True)


@pytest.mark.parametrize("driver", ["gelsy", "gelsd", "gelss", "gels"])
@settings(max_examples=8)
@given(data=st.data())
def test_lstsq_gradients(driver, data):
    a = data.draw(matrices())
    m = a.shape[-2]
    vector = data.draw(st.booleans())
    b_shape = a.shape[:-2] + ((m,) if vector else (m, data.draw(st.integers(1, 2))))
    b = data.draw(tensors(b_shape, ANY))

    def solve(a, b):
        result = torch.linalg.lstsq(dominant(a), b, driver=driver)
        if result.residuals.numel() == 0:
            return result.solution
        return result.solution, result.residuals

    check(solve, (a, b), twice=True)


def test_lstsq_gradient_by_hand():
    # Values from PyTorch.
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([1.0, 0.0, 2.0], dtype=torch.float64, requires_grad=True)
    torch.linalg.lstsq(a, b).solution.sum().backward()
    ga = [
        [-1.3265306122449028, 1.0714285714285685],
        [-0.4081632653061167, 0.21428571428571308],
        [0.8673469387755167, -0.642857142857147],
    ]
    np.testing.assert_allclose(a.grad.numpy(), ga, rtol=1e-9)
    gb = [-0.5714285714285721, 0.28571428571428625, 0.1428571428571428]
    np.testing.assert_allclose(b.grad.numpy(), gb, rtol=1e-9)


# --- matrix norms and condition numbers ----------------------------------------------------

MATRIX_ORDS = ["fro", "nuc", 1, -1, 2, -2, INF, -INF]


@pytest.mark.parametrize("ord", MATRIX_ORDS, ids=[str(o) for o in MATRIX_ORDS])
@settings(max_examples=8)
@given(data=st.data())
def test_matrix_norm_gradients(ord, data):
    a = data.draw(matrices(max_batch=1))
    keepdim = data.draw(st.booleans())
    dim = data.draw(
        st.sampled_from([(-2, -1), (-1, -2)] + ([(0, 2), (2, 0)] if a.ndim == 3 else []))
    )

    def norm(a):
        return torch.linalg.matrix_norm(
            dominant(a.movedim(dim, (-2, -1))).movedim((-2, -1), dim), ord, dim, keepdim
        )

    check(norm, (a,), twice=True)


@pytest.mark.parametrize("ord", MATRIX_ORDS, ids=[str(o) for o in MATRIX_ORDS])
def test_linalg_norm_routes_matrix_orders_to_matrix_norm(ord):
    # Column sums 4.5 and 4.25, row sums 4, 2.5 and 2.25: no ties.
    a = torch.tensor(
        [[3.0, -1.0], [0.5, 2.0], [1.0, 1.25]], dtype=torch.float64, requires_grad=True
    )
    check(lambda a: torch.linalg.norm(a, ord), (a,), twice=True)


COND_ORDS = [None, "fro", "nuc", 1, -1, 2, -2, INF, -INF]


@pytest.mark.parametrize("ord", COND_ORDS, ids=[str(o) for o in COND_ORDS])
@settings(max_examples=8)
@given(data=st.data())
def test_cond_gradients(ord, data):
    a = data.draw(matrices(square=ord not in (None, 2, -2), max_batch=1))
    check(lambda a: torch.linalg.cond(dominant(a), ord), (a,), twice=True)


def test_matrix_norm_ties_share_the_gradient_as_in_pytorch():
    # Column sums |1| + |-3| = |2| + |2| = 4 tie: amax spreads the gradient evenly.
    a = torch.tensor([[1.0, 2.0], [-3.0, 2.0]], dtype=torch.float64, requires_grad=True)
    torch.linalg.matrix_norm(a, 1).backward()
    assert a.grad.tolist() == [[0.5, 0.5], [-0.5, 0.5]]
    a.grad = None
    torch.linalg.matrix_norm(a, INF).backward()  # row sums 3 and 5: no tie
    assert a.grad.tolist() == [[0.0, 0.0], [-1.0, 1.0]]
    # The identity's singular values all tie at 1.
    e = torch.eye(3, dtype=torch.float64, requires_grad=True)
    torch.linalg.matrix_norm(e, 2).backward()
    np.testing.assert_allclose(e.grad.numpy(), np.eye(3) / 3, rtol=1e-12)


def test_cond_gradient_by_hand():
    # Values from PyTorch: cond = 3 (singular values 3 sqrt 5 and sqrt 5).
    a = torch.tensor([[3.0, 0.0], [4.0, 5.0]], dtype=torch.float64, requires_grad=True)
    torch.linalg.cond(a).backward()
    np.testing.assert_allclose(a.grad.numpy(), [[-0.8, 1.0], [0.6, 0.0]], atol=1e-12)


# --- graph structure -----------------------------------------------------------------------


def _a():
    return torch.tensor([[3.0, 1.0, 0.5], [1.0, 4.0, 1.0], [0.5, 1.0, 5.0]], requires_grad=True)


def _r():
    return torch.tensor([[3.0, 1.0], [0.5, 2.0], [1.0, -1.0]], requires_grad=True)


NODE_NAMES = [
    ("det", lambda: torch.linalg.det(_a()), "LinalgDetBackward0"),
    ("Tensor.det", lambda: _a().det(), "LinalgDetBackward0"),
    ("slogdet", lambda: torch.linalg.slogdet(_a())[1], "LinalgSlogdetBackward0"),
    ("logdet", lambda: torch.logdet(_a()), "WhereBackward0"),
    ("inv", lambda: torch.linalg.inv(_a()), "LinalgInvExBackward0"),
    ("inverse", lambda: _a().inverse(), "LinalgInvExBackward0"),
    ("solve", lambda: torch.linalg.solve(_a(), _r()), "LinalgSolveExBackward0"),
    (
        "solve right",
        lambda: torch.linalg.solve(_a(), _r().mT, left=False),
        "LinalgSolveExBackward0",
    ),
    ("cholesky", lambda: torch.linalg.cholesky(_a(), upper=True), "LinalgCholeskyExBackward0"),
    ("qr", lambda: torch.linalg.qr(_r())[0], "LinalgQrBackward0"),
    ("svd", lambda: torch.linalg.svd(_r())[2], "LinalgSvdBackward0"),
    ("svdvals", lambda: torch.linalg.svdvals(_r()), "LinalgSvdBackward0"),
    ("legacy svd V", lambda: torch.svd(_r())[2], "TransposeBackward0"),
    ("eigh", lambda: torch.linalg.eigh(_a())[1], "LinalgEighBackward0"),
    ("eigvalsh", lambda: torch.linalg.eigvalsh(_a()), "LinalgEighBackward0"),
    ("eig", lambda: torch.linalg.eig(_a())[1], "LinalgEigBackward0"),
    ("eigvals", lambda: torch.linalg.eigvals(_a()), "LinalgEigBackward0"),
    ("lstsq", lambda: torch.linalg.lstsq(_r(), torch.ones(3, 1)).solution, "LinalgLstsqBackward0"),
    ("pinv", lambda: torch.linalg.pinv(_r()), "LinalgPinvBackward0"),
    ("pinverse", lambda: _r().pinverse(), "LinalgPinvBackward0"),
    ("matrix_norm fro", lambda: torch.linalg.matrix_norm(_r()), "LinalgVectorNormBackward0"),
    ("matrix_norm nuc", lambda: torch.linalg.matrix_norm(_r(), "nuc"), "SumBackward1"),
    ("matrix_norm 2", lambda: torch.linalg.matrix_norm(_r(), 2), "AmaxBackward0"),
    ("matrix_norm -1", lambda: torch.linalg.matrix_norm(_r(), -1), "AminBackward0"),
    (
        "matrix_norm keepdim",
        lambda: torch.linalg.matrix_norm(_r(), 2, keepdim=True),
        "PermuteBackward0",
    ),
    ("linalg.norm nuc", lambda: torch.linalg.norm(_r(), "nuc"), "SumBackward1"),
    ("cond", lambda: torch.linalg.cond(_a()), "SqueezeBackward1"),
    ("cond nuc", lambda: torch.linalg.cond(_a(), "nuc"), "MulBackward0"),
    ("cond 1", lambda: torch.linalg.cond(_a(), 1), "NanToNumBackward0"),
]


@pytest.mark.parametrize("name, make, node", NODE_NAMES, ids=[r[0] for r in NODE_NAMES])
def test_node_names_are_pytorchs(name, make, node):
    assert type(make().grad_fn).__name__ == node


def test_singular_values_are_output_1_of_the_svd_node():
    s = torch.linalg.matrix_norm(_r(), "nuc")
    assert [(type(n).__name__, nr) for n, nr in s.grad_fn.next_functions] == [
        ("LinalgSvdBackward0", 1)
    ]


def test_integer_and_non_differentiable_results_stay_leaves():
    a = _a()
    results = [
        torch.linalg.inv_ex(a).info,
        torch.linalg.cholesky_ex(a).info,
        torch.linalg.solve_ex(a, _r()).info,
    ]
    lstsq = torch.linalg.lstsq(_r(), torch.ones(3, 1), driver="gelsd")
    results += [lstsq.rank, lstsq.singular_values]
    assert all(r.grad_fn is None and not r.requires_grad for r in results)
    assert lstsq.solution.grad_fn is not None and lstsq.residuals.grad_fn is not None
    u, s, v = torch.svd(_r(), compute_uv=False)
    assert u.grad_fn is None and v.grad_fn is None and s.grad_fn is not None


def test_float32_gradients_keep_their_dtype():
    a = _a()
    torch.linalg.det(a).backward()
    assert a.grad.dtype == torch.float32
