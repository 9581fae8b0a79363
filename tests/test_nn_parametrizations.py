"""nn.utils.parametrizations: weight_norm, spectral_norm and orthogonal against numpy
references (seeded values recorded from PyTorch), their gradients, reprs and errors."""

import ferrograd as torch
import numpy as np
import pytest
from ferrograd import nn
from hypothesis import given
from hypothesis import strategies as st

PZ = nn.utils.parametrizations
P = nn.utils.parametrize


def linear_with(weight):
    weight = np.asarray(weight, dtype=np.float64)
    m = nn.Linear(weight.shape[1], weight.shape[0]).double()
    with torch.no_grad():
        m.weight.copy_(torch.tensor(weight))
    return m


# ----- weight_norm -----


def test_weight_norm_splits_the_weight_into_norm_and_direction():
    m = PZ.weight_norm(linear_with([[3.0, 4, 0], [1, 2, 2]]))
    assert repr(m) == (
        "ParametrizedLinear(\n  in_features=3, out_features=2, bias=True\n"
        "  (parametrizations): ModuleDict(\n    (weight): ParametrizationList(\n"
        "      (0): _WeightNorm()\n    )\n  )\n)"
    )
    assert list(m.state_dict()) == [
        "bias",
        "parametrizations.weight.original0",
        "parametrizations.weight.original1",
    ]
    g = m.parametrizations.weight.original0
    # v is the weight itself, g the row norms: ||(3, 4, 0)|| = 5, ||(1, 2, 2)|| = 3.
    np.testing.assert_allclose(g.detach().numpy(), [[5.0], [3.0]])
    np.testing.assert_array_equal(
        m.parametrizations.weight.original1.detach().numpy(), [[3.0, 4, 0], [1, 2, 2]]
    )
    np.testing.assert_allclose(m.weight.detach().numpy(), [[3.0, 4, 0], [1, 2, 2]])
    with torch.no_grad():
        g.fill_(2.0)
    # w = 2 v / ||v|| row by row.
    np.testing.assert_allclose(m.weight.detach().numpy(), [[1.2, 1.6, 0], [2 / 3, 4 / 3, 4 / 3]])


def test_weight_norm_gradients_match_the_formula():
    m = PZ.weight_norm(linear_with([[3.0, 4, 0], [1, 2, 2]]))
    g = m.parametrizations.weight.original0
    v = m.parametrizations.weight.original1
    c = np.array([[1.0, -2, 0.5], [0.3, 0, 1]])
    (m.weight * torch.tensor(c)).sum().backward()
    vn = v.detach().numpy()
    norms = np.linalg.norm(vn, axis=1, keepdims=True)
    gn = g.detach().numpy()
    # L = sum(c * g v / ||v||): dL/dg = c.v / ||v||,
    # dL/dv = g / ||v|| (c - (c.v) v / ||v||^2).
    cv = (c * vn).sum(1, keepdims=True)
    np.testing.assert_allclose(g.grad.numpy(), cv / norms)
    np.testing.assert_allclose(v.grad.numpy(), gn / norms * (c - cv * vn / norms**2))


def test_weight_norm_dims():
    m = PZ.weight_norm(linear_with([[3.0, 4, 0], [1, 2, 2]]), dim=None)
    # dim=None: one norm for the whole tensor, sqrt(25 + 9) = 5.83095.
    assert m.parametrizations.weight.original0.shape == ()
    assert m.parametrizations.weight.original0.item() == pytest.approx(np.sqrt(34.0))
    m = PZ.weight_norm(linear_with([[3.0, 4, 0], [1, 2, 2]]), dim=1)
    np.testing.assert_allclose(
        m.parametrizations.weight.original0.detach().numpy(), [[np.sqrt(10), np.sqrt(20), 2]]
    )


def test_weight_norm_loads_a_checkpoint_of_the_hook_based_version():
    m = PZ.weight_norm(nn.Linear(3, 2).double())
    state = {
        "weight_g": torch.tensor([[1.0], [2.0]], dtype=torch.float64),
        "weight_v": torch.tensor([[1.0, 0, 0], [0, 3, 0]], dtype=torch.float64),
        "bias": torch.zeros(2, dtype=torch.float64),
    }
    assert repr(m.load_state_dict(state)) == "<All keys matched successfully>"
    np.testing.assert_allclose(m.weight.detach().numpy(), [[1.0, 0, 0], [0, 2, 0]])


# ----- spectral_norm -----


