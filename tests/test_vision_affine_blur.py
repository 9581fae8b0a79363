"""`functional.affine`, `functional.gaussian_blur`, `RandomAffine` and `GaussianBlur` against
hand-worked cases and values recorded from torchvision (affine_blur_recorded.py): PIL results
exactly, tensor results within float tolerance, random parameters exactly under `manual_seed`."""

from __future__ import annotations

import math

import ferrograd as torch
import ferrograd.vision.transforms as T
import ferrograd.vision.transforms.functional as F
import numpy as np
import pytest
from affine_blur_recorded import (
    AFFINE_FLOAT_BILINEAR_CENTER_CH2,
    AFFINE_FLOAT_BILINEAR_FILL_CH0,
    AFFINE_PIL_BILINEAR_CENTER_CH1,
    AFFINE_PIL_NEAREST_CH0,
    AFFINE_UINT8_NEAREST_CH2,
    BLUR_FLOAT_K3_CH0,
    BLUR_FLOAT_K53_S_CH2,
    BLUR_PIL_K3_S1_CH0,
    BLUR_PIL_L_K35,
    BLUR_UINT8_K5_S2_CH1,
    GAUSSIAN_BLUR_SEED4_CH0,
    GAUSSIAN_BLUR_SIGMAS_SEED3,
    RANDOM_AFFINE_FLOAT_SEED9_CH1,
    RANDOM_AFFINE_PARAMS_SEED0,
    RANDOM_AFFINE_PARAMS_SEED1,
    RANDOM_AFFINE_PIL_SEED8_CH0,
)
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from vision_recorded import sample_image

HWC = sample_image(6, 9)
PIL_IMG = Image.fromarray(HWC)
IM = T.InterpolationMode


def uint8_tensor() -> torch.Tensor:
    return torch.from_numpy(HWC.transpose(2, 0, 1).copy())


def float_tensor() -> torch.Tensor:
    return uint8_tensor().float() / 255


# --- affine --------------------------------------------------------------------------------


@pytest.mark.parametrize("angle, turns", [(90.0, -1), (-90.0, 1), (180.0, 2)])
def test_affine_quarter_turns_are_rot90(angle, turns):
    # affine's angle is clockwise, so +90 degrees on a square image is numpy's rot90 with k=-1.
    square = sample_image(5, 5)
    tensor = torch.from_numpy(square.transpose(2, 0, 1).copy())
    expected = np.rot90(square, turns, axes=(0, 1))
    out = F.affine(tensor, angle, [0, 0], 1.0, 0.0)
    np.testing.assert_array_equal(out.numpy(), expected.transpose(2, 0, 1))
    out_pil = F.affine(Image.fromarray(square), angle, [0, 0], 1.0, 0.0)
    np.testing.assert_array_equal(np.asarray(out_pil), expected)


def test_affine_translation_is_a_shift():
    # translate=(2, 1): output pixel (x, y) reads input (x - 2, y - 1), exactly at pixel
    # centres; what comes from outside the image is the fill.
    expected = np.full_like(HWC, 9)
    expected[1:, 2:] = HWC[:-1, :-2]
    out = F.affine(uint8_tensor(), 0.0, (2, 1), 1.0, [0.0, 0.0], fill=9)
    np.testing.assert_array_equal(out.numpy(), expected.transpose(2, 0, 1))
    np.testing.assert_array_equal(np.asarray(F.affine(PIL_IMG, 0, [2, 1], 1, 0, fill=9)), expected)


def test_affine_pil_matches_torchvision_exactly():
    out = np.asarray(F.affine(PIL_IMG, 30.0, [1, -2], 1.2, [10.0, -5.0]))
    np.testing.assert_array_equal(out[..., 0], AFFINE_PIL_NEAREST_CH0)
    out = F.affine(PIL_IMG, -45.0, [0, 1], 0.8, 15.0, IM.BILINEAR, [10, 20, 30], center=[2, 3])
    assert out.mode == "RGB" and out.size == (9, 6)
    np.testing.assert_array_equal(np.asarray(out)[..., 1], AFFINE_PIL_BILINEAR_CENTER_CH1)


