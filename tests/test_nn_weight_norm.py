"""weight_norm and spectral_norm: parameter layout, values recorded from PyTorch after the same
seed, gradients, removal and errors."""

import warnings

import ferrograd as torch
import numpy as np
import pytest
from ferrograd import nn


def quiet_weight_norm(module, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return nn.utils.weight_norm(module, **kwargs)


def test_weight_norm_matches_pytorch_and_rebuilds_the_weight():
    torch.manual_seed(0)
    m = quiet_weight_norm(nn.Linear(4, 3))
    assert [n for n, _ in m.named_parameters()] == ["bias", "weight_g", "weight_v"]
    assert m.weight_g.shape == (3, 1)
    y = m(torch.ones(2, 4))
    y.sum().backward()
    # Recorded from PyTorch after manual_seed(0).
    np.testing.assert_allclose(y[0].tolist(), [-0.99269, -0.0031, -0.36757], atol=1e-5)
    np.testing.assert_allclose(m.weight_g.grad.flatten().tolist(), [-1.67821, 1.42381, -1.41651],
                               atol=1e-5)  # fmt: skip
    v = m.weight_v.detach().numpy()
    g = m.weight_g.detach().numpy()
    np.testing.assert_allclose(m.weight.detach().numpy(),
                               g * v / np.linalg.norm(v, axis=1, keepdims=True), rtol=1e-6)  # fmt: skip


def test_weight_norm_gradcheck_and_dim_none():
    m = quiet_weight_norm(nn.Linear(3, 2).double(), dim=None)
    assert m.weight_g.shape == ()
    x = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: m(t), (x,))


def test_remove_weight_norm_and_errors():
    m = quiet_weight_norm(nn.Linear(4, 3))
    before = m.weight.detach().clone()
    nn.utils.remove_weight_norm(m)
    assert [n for n, _ in m.named_parameters()] == ["bias", "weight"]
    assert torch.allclose(m.weight, before)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in"):
        nn.utils.remove_weight_norm(m)
    quiet_weight_norm(m)
    with pytest.raises(RuntimeError) as info:
        quiet_weight_norm(m)
    assert str(info.value) == "Cannot register two weight_norm hooks on the same parameter weight"
    with pytest.warns(FutureWarning, match="torch.nn.utils.weight_norm` is deprecated"):
        nn.utils.weight_norm(nn.Linear(2, 2))


def test_spectral_norm_matches_pytorch():
    torch.manual_seed(0)
    s = nn.utils.spectral_norm(nn.Linear(4, 3))
    assert [n for n, _ in s.named_parameters()] == ["bias", "weight_orig"]
    assert [n for n, _ in s.named_buffers()] == ["weight_u", "weight_v"]
    for _ in range(3):
        z = s(torch.ones(2, 4))
    # Recorded from PyTorch after manual_seed(0) and three training-mode calls.
    np.testing.assert_allclose(z[0].tolist(), [-1.26149, 0.16811, -0.45183], atol=1e-5)
    np.testing.assert_allclose(s.weight_u.tolist(), [0.92467, -0.16619, 0.34259], atol=1e-5)


def test_spectral_norm_converges_to_the_largest_singular_value():
    torch.manual_seed(1)
    s = nn.utils.spectral_norm(nn.Linear(5, 4), n_power_iterations=30)
    s(torch.ones(1, 5))
    assert np.linalg.norm(s.weight.detach().numpy(), 2) == pytest.approx(1.0, rel=1e-4)
    u = s.weight_u.clone()
    s.eval()
    s(torch.ones(1, 5))
    assert torch.equal(s.weight_u, u)  # no power step in eval mode
    nn.utils.remove_spectral_norm(s)
    assert [n for n, _ in s.named_parameters()] == ["bias", "weight"]
    assert not list(s.named_buffers())


def test_spectral_norm_errors():
    with pytest.raises(ValueError) as info:
        nn.utils.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)
    assert str(info.value) == (
        "Expected n_power_iterations to be positive, but got n_power_iterations=0"
    )
    with pytest.raises(ValueError) as info:
        nn.utils.spectral_norm(nn.Linear(2, 2, bias=False), name="bias")
    assert str(info.value) == "`SpectralNorm` cannot be applied as parameter `bias` is None"