def power_step(W, v):
    """One step of PyTorch's power method: u = Wv / |Wv|, then v = W^T u / |W^T u|."""
    u = W @ v
    u = u / np.linalg.norm(u)
    v = W.T @ u
    return u, v / np.linalg.norm(v)


def test_spectral_norm_divides_by_the_power_iteration_estimate():
    W = np.array([[1.0, 2, 0], [0, 1, 3]])
    m = PZ.spectral_norm(linear_with(W))
    assert list(m.state_dict()) == [
        "bias",
        "parametrizations.weight.original",
        "parametrizations.weight.0._u",
        "parametrizations.weight.0._v",
    ]
    sn = m.parametrizations.weight[0]
    assert (sn.n_power_iterations, sn.dim, sn.eps) == (1, 0, 1e-12)
    v0 = sn._v.clone().numpy()
    # Training: each read advances the vectors one step, then W / (u^T W v).
    weight = m.weight.detach().numpy()
    u1, v1 = power_step(W, v0)
    np.testing.assert_allclose(weight, W / (u1 @ W @ v1), rtol=1e-12)
    np.testing.assert_allclose(sn._u.numpy(), u1, rtol=1e-12)
    # Evaluation: no step.
    m.eval()
    u_before = sn._u.clone()
    m.weight  # noqa: B018
    assert torch.equal(sn._u, u_before)
    # 16 steps since registration (15 at start, 1 read): sigma is the top singular value.
    np.testing.assert_allclose(np.linalg.svd(m.weight.detach().numpy())[1][0], 1.0, rtol=1e-9)


def test_spectral_norm_seeded_values_match_pytorch():
    torch.manual_seed(0)
    m = PZ.spectral_norm(nn.Linear(4, 3))
    # Recorded from PyTorch after manual_seed(0).
    np.testing.assert_allclose(
        m.parametrizations.weight[0]._u.tolist(), [0.878616, -0.376203, 0.294116], atol=1e-5
    )
    np.testing.assert_allclose(
        m.weight[0].tolist(), [-0.005480, 0.392675, -0.602466, -0.538705], atol=1e-5
    )


def test_spectral_norm_of_a_vector_and_of_a_transposed_conv():
    m = nn.Linear(2, 2).double()
    with torch.no_grad():
        m.bias.copy_(torch.tensor([3.0, 4.0]))
    PZ.spectral_norm(m, name="bias")
    # A vector is divided by its 2-norm, 5; no power-iteration buffers.
    np.testing.assert_allclose(m.bias.detach().numpy(), [0.6, 0.8])
    assert list(m.parametrizations.bias[0].buffers()) == []
    conv = PZ.spectral_norm(nn.ConvTranspose2d(2, 3, 2))
    # The weight is (in, out, kh, kw): the output dim is 1.
    assert conv.parametrizations.weight[0].dim == 1
    assert conv.parametrizations.weight[0]._u.shape == (3,)


def test_spectral_norm_errors():
    with pytest.raises(IndexError) as info:
        PZ.spectral_norm(nn.Linear(2, 2), dim=2)
    assert (
        str(info.value) == "Dimension out of range (expected to be in range of [-2, 1] but got 2)"
    )
    with pytest.raises(ValueError) as info:
        PZ.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)
    assert str(info.value) == (
        "Expected n_power_iterations to be positive, but got n_power_iterations=0"
    )
    with pytest.raises(ValueError) as info:
        PZ.spectral_norm(nn.Linear(2, 2), name="foo")
    assert str(info.value) == (
        "Module 'Linear(in_features=2, out_features=2, bias=True)' has no parameter or buffer "
        "with name 'foo'"
    )


# ----- orthogonal -----


def assert_orthogonal(Q, atol=1e-10):
    """Orthonormal columns when tall (Q^T Q = I), rows when wide (Q Q^T = I)."""
    n, k = Q.shape[-2:]
    gram = np.swapaxes(Q, -1, -2) @ Q if n >= k else Q @ np.swapaxes(Q, -1, -2)
    np.testing.assert_allclose(gram, np.broadcast_to(np.eye(min(n, k)), gram.shape), atol=atol)