def test_affine_tensor_matches_torchvision():
    out = F.affine(uint8_tensor(), 30.0, [1, -2], 1.2, [10.0, -5.0])
    assert out.dtype == torch.uint8 and tuple(out.shape) == (3, 6, 9)
    np.testing.assert_array_equal(out[2].numpy(), AFFINE_UINT8_NEAREST_CH2)
    out = F.affine(float_tensor(), 170.0, [-1, 1], 0.7, [-30.0, 25.0], IM.BILINEAR, [0.5, 0.25, 1])
    np.testing.assert_allclose(out[0].numpy(), AFFINE_FLOAT_BILINEAR_FILL_CH0, atol=2e-6)
    # A one-element shear shears along both axes; `center` is in pixels from the top-left.
    out = F.affine(float_tensor(), 12.5, [2, 1], 1.5, [20.0], IM.BILINEAR, center=[2, 3])
    np.testing.assert_allclose(out[2].numpy(), AFFINE_FLOAT_BILINEAR_CENTER_CH2, atol=2e-6)
    # A batch gets the same transform on every image.
    batch = F.affine(torch.stack([float_tensor()] * 2), 12.5, [2, 1], 1.5, [20.0], 2, None, [2, 3])
    np.testing.assert_allclose(batch[1, 2].numpy(), AFFINE_FLOAT_BILINEAR_CENTER_CH2, atol=2e-6)


@given(
    h=st.integers(1, 7),
    w=st.integers(1, 7),
    seed=st.integers(0, 2**16),
    as_pil=st.booleans(),
)
def test_identity_affine_returns_the_image(h, w, seed, as_pil):
    pixels = np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)
    if as_pil:
        out = np.asarray(F.affine(Image.fromarray(pixels), 0.0, [0, 0], 1.0, 0.0))
    else:
        image = torch.from_numpy(pixels.transpose(2, 0, 1).copy())
        out = F.affine(image, 0.0, [0, 0], 1.0, 0.0).numpy().transpose(1, 2, 0)
    np.testing.assert_array_equal(out, pixels)


# --- RandomAffine --------------------------------------------------------------------------


def test_random_affine_params_follow_the_generator():
    torch.manual_seed(0)
    ranges = ([-30.0, 30.0], [0.1, 0.2], [0.8, 1.2], [-10.0, 10.0, -5.0, 5.0], [9, 6])
    params = [T.RandomAffine.get_params(*ranges) for _ in range(3)]
    assert params == RANDOM_AFFINE_PARAMS_SEED0
    # Without translate and scale nothing is drawn for them; a 2-element shear is x only.
    torch.manual_seed(1)
    ranges = ([0.0, 0.0], None, None, [-5.0, 5.0], [9, 6])
    params = [T.RandomAffine.get_params(*ranges) for _ in range(2)]
    assert params == RANDOM_AFFINE_PARAMS_SEED1


def test_random_affine_outputs():
    torch.manual_seed(8)
    transform = T.RandomAffine(25, translate=(0.2, 0.1), scale=(0.7, 1.3), shear=8, fill=50)
    np.testing.assert_array_equal(
        np.asarray(transform(PIL_IMG))[..., 0], RANDOM_AFFINE_PIL_SEED8_CH0
    )
    torch.manual_seed(9)
    transform = T.RandomAffine((-20, 40), (0.3, 0.3), interpolation=IM.BILINEAR, fill=1)
    out = transform(float_tensor())
    np.testing.assert_allclose(out[1].numpy(), RANDOM_AFFINE_FLOAT_SEED9_CH1, atol=2e-6)


# --- gaussian_blur -------------------------------------------------------------------------


def test_blur_of_an_impulse_is_the_kernel():
    # kernel_size 3 and no sigma: sigma = 0.15 * 3 + 0.35 = 0.8, so the 1-d weights are
    # exp(-x^2 / 1.28) at x = -1, 0, 1 normalised: e = exp(-0.78125), [e, 1, e] / (1 + 2e).
    e = math.exp(-0.78125)
    k1 = np.array([e, 1.0, e]) / (1.0 + 2.0 * e)
    impulse = torch.zeros(1, 5, 5, dtype=torch.float64)
    impulse[0, 2, 2] = 1.0
    out = F.gaussian_blur(impulse, 3)
    expected = np.zeros((5, 5))
    expected[1:4, 1:4] = np.outer(k1, k1)
    np.testing.assert_allclose(out[0].numpy(), expected, rtol=1e-12, atol=1e-15)


def test_blur_tensor_matches_torchvision():
    np.testing.assert_allclose(
        F.gaussian_blur(float_tensor(), 3)[0].numpy(), BLUR_FLOAT_K3_CH0, atol=2e-6
    )
    out = F.gaussian_blur(float_tensor(), [5, 3], [1.5, 0.6])
    np.testing.assert_allclose(out[2].numpy(), BLUR_FLOAT_K53_S_CH2, atol=2e-6)
    out = F.gaussian_blur(uint8_tensor(), 5, 2.0)
    assert out.dtype == torch.uint8
    np.testing.assert_array_equal(out[1].numpy(), BLUR_UINT8_K5_S2_CH1)


