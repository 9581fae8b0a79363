"""affine_grid and grid_sample: against numpy written from their definitions, PyTorch-recorded
values for the padding modes, gradients to both the image and the grid, and errors."""

import warnings

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


def np_bilinear_zeros(image, grid, align):
    """Bilinear sampling of one (C, H, W) image at (Ho, Wo, 2) points, zeros outside."""
    c, h, w = image.shape
    out = np.zeros((c,) + grid.shape[:2])
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            gx, gy = grid[i, j]
            x = (gx + 1) / 2 * (w - 1) if align else ((gx + 1) * w - 1) / 2
            y = (gy + 1) / 2 * (h - 1) if align else ((gy + 1) * h - 1) / 2
            x0, y0 = int(np.floor(x)), int(np.floor(y))
            for yy, wy in ((y0, 1 - (y - y0)), (y0 + 1, y - y0)):
                for xx, wx in ((x0, 1 - (x - x0)), (x0 + 1, x - x0)):
                    if 0 <= yy < h and 0 <= xx < w:
                        out[:, i, j] += wy * wx * image[:, yy, xx]
    return out


@settings(max_examples=10)
@given(h=st.integers(1, 4), w=st.integers(1, 4), align=st.booleans(), seed=st.integers(0, 99))
def test_bilinear_matches_numpy(h, w, align, seed):
    rng = np.random.default_rng(seed)
    image = rng.standard_normal((1, 2, h, w))
    grid = rng.uniform(-1.3, 1.3, (1, 3, 2, 2))
    got = F.grid_sample(torch.tensor(image), torch.tensor(grid), align_corners=align)
    np.testing.assert_allclose(got.numpy()[0], np_bilinear_zeros(image[0], grid[0], align),
                               atol=1e-12)  # fmt: skip


def test_affine_grid_identity_gives_pixel_centres_and_recorded_values():
    eye = torch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    grid = F.affine_grid(eye, (1, 1, 2, 3), align_corners=False)
    np.testing.assert_allclose(grid[0, :, :, 0].numpy(), [[-2 / 3, 0, 2 / 3]] * 2, atol=1e-7)
    np.testing.assert_allclose(grid[0, :, :, 1].numpy(), [[-0.5] * 3, [0.5] * 3], atol=1e-7)
    theta = torch.tensor([[[1.0, 0.2, 0.1], [0.0, 0.9, -0.2]]])
    grid = F.affine_grid(theta, (1, 1, 2, 3), align_corners=False)
    # Recorded from PyTorch.
    expected = [[[-0.6667, -0.65], [0.0, -0.65], [0.6667, -0.65]],
                [[-0.4667, 0.25], [0.2, 0.25], [0.8667, 0.25]]]  # fmt: skip
    np.testing.assert_allclose(grid[0].numpy(), expected, atol=1e-4)
    image = torch.arange(12.0).reshape(1, 1, 3, 4)
    sampled = F.grid_sample(image, grid, align_corners=False)
    np.testing.assert_allclose(sampled[0, 0].numpy(), [[0.2667, 1.6, 2.9333], [6.0667, 7.4, 6.5167]],
                               atol=1e-4)  # fmt: skip


# Sampling a 2x3 image at points inside and outside it, values recorded from PyTorch.
POINTS = torch.tensor([[[[-1.4, -0.2], [0.3, 1.5], [1.2, 0.4]]]])
IMAGE = torch.tensor([[[[1.0, 2.0, 4.0], [3.0, 5.0, 9.0]]]])


@pytest.mark.parametrize(
    "mode, padding, align, expected",
    [
        ("bilinear", "zeros", False, [0.0, 0.0, 1.699998]),
        ("bilinear", "border", False, [1.6, 6.8, 8.5]),
        ("bilinear", "reflection", True, [2.36, 5.3, 6.82]),
        ("nearest", "zeros", False, [0.0, 0.0, 0.0]),
        ("nearest", "border", True, [1.0, 5.0, 9.0]),
    ],
)
def test_padding_modes_match_pytorch(mode, padding, align, expected):
    got = F.grid_sample(IMAGE, POINTS, mode, padding, align)
    np.testing.assert_allclose(got.flatten().numpy(), expected, atol=1e-5)


@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align", [False, True])
def test_gradients_reach_image_and_grid(padding, align):
    image = torch.randn(1, 2, 3, 4, dtype=torch.float64, requires_grad=True)
    grid = (torch.rand(1, 2, 3, 2, dtype=torch.float64) * 2.4 - 1.2).requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda a, g: F.grid_sample(a, g, "bilinear", padding, align), (image, grid)
    )
    volume = torch.randn(1, 1, 2, 3, 2, dtype=torch.float64, requires_grad=True)
    points = (torch.rand(1, 2, 1, 2, 3, dtype=torch.float64) * 1.8 - 0.9).requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda a, g: F.grid_sample(a, g, "bilinear", padding, align), (volume, points)
    )


def test_nearest_gives_the_grid_a_zero_gradient():
    grid = torch.zeros(1, 1, 1, 2, requires_grad=True)
    F.grid_sample(IMAGE, grid, "nearest", align_corners=True).sum().backward()
    assert grid.grad.tolist() == [[[[0.0, 0.0]]]]


def test_default_align_corners_warns():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        F.affine_grid(torch.zeros(1, 2, 3), (1, 1, 2, 2))
    assert "align_corners=False since 1.3.0" in str(caught[0].message)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: F.affine_grid(torch.zeros(1, 3, 3), (1, 1, 2, 2), False), ValueError,
         ("Expected a batch of 2D affine matrices of shape Nx2x3 for size (1, 1, 2, 2). "
         "Got ferrograd.Size([1, 3, 3]).")),
        (lambda: F.affine_grid(torch.zeros(1, 2, 3), (1, 1, 2), False), NotImplementedError,
         ("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
         "respectively. Got size (1, 1, 2).")),
        (lambda: F.grid_sample(IMAGE, POINTS, mode="foo"), ValueError,
         ("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
         "but got: 'foo'")),
        (lambda: F.grid_sample(IMAGE, POINTS, padding_mode="foo"), ValueError,
         ("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
         "'reflection', but got: 'foo'")),
        (lambda: F.grid_sample(torch.zeros(2, 1, 3, 4), POINTS, align_corners=False),
         RuntimeError,
         ("grid_sampler(): expected grid and input to have same batch size, but got input with "
         "sizes [2, 1, 3, 4] and grid with sizes [1, 1, 3, 2]")),
    ],
)  # fmt: skip
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message
