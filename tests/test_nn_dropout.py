"""Dropout: statistics of the mask, scaling, channel-wise masks, determinism under
manual_seed, eval identity, reprs and messages recorded from PyTorch."""

from __future__ import annotations

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from ferrograd import nn
from ferrograd.autograd import gradcheck
from hypothesis import given, settings
from hypothesis import strategies as st


@settings(max_examples=8)
@given(p=st.sampled_from([0.1, 0.5, 0.8]))
def test_dropout_statistics_and_scaling(p):
    torch.manual_seed(0)
    out = F.dropout(torch.ones(20000), p).numpy()
    kept = out != 0
    # Kept elements are scaled by 1 / (1 - p); the kept fraction is about 1 - p.
    np.testing.assert_allclose(out[kept], 1 / (1 - p), rtol=1e-6)
    assert abs(kept.mean() - (1 - p)) < 0.02


def test_same_mask_as_bernoulli_under_manual_seed():
    # PyTorch's output with manual_seed(0): tensor([0., 0., 2., 0., 0., 0., 2., 2., 0., 2.])
    torch.manual_seed(0)
    assert F.dropout(torch.ones(10), 0.5).tolist() == [0, 0, 2, 0, 0, 0, 2, 2, 0, 2]
    torch.manual_seed(5)
    a = F.dropout(torch.ones(50), 0.3)
    torch.manual_seed(5)
    np.testing.assert_array_equal(a.numpy(), F.dropout(torch.ones(50), 0.3).numpy())


def test_channel_dropout_zeroes_whole_channels():
    torch.manual_seed(1)
    out = F.dropout2d(torch.ones(4, 8, 3, 3), 0.5).numpy()
    per_channel = out.reshape(4, 8, 9)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
    assert F.dropout1d(torch.randn(3, 4), 0.5).shape == (3, 4)
    assert F.dropout3d(torch.randn(2, 3, 4, 5), 0.5).shape == (2, 3, 4, 5)


def test_identity_cases_and_gradient():
    x = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert F.dropout(x, 1.0).grad_fn.name() == "MulBackward0"
    assert F.dropout(x, 1.0).detach().abs().sum().item() == 0.0

    def fixed_mask(t):
        torch.manual_seed(2)
        return F.dropout(t, 0.4)

    assert gradcheck(fixed_mask, (x,))


def test_alpha_dropout_keeps_mean_and_variance():
    torch.manual_seed(0)
    y = F.alpha_dropout(torch.randn(100000), 0.2, training=True)
    assert abs(y.mean().item()) < 0.02
    assert abs(y.std().item() - 1) < 0.02
    x = torch.randn(5)
    assert F.alpha_dropout(x, 0.2) is x  # training defaults to False
    out = F.feature_alpha_dropout(torch.randn(2, 3, 4), 0.5, training=True).numpy()
    assert out.shape == (2, 3, 4)


def test_inplace():
    torch.manual_seed(0)
    x = torch.ones(10)
    out = F.dropout(x, 0.5, inplace=True)
    assert out is x
    assert x.tolist() == [0, 0, 2, 0, 0, 0, 2, 2, 0, 2]


def test_layers_and_reprs():
    assert repr(nn.Dropout()) == "Dropout(p=0.5, inplace=False)"
    assert repr(nn.Dropout1d(0.2)) == "Dropout1d(p=0.2, inplace=False)"
    assert repr(nn.Dropout2d(inplace=True)) == "Dropout2d(p=0.5, inplace=True)"
    assert repr(nn.Dropout3d()) == "Dropout3d(p=0.5, inplace=False)"
    assert repr(nn.AlphaDropout(0.3)) == "AlphaDropout(p=0.3, inplace=False)"
    assert repr(nn.FeatureAlphaDropout()) == "FeatureAlphaDropout(p=0.5, inplace=False)"
    layer = nn.Dropout(0.5)
    x = torch.ones(100)
    assert (layer(x).numpy() == 0).any()
    layer.eval()
    assert layer(x) is x


def test_error_messages():
    msg = "dropout probability has to be between 0 and 1, but got 1.5"
    with pytest.raises(ValueError, match=f"^{msg}$"):
        F.dropout(torch.randn(3), 1.5)
    with pytest.raises(ValueError, match=f"^{msg}$"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="but got -0.1$"):
        F.alpha_dropout(torch.randn(3), -0.1)
    with pytest.raises(
        RuntimeError, match=r"^dropout1d: Expected 2D or 3D input, but received a 4D input\. Note"
    ):
        F.dropout1d(torch.randn(2, 3, 4, 5))
    with pytest.raises(
        RuntimeError, match="^result type Float can't be cast to the desired output type Long$"
    ):
        F.dropout(torch.arange(4), 0.5)
    with pytest.warns(UserWarning, match="dropout2d: Received a 2-D input to dropout2d"):
        F.dropout2d(torch.randn(2, 3))
    with pytest.warns(
        UserWarning, match="dropout2d: Received a 3D input to dropout2d and assuming"
    ):
        F.dropout2d(torch.randn(2, 3, 4))