def test_orthogonal_repr_default_maps_and_state_dict():
    m = PZ.orthogonal(nn.Linear(4, 3))
    assert repr(m) == (
        "ParametrizedLinear(\n  in_features=4, out_features=3, bias=True\n"
        "  (parametrizations): ModuleDict(\n    (weight): ParametrizationList(\n"
        "      (0): _Orthogonal()\n    )\n  )\n)"
    )
    assert list(m.state_dict()) == [
        "bias",
        "parametrizations.weight.original",
        "parametrizations.weight.0.base",
    ]
    # Not square: Householder; square: the matrix exponential.
    assert m.parametrizations.weight[0].orthogonal_map.name == "householder"
    square = PZ.orthogonal(nn.Linear(3, 3))
    assert square.parametrizations.weight[0].orthogonal_map.name == "matrix_exp"


def test_orthogonal_registration_orthogonalises_by_qr():
    W = np.array([[2.0, 1, 0], [1, 3, 1], [0, 1, 4]])
    m = PZ.orthogonal(linear_with(W))
    Q, R = np.linalg.qr(W)
    # Q taken with diag(R) > 0; the original becomes -I, which every map sends to I.
    np.testing.assert_allclose(m.weight.detach().numpy(), Q * np.sign(np.diag(R)), atol=1e-12)
    np.testing.assert_array_equal(m.parametrizations.weight.original.detach().numpy(), -np.eye(3))


# Recorded from PyTorch: the weight of a 3x3 orthogonal Linear built from W33 (base = its QR
# factor) after setting `original` to X33 (to XH for Householder, whose diagonal holds signs).
W33 = np.array([[0.5, -1.0, 0.2], [0.3, 0.8, -0.6], [1.0, 0.1, 0.4]])
X33 = np.array([[0.2, 0.7, -0.3], [-0.5, 0.1, 0.9], [0.4, -0.8, 0.6]])
XH = np.array([[1.0, 0.7, -0.3], [-0.5, -1.0, 0.9], [0.4, -0.8, 1.0]])
RECORDED = {
    ("matrix_exp", True): [
        [0.2809138, 0.1068686, -0.9537644],
        [-0.3335031, 0.9427199, 0.0074038],
        [0.899924, 0.3160036, 0.300464],
    ],
    ("cayley", True): [
        [0.3125482, 0.0378296, -0.9491483],
        [-0.2967329, 0.953091, -0.0597254],
        [0.9023653, 0.3003106, 0.3091122],
    ],
    ("householder", True): [
        [-0.4074082, 0.7662062, 0.4969372],
        [0.7587216, 0.586834, -0.2827851],
        [-0.5082914, 0.261828, -0.8204182],
    ],
    ("matrix_exp", False): [
        [0.8123213, 0.5634615, -0.1504833],
        [-0.2704996, 0.5925999, 0.7587195],
        [0.5166856, -0.5756183, 0.6337977],
    ],
    ("cayley", False): [
        [0.8376238, 0.5227723, -0.1584158],
        [-0.2693069, 0.6475248, 0.7128713],
        [0.4752475, -0.5544554, 0.6831683],
    ],
    ("householder", False): [
        [-0.4184397, 0.7092199, -0.5673759],
        [0.7092199, -0.1350977, -0.6919218],
        [-0.5673759, -0.6919218, -0.4464625],
    ],
}


@pytest.mark.parametrize(("orthogonal_map", "trivialization"), list(RECORDED))
def test_orthogonal_maps_match_pytorch(orthogonal_map, trivialization):
    m = PZ.orthogonal(
        linear_with(W33), orthogonal_map=orthogonal_map, use_trivialization=trivialization
    )
    X = XH if orthogonal_map == "householder" else X33
    with torch.no_grad():
        m.parametrizations.weight.original.copy_(torch.tensor(X))
    weight = m.weight.detach().numpy()
    np.testing.assert_allclose(weight, RECORDED[(orthogonal_map, trivialization)], atol=1e-6)
    assert_orthogonal(weight)


