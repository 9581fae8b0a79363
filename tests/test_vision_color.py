"""ferrograd.vision colour transforms: brightness, contrast, saturation, hue, grayscale and
ColorJitter's argument checks, on tensors (hand formulas) and PIL images (torchvision values)."""

from __future__ import annotations

import ferrograd as torch
import ferrograd.vision.transforms as T
import ferrograd.vision.transforms.functional as F
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from vision_recorded import (
    BRIGHTNESS_PIL_15_CORNER,
    CONTRAST_PIL_05_CORNER,
    CONTRAST_UINT8_05_CORNER,
    HUE_FLOAT_025_CORNER,
    HUE_PIL_025_CORNER,
    HUE_UINT8_M04_CORNER,
    SATURATION_PIL_15_CORNER,
    sample_image,
)

HWC = sample_image(6, 9)
PIL_IMG = Image.fromarray(HWC)
CHW = HWC.transpose(2, 0, 1)
X = CHW / 255.0  # the float image, in numpy


def float_tensor() -> torch.Tensor:
    return torch.from_numpy(CHW.copy()).float() / 255


def uint8_tensor() -> torch.Tensor:
    return torch.from_numpy(CHW.copy())


def luma(x: np.ndarray) -> np.ndarray:
    """ITU-R 601 gray level, the weights torchvision uses."""
    return 0.2989 * x[0] + 0.587 * x[1] + 0.114 * x[2]


def test_brightness_scales_and_clips():
    # factor * x, clipped to [0, 1].
    out = F.adjust_brightness(float_tensor(), 1.7)
    np.testing.assert_allclose(out.numpy(), np.clip(1.7 * X, 0, 1), atol=1e-6)
    assert F.adjust_brightness(float_tensor(), 0.0).numpy().max() == 0.0


def test_contrast_blends_with_mean_gray():
    # factor * x + (1 - factor) * mean(gray(x)), clipped.
    factor = 0.4
    expected = np.clip(factor * X + (1 - factor) * luma(X).mean(), 0, 1)
    np.testing.assert_allclose(
        F.adjust_contrast(float_tensor(), factor).numpy(), expected, atol=1e-6
    )
    out_u8 = F.adjust_contrast(uint8_tensor(), 0.5)
    assert out_u8.dtype == torch.uint8
    np.testing.assert_array_equal(out_u8[:, :2, :3].numpy(), CONTRAST_UINT8_05_CORNER)


def test_saturation_blends_with_grayscale():
    factor = 1.5
    expected = np.clip(factor * X + (1 - factor) * luma(X)[None], 0, 1)
    out = F.adjust_saturation(float_tensor(), factor)
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-6)
    # A gray (one-channel) image has no saturation to change.
    gray = float_tensor()[:1]
    assert F.adjust_saturation(gray, 0.3) is gray


def test_grayscale():
    out = T.Grayscale(num_output_channels=3)(float_tensor())
    assert tuple(out.shape) == (3, 6, 9)
    for channel in out.numpy():
        np.testing.assert_allclose(channel, luma(X), atol=1e-6)
    assert T.Grayscale()(PIL_IMG).mode == "L"


def test_hue_matches_torchvision():
    np.testing.assert_allclose(
        F.adjust_hue(float_tensor(), 0.25)[:, :2, :3].numpy(), HUE_FLOAT_025_CORNER, atol=1e-5
    )
    out = F.adjust_hue(uint8_tensor(), -0.4)
    assert out.dtype == torch.uint8
    np.testing.assert_array_equal(out[:, :2, :3].numpy(), HUE_UINT8_M04_CORNER)


@given(st.floats(-0.5, 0.5))
def test_hue_shift_keeps_gray_pixels(shift):
    # Gray pixels (r = g = b) have no hue: any shift leaves them as they are.
    gray = torch.tensor([[[0.0, 0.25, 1.0]]]).expand(3, 1, 3).contiguous()
    np.testing.assert_allclose(F.adjust_hue(gray, shift).numpy(), gray.numpy(), atol=1e-6)


def test_hue_zero_is_identity():
    np.testing.assert_allclose(F.adjust_hue(float_tensor(), 0.0).numpy(), X, atol=1e-5)


def test_pil_colour_adjustments_match_torchvision():
    def corner(img: Image.Image) -> np.ndarray:
        return np.asarray(img)[:2, :3]

    np.testing.assert_array_equal(corner(F.adjust_hue(PIL_IMG, 0.25)), HUE_PIL_025_CORNER)
    np.testing.assert_array_equal(corner(F.adjust_contrast(PIL_IMG, 0.5)), CONTRAST_PIL_05_CORNER)
    np.testing.assert_array_equal(
        corner(F.adjust_saturation(PIL_IMG, 1.5)), SATURATION_PIL_15_CORNER
    )
    np.testing.assert_array_equal(
        corner(F.adjust_brightness(PIL_IMG, 1.5)), BRIGHTNESS_PIL_15_CORNER
    )


def test_colour_errors():
    with pytest.raises(ValueError, match=r"hue_factor \(0.6\) is not in \[-0.5, 0.5\]."):
        F.adjust_hue(PIL_IMG, 0.6)
    with pytest.raises(ValueError, match=r"brightness_factor \(-1\) is not non-negative."):
        F.adjust_brightness(float_tensor(), -1)
    with pytest.raises(TypeError, match=r"permitted channel values are \[1, 3\], but found 2"):
        F.adjust_saturation(torch.zeros(2, 2, 2), 0.5)
    with pytest.raises(ValueError, match=r"num_output_channels should be either 1 or 3"):
        F.rgb_to_grayscale(float_tensor(), 2)


def test_color_jitter_ranges_and_repr():
    jitter = T.ColorJitter(brightness=0.2, contrast=(0.5, 1.5), saturation=0, hue=0.1)
    # brightness 0.2 -> [0.8, 1.2]; saturation 0 -> None (nothing to do).
    assert jitter.brightness == (0.8, 1.2) and jitter.saturation is None
    assert repr(jitter) == (
        "ColorJitter(brightness=(0.8, 1.2), contrast=(0.5, 1.5), saturation=None, hue=(-0.1, 0.1))"
    )
    # max(0, 1 - 2) = 0 for the lower bound.
    assert T.ColorJitter(brightness=2).brightness == (0.0, 3.0)


def test_color_jitter_errors():
    with pytest.raises(ValueError, match=r"If brightness is a single number, it must be non neg"):
        T.ColorJitter(brightness=-1)
    with pytest.raises(TypeError, match=r"contrast should be a single number or a list/tuple"):
        T.ColorJitter(contrast="a")
    with pytest.raises(ValueError, match=r"hue values should be between \(-0.5, 0.5\), but got"):
        T.ColorJitter(hue=0.7)