def test_blur_pil_matches_torchvision_exactly():
    out = F.gaussian_blur(PIL_IMG, [3, 5], 1.0)
    assert out.mode == "RGB" and out.size == (9, 6)
    np.testing.assert_array_equal(np.asarray(out)[..., 0], BLUR_PIL_K3_S1_CH0)
    # Default sigmas 0.8 and 1.1. One pixel here is 126.5 exactly in float32 and rounds to 126
    # (halves to even), which needs the kernel's exp correctly rounded: an ulp off gives 127.
    gray = F.gaussian_blur(PIL_IMG.convert("L"), (3, 5))
    assert gray.mode == "L"
    np.testing.assert_array_equal(np.asarray(gray), BLUR_PIL_L_K35)


@given(
    value=st.floats(-10.0, 10.0),
    kx=st.sampled_from([1, 3, 5]),
    ky=st.sampled_from([1, 3, 5]),
    sigma=st.floats(0.1, 5.0),
)
def test_blur_keeps_a_constant_image(value, kx, ky, sigma):
    # The kernel sums to 1 and reflect padding repeats the constant.
    image = torch.full((2, 6, 7), value)
    out = F.gaussian_blur(image, [kx, ky], sigma)
    assert tuple(out.shape) == (2, 6, 7) and out.dtype == torch.float32
    np.testing.assert_allclose(out.numpy(), np.full((2, 6, 7), value), atol=1e-5 * (1 + abs(value)))


def test_gaussian_blur_transform():
    torch.manual_seed(3)
    sigmas = [T.GaussianBlur.get_params(0.1, 2.0) for _ in range(3)]
    assert sigmas == GAUSSIAN_BLUR_SIGMAS_SEED3
    torch.manual_seed(4)
    out = T.GaussianBlur(3, sigma=(0.5, 3.0))(float_tensor())
    np.testing.assert_allclose(out[0].numpy(), GAUSSIAN_BLUR_SEED4_CH0, atol=2e-6)


# --- printed form and errors ---------------------------------------------------------------


def test_reprs_match_torchvision():
    cases = {
        "RandomAffine(degrees=[-10.0, 10.0])": T.RandomAffine(10),
        "RandomAffine(degrees=[-5.0, 20.0], translate=(0.1, 0.3), scale=(0.9, 1.1), "
        "shear=[-8.0, 8.0], interpolation=bilinear, fill=(1, 2, 3), center=(1, 2))": (
            T.RandomAffine(
                (-5, 20), (0.1, 0.3), (0.9, 1.1), 8, IM.BILINEAR, fill=(1, 2, 3), center=(1, 2)
            )
        ),
        "RandomAffine(degrees=[0.0, 0.0], shear=[1.0, 2.0, 3.0, 4.0], interpolation=bilinear)": (
            T.RandomAffine(0, shear=[1, 2, 3, 4], interpolation=2, fill=None)
        ),
        "GaussianBlur(kernel_size=(3, 3), sigma=(0.1, 2.0))": T.GaussianBlur(3),
        "GaussianBlur(kernel_size=(5, 3), sigma=(1.5, 1.5))": T.GaussianBlur((5, 3), sigma=1.5),
        "GaussianBlur(kernel_size=(3, 3), sigma=[0.2, 0.4])": T.GaussianBlur([3], [0.2, 0.4]),
    }
    for text, transform in cases.items():
        assert repr(transform) == text