@given(
    n=st.integers(1, 4),
    k=st.integers(1, 4),
    batch=st.sampled_from([(), (2,)]),
    orthogonal_map=st.sampled_from(["matrix_exp", "cayley", "householder"]),
    trivialization=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_orthogonal_weight_is_orthogonal_and_gradients_flow(
    n, k, batch, orthogonal_map, trivialization, seed
):
    rng = np.random.default_rng(seed)
    m = nn.Module()
    m.register_buffer("w", torch.tensor(rng.standard_normal((*batch, n, k))))
    PZ.orthogonal(m, "w", orthogonal_map=orthogonal_map, use_trivialization=trivialization)
    X = rng.standard_normal((*batch, n, k)) * 0.5
    if orthogonal_map == "householder":
        # That map reads a sign from each diagonal entry, truncated to an integer: +-1.5 keeps
        # the finite differences away from the steps.
        for i in range(min(n, k)):
            X[..., i, i] = rng.choice([-1.5, 1.5], size=batch)
    with torch.no_grad():
        m.parametrizations.w.original.copy_(torch.tensor(X))
    assert_orthogonal(m.w.numpy())
    # The parametrized weight is differentiable in the original tensor.
    x = torch.tensor(X, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: m.parametrizations.w[0](t), (x,))


def test_orthogonal_assignment():
    rng = np.random.default_rng(5)
    Q = np.linalg.qr(rng.standard_normal((4, 4)))[0][:, :3]
    for orthogonal_map in ["matrix_exp", "cayley", "householder"]:
        m = PZ.orthogonal(nn.Linear(3, 4).double(), orthogonal_map=orthogonal_map)
        m.weight = torch.tensor(Q)  # becomes the base
        np.testing.assert_allclose(m.weight.detach().numpy(), Q, atol=1e-12)
    # Without trivialization only Householder can be assigned to (its QR reflectors).
    m = PZ.orthogonal(nn.Linear(3, 4).double(), "weight", "householder", use_trivialization=False)
    m.weight = torch.tensor(Q)
    np.testing.assert_allclose(m.weight.detach().numpy(), Q, atol=1e-12)
    m = PZ.orthogonal(nn.Linear(3, 4).double(), "weight", "cayley", use_trivialization=False)
    with pytest.raises(NotImplementedError) as info:
        m.weight = torch.tensor(Q)
    assert str(info.value) == (
        "It is not possible to assign to the matrix exponential or the Cayley parametrizations "
        "when use_trivialization=False."
    )
    with pytest.raises(ValueError) as info:
        m.weight = torch.zeros(3, 4, dtype=torch.float64)
    assert str(info.value) == (
        "Expected a matrix or batch of matrices of shape ferrograd.Size([4, 3]). "
        "Got a tensor of shape ferrograd.Size([3, 4])."
    )


def test_orthogonal_errors():
    with pytest.raises(ValueError) as info:
        PZ.orthogonal(nn.Linear(3, 3), orthogonal_map="foo")
    assert str(info.value) == (
        'orthogonal_map has to be one of "matrix_exp", "cayley", "householder". Got: foo'
    )
    with pytest.raises(ValueError) as info:
        PZ.orthogonal(nn.Linear(3, 3), name="bias")
    assert (
        str(info.value) == "Expected a matrix or batch of matrices. Got a tensor of 1 dimensions."
    )
    with pytest.raises(ValueError) as info:
        PZ.orthogonal(nn.Linear(3, 3), name="nope")
    assert str(info.value) == (
        "Module 'Linear(in_features=3, out_features=3, bias=True)' has no parameter or buffer "
        "with name 'nope'"
    )


# ----- the Tensor-op linear algebra behind orthogonal -----


@given(m=st.integers(1, 5), n=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_geqrf_and_householder_product_match_lapack(m, n, seed):
    from ferrograd.nn.utils._orthogonal_linalg import geqrf, householder_product

    A = np.random.default_rng(seed).standard_normal((m, n))
    X, tau = geqrf(torch.tensor(A))
    # numpy's "raw" QR is LAPACK's geqrf, its result transposed (Fortran order).
    h, tau_ref = np.linalg.qr(A, mode="raw")
    np.testing.assert_allclose(X.numpy(), h.T, atol=1e-12)
    np.testing.assert_allclose(tau.numpy(), tau_ref, atol=1e-12)
    if m >= n:
        # orgqr of those reflectors is numpy's reduced Q.
        Q = householder_product(X, tau).numpy()
        np.testing.assert_allclose(Q, np.linalg.qr(A)[0], atol=1e-12)


@given(n=st.integers(1, 5), scale=st.sampled_from([0.1, 1.0, 10.0]), seed=st.integers(0, 2**16))
def test_matrix_exp_matches_the_eigendecomposition(n, scale, seed):
    from ferrograd.nn.utils._orthogonal_linalg import matrix_exp

    A = np.random.default_rng(seed).standard_normal((n, n)) * scale
    # A = V diag(w) V^-1 gives exp(A) = V diag(exp(w)) V^-1 (a random A is diagonalisable).
    w, V = np.linalg.eig(A)
    expected = (V @ np.diag(np.exp(w)) @ np.linalg.inv(V)).real
    np.testing.assert_allclose(matrix_exp(torch.tensor(A)).numpy(), expected, rtol=1e-8, atol=1e-10)
