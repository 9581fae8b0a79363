"""ferrograd.vision.utils: make_grid's layout and normalisation, save_image's file contents."""

from __future__ import annotations

import io

import ferrograd as torch
import numpy as np
import pytest
from ferrograd.vision.utils import make_grid, save_image
from PIL import Image


def batch(n: int, c: int = 3, h: int = 2, w: int = 3) -> torch.Tensor:
    """Image k is filled with the value k + 1, so each grid cell shows which image it holds."""
    values = np.arange(1, n + 1, dtype=np.float32)[:, None, None, None]
    return torch.from_numpy(np.broadcast_to(values, (n, c, h, w)).copy())


def test_grid_layout():
    # 5 images of 2x3, nrow=2, padding=1: cells are (2+1) x (3+1), 3 rows x 2 columns, plus one
    # closing strip: (3 * 3 + 1) x (4 * 2 + 1) = 10 x 9.
    grid = make_grid(batch(5), nrow=2, padding=1, pad_value=-1.0).numpy()
    assert grid.shape == (3, 10, 9)
    for k in range(5):
        row, col = divmod(k, 2)
        top, left = 1 + 3 * row, 1 + 4 * col
        assert (grid[:, top : top + 2, left : left + 3] == k + 1).all()
    # The sixth cell is empty: padding value only.
    assert (grid[:, 7:9, 5:8] == -1.0).all()
    assert (grid[:, 0, :] == -1.0).all() and (grid[:, :, 0] == -1.0).all()


def test_grid_defaults_and_shapes():
    # Default nrow=8, padding=2: 3 images in one row, (2+2)+2 = 6 high, 3 * (3+2) + 2 = 17 wide.
    assert tuple(make_grid(batch(3)).shape) == (3, 6, 17)
    # One image comes back as it is; a single channel is repeated to three.
    assert tuple(make_grid(batch(1)).shape) == (3, 2, 3)
    gray = make_grid(batch(4, c=1), nrow=4, padding=0).numpy()
    assert gray.shape == (3, 2, 12) and (gray[0] == gray[2]).all()
    # A list of images is stacked first.
    images = [torch.ones(3, 2, 3) * i for i in range(3)]
    assert tuple(make_grid(images, nrow=3, padding=0).shape) == (3, 2, 9)


def test_grid_normalize():
    x = batch(2)  # values 1 and 2
    # Over the whole batch: (x - 1) / (2 - 1) -> 0 and 1.
    grid = make_grid(x, normalize=True, padding=0).numpy()
    assert grid[:, :, :3].max() == 0.0 and grid[:, :, 3:].min() == 1.0
    # Per image each is constant, so (x - x) / max(0, 1e-5) = 0 everywhere.
    assert make_grid(x, normalize=True, scale_each=True, padding=0).numpy().max() == 0.0
    # A given range clamps first: (clamp(x, 0, 4) - 0) / 4 -> 0.25 and 0.5.
    ranged = make_grid(x, normalize=True, value_range=(0, 4), padding=0).numpy()
    np.testing.assert_allclose(ranged[0, 0, [0, 3]], [0.25, 0.5])
    assert x.numpy().max() == 2.0  # the input is not modified


def test_grid_errors():
    with pytest.raises(TypeError, match=r"tensor or list of tensors expected, got <class 'int'>"):
        make_grid(3)
    with pytest.raises(TypeError, match=r"got a list containing <class 'int'>"):
        make_grid([1, 2])
    with pytest.raises(TypeError, match=r"value_range has to be a tuple \(min, max\)"):
        make_grid(batch(2), normalize=True, value_range=[0, 1])


def test_save_image_writes_rounded_pixels(tmp_path):
    # x * 255 + 0.5, clamped, truncated: 0.5 -> 128, 1.2 -> 255, -1 -> 0.
    image = torch.tensor([[[0.5, 1.2], [-1.0, 0.1]]]).expand(3, 2, 2)
    path = tmp_path / "out.png"
    save_image(image, str(path))
    pixels = np.asarray(Image.open(path))
    assert pixels.shape == (2, 2, 3)
    assert pixels[..., 0].tolist() == [[128, 255], [0, 26]]
    buffer = io.BytesIO()
    save_image(batch(3) / 3, buffer, format="png", nrow=3, padding=1)
    assert Image.open(buffer).size == (3 * 4 + 1, 2 + 2)
