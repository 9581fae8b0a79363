"""Random transforms draw from ferrograd's generator exactly as torchvision draws from PyTorch's:
after `manual_seed(s)` they make the choices recorded from torchvision with the same seed."""

from __future__ import annotations

import ferrograd as torch
import ferrograd.vision.transforms as T
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from vision_recorded import (
    COLOR_JITTER_PARAMS_SEED3,
    COLOR_JITTER_SEED7_CORNER,
    HFLIP_DECISIONS_SEED1,
    PIPELINE_SEED5,
    RANDOM_CROP_PARAMS_SEED0,
    RANDOM_ROTATION_SEED6_CH2,
    RESIZED_CROP_PARAMS_SEED4,
    ROTATION_ANGLES_SEED2,
    sample_image,
)

HWC = sample_image(6, 9)
PIL_IMG = Image.fromarray(HWC)
CHW = HWC.transpose(2, 0, 1)


def uint8_tensor() -> torch.Tensor:
    return torch.from_numpy(CHW.copy())


def test_random_crop_positions():
    torch.manual_seed(0)
    params = [T.RandomCrop.get_params(uint8_tensor(), (4, 5)) for _ in range(5)]
    assert params == RANDOM_CROP_PARAMS_SEED0


def test_horizontal_flip_decisions():
    torch.manual_seed(1)
    flip = T.RandomHorizontalFlip()
    image = uint8_tensor()
    decisions = [flip(image).tolist() == image.flip(-1).tolist() for _ in range(8)]
    assert decisions == HFLIP_DECISIONS_SEED1


def test_rotation_angles_and_output():
    torch.manual_seed(2)
    angles = [round(T.RandomRotation.get_params([-30.0, 30.0]), 5) for _ in range(3)]
    assert angles == ROTATION_ANGLES_SEED2
    torch.manual_seed(6)
    out = T.RandomRotation(45, fill=7)(uint8_tensor())
    np.testing.assert_array_equal(out[2].numpy(), RANDOM_ROTATION_SEED6_CH2)


def test_color_jitter_params_and_output():
    torch.manual_seed(3)
    order, b, c, s, h = T.ColorJitter.get_params((0.6, 1.4), (0.7, 1.3), None, (-0.1, 0.1))
    assert order.tolist() == COLOR_JITTER_PARAMS_SEED3[0]
    assert s is None
    np.testing.assert_allclose(
        [b, c, h], [COLOR_JITTER_PARAMS_SEED3[i] for i in (1, 2, 4)], atol=1e-6
    )
    torch.manual_seed(7)
    out = T.ColorJitter(0.5, 0.5, 0.5, 0.2)(uint8_tensor().float() / 255)
    np.testing.assert_allclose(out[:, :2, :3].numpy(), COLOR_JITTER_SEED7_CORNER, atol=1e-5)


def test_resized_crop_params():
    torch.manual_seed(4)
    params = [
        T.RandomResizedCrop.get_params(uint8_tensor(), (0.08, 1.0), (0.75, 4 / 3)) for _ in range(3)
    ]
    assert params == RESIZED_CROP_PARAMS_SEED4


def test_whole_pipeline_reproduces_torchvision():
    torch.manual_seed(5)
    pipeline = T.Compose(
        [
            T.RandomCrop(4, padding=1),
            T.RandomHorizontalFlip(),
            T.ToTensor(),
            T.Normalize((0.5, 0.5, 0.5), (0.25, 0.25, 0.25)),
        ]
    )
    np.testing.assert_allclose(pipeline(PIL_IMG)[0].numpy(), PIPELINE_SEED5, atol=1e-6)


def test_same_seed_same_choices():
    transform = T.Compose([T.RandomResizedCrop(5), T.RandomRotation(20), T.ColorJitter(0.3)])
    torch.manual_seed(11)
    first = [np.asarray(transform(PIL_IMG)) for _ in range(3)]
    torch.manual_seed(11)
    second = [np.asarray(transform(PIL_IMG)) for _ in range(3)]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


@given(st.integers(1, 6), st.integers(1, 9), st.integers(0, 1000))
def test_random_crop_is_a_window_of_the_image(th, tw, seed):
    torch.manual_seed(seed)
    out = T.RandomCrop((th, tw))(uint8_tensor()).numpy()
    windows = [CHW[:, i : i + th, j : j + tw] for i in range(6 - th + 1) for j in range(9 - tw + 1)]
    assert any(np.array_equal(out, w) for w in windows)


def test_random_crop_pads_if_needed():
    # Short by 3 columns and 2 rows: torchvision pads that much on *both* sides (to 10x15),
    # then crops 8x12 at random, so the result is a window of the padded image.
    torch.manual_seed(0)
    out = T.RandomCrop((8, 12), pad_if_needed=True, fill=5)(uint8_tensor()).numpy()
    padded = np.pad(CHW, [(0, 0), (2, 2), (3, 3)], constant_values=5)
    windows = [padded[:, i : i + 8, j : j + 12] for i in range(3) for j in range(4)]
    assert any(np.array_equal(out, w) for w in windows)
    with pytest.raises(ValueError, match=r"Required crop size \(8, 12\) is larger than input"):
        T.RandomCrop((8, 12))(uint8_tensor())


def test_random_apply_and_grayscale_probabilities():
    # p = 1 always applies, p = 0 never does.
    assert T.RandomApply([T.RandomVerticalFlip(1.0)], p=0.0)(PIL_IMG) is PIL_IMG
    flipped = T.RandomApply([T.RandomVerticalFlip(1.0)], p=1.0)(PIL_IMG)
    np.testing.assert_array_equal(np.asarray(flipped), HWC[::-1])
    assert T.RandomGrayscale(p=1.0)(PIL_IMG).mode == "RGB"  # keeps the channel count
    gray = np.asarray(T.RandomGrayscale(p=1.0)(PIL_IMG))
    assert (gray[..., 0] == gray[..., 1]).all()