ERRORS = [
    (lambda: F.affine(float_tensor(), "1", [0, 0], 1.0, 0.0), TypeError,
     "Argument angle should be int or float"),
    (lambda: F.affine(float_tensor(), 1.0, 3, 1.0, 0.0), TypeError,
     "Argument translate should be a sequence"),
    (lambda: F.affine(float_tensor(), 1.0, [1, 2, 3], 1.0, 0.0), ValueError,
     "Argument translate should be a sequence of length 2"),
    (lambda: F.affine(float_tensor(), 1.0, [1, 2], 0.0, 0.0), ValueError,
     "Argument scale should be positive"),
    (lambda: F.affine(float_tensor(), 1.0, [1, 2], 1.0, "3"), TypeError,
     "Shear should be either a single value or a sequence of two values"),
    (lambda: F.affine(float_tensor(), 1.0, [1, 2], 1.0, [1.0, 2.0, 3.0]), ValueError,
     "Shear should be a sequence containing two values. Got [1.0, 2.0, 3.0]"),
    (lambda: F.affine(float_tensor(), 1.0, [1, 2], 1.0, 0.0, center=3), TypeError,
     "Argument center should be a sequence"),
    (lambda: F.affine(float_tensor(), 1.0, [1, 2], 1.0, 0.0, IM.BICUBIC), ValueError,
     "Interpolation mode 'bicubic' is unsupported with Tensor input"),
    (lambda: F.affine(float_tensor(), 1.0, [1, 2], 1.0, 0.0, fill=[1.0, 2.0]), ValueError,
     ("The number of elements in 'fill' cannot broadcast to match the number of channels of "
      "the image (2 != 3)")),
    (lambda: F.affine(PIL_IMG, 1.0, [1, 2], 1.0, 0.0, fill=[1, 2]), ValueError,
     ("The number of elements in 'fill' does not match the number of channels of the image "
      "(2 != 3)")),
    (lambda: F.gaussian_blur(float_tensor(), 4), ValueError,
     "kernel_size should have odd and positive integers. Got [4, 4]"),
    (lambda: F.gaussian_blur(float_tensor(), [3, -1]), ValueError,
     "kernel_size should have odd and positive integers. Got [3, -1]"),
    (lambda: F.gaussian_blur(float_tensor(), [3, 3, 3]), ValueError,
     "If kernel_size is a sequence its length should be 2. Got 3"),
    (lambda: F.gaussian_blur(float_tensor(), 3.0), TypeError,
     "kernel_size should be int or a sequence of integers. Got <class 'float'>"),
    (lambda: F.gaussian_blur(float_tensor(), 3, "1"), TypeError,
     "sigma should be either float or sequence of floats. Got <class 'str'>"),
    (lambda: F.gaussian_blur(float_tensor(), 3, -1), ValueError,
     "sigma should have positive values. Got [-1.0, -1.0]"),
    (lambda: F.gaussian_blur(float_tensor(), 3, (1.0, 0.0)), ValueError,
     "sigma should have positive values. Got (1.0, 0.0)"),
    (lambda: F.gaussian_blur(float_tensor(), 3, [1.0, 2.0, 3.0]), ValueError,
     "If sigma is a sequence, its length should be 2. Got 3"),
    (lambda: F.gaussian_blur([1], 3), TypeError,
     "img should be PIL Image or Tensor. Got <class 'list'>"),
    (lambda: F.gaussian_blur(torch.zeros(3, 5, 6), 15), RuntimeError,
     ("Argument #4: Padding size should be less than the corresponding input dimension, but "
      "got: padding (7, 7) at dimension 3 of input [1, 3, 5, 6]")),
    (lambda: T.RandomAffine(-1), ValueError,
     "If degrees is a single number, it must be positive."),
    (lambda: T.RandomAffine(5, translate=0.1), TypeError,
     "translate should be a sequence of length 2."),
    (lambda: T.RandomAffine(5, translate=(0.1, 1.5)), ValueError,
     "translation values should be between 0 and 1"),
    (lambda: T.RandomAffine(5, scale=(0, 1)), ValueError,
     "scale values should be positive"),
    (lambda: T.RandomAffine(5, shear=(1, 2, 3)), ValueError,
     "shear should be a sequence of length 2 or 4."),
    (lambda: T.RandomAffine(5, fill=object()), TypeError,
     "Fill should be either a sequence or a number."),
    (lambda: T.RandomAffine(5, center=(1,)), ValueError,
     "center should be a sequence of length 2."),
    (lambda: T.GaussianBlur(4), ValueError,
     "Kernel size value should be an odd and positive number."),
    (lambda: T.GaussianBlur((3, 3, 3)), ValueError,
     "Kernel size should be a tuple/list of two integers"),
    (lambda: T.GaussianBlur(3, sigma=0), ValueError,
     "If sigma is a single number, it must be positive."),
    (lambda: T.GaussianBlur(3, sigma=(2.0, 1.0)), ValueError,
     "sigma values should be positive and of the form (min, max)."),
    (lambda: T.GaussianBlur(3, sigma=(1.0,)), ValueError,
     "sigma should be a single number or a list/tuple with length 2."),
]  # fmt: skip


@pytest.mark.parametrize("call, error, message", ERRORS)
def test_errors_match_torchvision(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message
