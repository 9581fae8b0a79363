"""ferrograd.vision.transforms: conversions, normalize, geometry (resize, crops, padding, flips,
rotation) and the printed form of every transform.

Expected values are hand-computed with numpy (the maths is in the comments) or recorded from
torchvision (`vision_recorded.py`).
"""

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
    RESIZE_FLOAT_4_CH0,
    RESIZE_PIL_4,
    RESIZE_UINT8_4_CH0,
    ROTATE_FLOAT_30_BILINEAR_FILL1_CH0,
    ROTATE_PIL_30_CH0,
    ROTATE_UINT8_30_CH0,
    ROTATE_UINT8_M20_EXPAND_CH1,
    RESIZE_FLOAT_BICUBIC_4x5_CH1,
    RESIZE_FLOAT_UP_NOAA_8x12_CH2,
    RESIZE_PIL_NEAREST_3x4,
    RESIZE_UINT8_NEAREST_4x5_CH0,
    sample_image,
)

HWC = sample_image(6, 9)
PIL_IMG = Image.fromarray(HWC)
CHW = HWC.transpose(2, 0, 1)


def uint8_tensor() -> torch.Tensor:
    return torch.from_numpy(CHW.copy())


def float_tensor() -> torch.Tensor:
    return uint8_tensor().float() / 255


def as_array(img) -> np.ndarray:
    return np.asarray(img) if isinstance(img, Image.Image) else img.numpy()


# --- conversions ---------------------------------------------------------------------------


def test_to_tensor_pil_is_chw_float_in_unit_range():
    # HWC uint8 -> CHW float32, each value divided by 255.
    out = F.to_tensor(PIL_IMG)
    assert out.dtype == torch.float32
    assert tuple(out.shape) == (3, 6, 9)
    np.testing.assert_allclose(out.numpy(), CHW / 255.0, rtol=0, atol=1e-7)
    assert T.ToTensor()(HWC).numpy().tolist() == out.numpy().tolist()


def test_to_tensor_follows_default_dtype():
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        assert F.to_tensor(PIL_IMG).dtype == torch.float64
    finally:
        torch.set_default_dtype(previous)


def test_to_tensor_other_inputs():
    # A 2-d array is one channel; non-uint8 arrays keep their values and dtype.
    gray = HWC[..., 0]
    assert tuple(F.to_tensor(gray).shape) == (1, 6, 9)
    floats = HWC.astype(np.float64)
    out = F.to_tensor(floats)
    assert out.dtype == torch.float64
    np.testing.assert_array_equal(out.numpy(), CHW)
    # Mode "1" reads as 0/1 and is scaled by 255 first, so it ends as 0.0/1.0.
    bilevel = Image.fromarray(HWC[..., 0] > 128)
    np.testing.assert_array_equal(F.to_tensor(bilevel).numpy()[0], (HWC[..., 0] > 128) * 1.0)
    # Mode "I" (int32) is not rescaled.
    as_int = F.to_tensor(PIL_IMG.convert("L").convert("I"))
    assert as_int.dtype == torch.int32
    np.testing.assert_array_equal(as_int.numpy()[0], np.asarray(PIL_IMG.convert("L")))


def test_pil_to_tensor_keeps_uint8_values():
    out = T.PILToTensor()(PIL_IMG)
    assert out.dtype == torch.uint8
    np.testing.assert_array_equal(out.numpy(), CHW)


def test_to_pil_image_modes_and_scaling():
    # Floats are multiplied by 255 and truncated: 0.5 -> 127.
    half = F.to_pil_image(torch.full((3, 2, 2), 0.5))
    assert half.mode == "RGB"
    assert np.asarray(half).tolist() == [[[127] * 3] * 2] * 2
    assert F.to_pil_image(uint8_tensor()[:1]).mode == "L"
    assert F.to_pil_image(uint8_tensor()[:2]).mode == "LA"
    assert F.to_pil_image(torch.zeros(4, 2, 2, dtype=torch.uint8)).mode == "RGBA"
    assert T.ToPILImage()(uint8_tensor()).tobytes() == PIL_IMG.tobytes()


@given(st.lists(st.integers(0, 255), min_size=12, max_size=12))
def test_pil_tensor_round_trip(values):
    img = Image.fromarray(np.array(values, dtype=np.uint8).reshape(2, 2, 3))
    assert F.to_pil_image(F.to_tensor(img)).tobytes() == img.tobytes()


def test_conversion_errors():
    with pytest.raises(TypeError, match=r"pic should be PIL Image or ndarray. Got <class 'list'>"):
        F.to_tensor([1, 2])
    with pytest.raises(ValueError, match=r"pic should be 2/3 dimensional. Got 4 dimensions."):
        F.to_tensor(np.zeros((1, 2, 3, 4)))
    with pytest.raises(ValueError, match=r"pic should not have > 4 channels. Got 5 channels."):
        F.to_pil_image(torch.zeros(5, 2, 2))
    with pytest.raises(TypeError, match=r"Input type int64 is not supported"):
        F.to_pil_image(torch.zeros(3, 2, 2, dtype=torch.int64))


def test_convert_image_dtype():
    # uint8 -> float: / 255.  float -> uint8: * (255 + 1 - 0.001), truncated: 1.0 -> 255,
    # 0.5 -> 127.9995 -> 127.  int16 (max 32767) -> uint8: // ((32767 + 1) // (255 + 1)) = // 128.
    u8 = torch.tensor([[[0, 51, 255]]], dtype=torch.uint8)
    np.testing.assert_allclose(F.convert_image_dtype(u8).numpy(), [[[0.0, 0.2, 1.0]]], atol=1e-7)
    floats = torch.tensor([[[0.0, 0.5, 1.0]]])
    out = T.ConvertImageDtype(torch.uint8)(floats)
    assert out.dtype == torch.uint8 and out.tolist() == [[[0, 127, 255]]]
    i16 = torch.tensor([[[256, 32767]]], dtype=torch.int16)
    assert F.convert_image_dtype(i16, torch.uint8).tolist() == [[[2, 255]]]
    with pytest.raises(RuntimeError, match="cannot be performed safely"):
        F.convert_image_dtype(floats, torch.int32)


# --- normalize ---------------------------------------------------------------------------------


def test_normalize_per_channel():
    # (x - mean[c]) / std[c]: channel 0 -> (x - 0.5) / 0.25, channel 2 -> x / 2.
    x = float_tensor()
    mean, std = (0.5, 0.25, 0.0), (0.25, 0.5, 2.0)
    expected = (CHW / 255.0 - np.array(mean)[:, None, None]) / np.array(std)[:, None, None]
    out = T.Normalize(mean, std)(x)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(x.numpy(), CHW / 255.0, atol=1e-7)  # input untouched


def test_normalize_inplace_changes_input_and_batches():
    x = torch.ones(2, 3, 2, 2)
    out = F.normalize(x, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], inplace=True)
    assert out.tolist() == x.tolist() == torch.ones(2, 3, 2, 2).tolist()  # (1 - .5) / .5 = 1
    zeros = torch.zeros(2, 3, 1, 1)
    np.testing.assert_array_equal(F.normalize(zeros, [1.0] * 3, [2.0] * 3).numpy(), -0.5)


def test_normalize_errors():
    with pytest.raises(TypeError, match=r"Input tensor should be a float tensor. Got "):
        F.normalize(uint8_tensor(), [0.5], [0.5])
    with pytest.raises(ValueError, match=r"std evaluated to zero after conversion to"):
        F.normalize(float_tensor(), [0.5] * 3, [0.5, 0.0, 1.0])
    with pytest.raises(ValueError, match=r"Expected tensor to be a tensor image of size"):
        F.normalize(torch.zeros(2, 2), [0.5], [0.5])
    with pytest.raises(TypeError, match=r"img should be Tensor Image. Got <class 'numpy"):
        F.normalize(CHW, [0.5], [0.5])


# --- resize ------------------------------------------------------------------------------------


def test_resize_int_sets_the_shorter_edge():
    # 6x9 with size 4: the shorter edge (6) becomes 4, the longer int(4 * 9 / 6) = 6.
    assert F.resize(PIL_IMG, 4).size == (6, 4)
    assert tuple(F.resize(float_tensor(), 4).shape) == (3, 4, 6)
    # Transposed image, transposed answer; the same size is returned unchanged.
    assert tuple(F.resize(float_tensor().transpose(1, 2), 4).shape) == (3, 6, 4)
    img = float_tensor()
    assert F.resize(img, 6) is img
    # max_size caps the longer edge: 4 -> (4, 6) would exceed 5, so (int(5 * 4 / 6), 5).
    assert tuple(F.resize(img, 4, max_size=5).shape) == (3, 3, 5)


@given(st.integers(2, 12), st.integers(2, 12), st.integers(1, 10))
def test_resize_output_size_rule(h, w, size):
    out = F.resize(torch.zeros(1, h, w), size)
    short, long = min(h, w), max(h, w)
    new_long = int(size * long / short)
    expected = (size, new_long) if h <= w else (new_long, size)
    assert tuple(out.shape[-2:]) == expected


def test_resize_pil_matches_torchvision():
    np.testing.assert_array_equal(as_array(T.Resize(4)(PIL_IMG)), RESIZE_PIL_4)
    nearest = T.Resize((3, 4), interpolation=T.InterpolationMode.NEAREST)(PIL_IMG)
    np.testing.assert_array_equal(as_array(nearest), RESIZE_PIL_NEAREST_3x4)


def test_resize_tensor_matches_torchvision():
    # Shrinking antialiases (the filter widens with the shrink factor), as torchvision.
    np.testing.assert_allclose(
        F.resize(float_tensor(), 4)[0].numpy(), RESIZE_FLOAT_4_CH0, atol=2e-6
    )
    bicubic = F.resize(float_tensor(), (4, 5), T.InterpolationMode.BICUBIC)[1]
    np.testing.assert_allclose(bicubic.numpy(), RESIZE_FLOAT_BICUBIC_4x5_CH1, atol=2e-6)
    up = F.resize(float_tensor(), (8, 12), antialias=False)[2]
    np.testing.assert_allclose(up.numpy(), RESIZE_FLOAT_UP_NOAA_8x12_CH2, atol=2e-6)
    nearest = F.resize(uint8_tensor(), (4, 5), 0)[0]  # 0 is Pillow's NEAREST constant
    np.testing.assert_array_equal(nearest.numpy(), RESIZE_UINT8_NEAREST_4x5_CH0)


def test_resize_uint8_tensor_rounds_like_torchvision():
    # Computed in float32 and rounded; a value within float error of x.5 may round either way.
    out = F.resize(uint8_tensor(), 4)
    assert out.dtype == torch.uint8
    diff = np.abs(out[0].numpy().astype(int) - np.array(RESIZE_UINT8_4_CH0))
    assert diff.max() <= 1 and (diff == 0).mean() > 0.9


def test_resize_errors():
    with pytest.raises(TypeError, match=r"Size should be int or sequence. Got <class 'float'>"):
        T.Resize(2.5)
    with pytest.raises(ValueError, match=r"If size is a sequence, it should have 1 or 2 values"):
        T.Resize((1, 2, 3))
    with pytest.raises(ValueError, match=r"max_size should only be passed if size specifies"):
        F.resize(PIL_IMG, [1, 2], max_size=5)
    with pytest.raises(TypeError, match=r"Argument interpolation should be a InterpolationMode"):
        F.resize(PIL_IMG, 4, interpolation="bilinear")


# --- crops, padding, flips -----------------------------------------------------------------


def test_center_crop_pil_and_tensor():
    # 6x9 -> 4x5: top = round((6 - 4) / 2) = 1, left = round((9 - 5) / 2) = 2.
    expected = HWC[1:5, 2:7]
    np.testing.assert_array_equal(as_array(T.CenterCrop((4, 5))(PIL_IMG)), expected)
    np.testing.assert_array_equal(T.CenterCrop((4, 5))(uint8_tensor()).numpy(), CHW[:, 1:5, 2:7])
    # Larger than the image: zero-padded around it, (8 - 6) // 2 = 1 row on top.
    padded = F.center_crop(uint8_tensor(), [8, 9]).numpy()
    assert padded.shape == (3, 8, 9)
    np.testing.assert_array_equal(padded[:, 1:7], CHW)
    assert padded[:, 0].sum() == padded[:, 7].sum() == 0


def test_crop_outside_the_image_is_zero():
    out = F.crop(uint8_tensor(), -1, -2, 3, 4).numpy()
    np.testing.assert_array_equal(out[:, 1:, 2:], CHW[:, :2, :2])
    assert out[:, 0].sum() == 0 and out[:, :, :2].sum() == 0


@pytest.mark.parametrize(
    "padding, mode",
    [(2, "constant"), ((1, 2), "edge"), ((1, 2, 3, 4), "reflect"), (3, "symmetric")],
)
def test_pad_modes_match_numpy(padding, mode):
    # torchvision's edge/reflect/symmetric are numpy.pad's edge/reflect/symmetric.
    p = [padding] * 4 if isinstance(padding, int) else list(padding)
    if len(p) == 2:
        p = [p[0], p[1], p[0], p[1]]
    left, top, right, bottom = p
    kwargs = {"constant_values": 7} if mode == "constant" else {}
    expected = np.pad(HWC, [(top, bottom), (left, right), (0, 0)], mode=mode, **kwargs)
    np.testing.assert_array_equal(as_array(T.Pad(padding, 7, mode)(PIL_IMG)), expected)
    out = T.Pad(padding, 7, mode)(uint8_tensor())
    np.testing.assert_array_equal(out.numpy(), expected.transpose(2, 0, 1))


def test_pad_errors():
    with pytest.raises(ValueError, match=r"Padding mode should be either constant, edge, reflect"):
        F.pad(uint8_tensor(), 1, padding_mode="wrap")
    with pytest.raises(ValueError, match=r"Padding must be an int or a 1, 2, or 4 element tuple"):
        F.pad(uint8_tensor(), [1, 2, 3])
    with pytest.raises(TypeError, match=r"Got inappropriate padding arg"):
        T.Pad("x")


def test_flips():
    hflip, vflip = T.RandomHorizontalFlip(p=1.0), T.RandomVerticalFlip(p=1.0)
    np.testing.assert_array_equal(as_array(hflip(PIL_IMG)), HWC[:, ::-1])
    np.testing.assert_array_equal(vflip(uint8_tensor()).numpy(), CHW[:, ::-1])
    # p = 0 never flips.
    assert T.RandomHorizontalFlip(p=0.0)(PIL_IMG) is PIL_IMG


# --- rotation ------------------------------------------------------------------------------


@pytest.mark.parametrize("angle, turns", [(90.0, 1), (-90.0, -1), (180.0, 2)])
def test_rotate_quarter_turns_are_rot90(angle, turns):
    # Counter-clockwise by 90 degrees on a square image is numpy's rot90.
    square = sample_image(5, 5)
    tensor = torch.from_numpy(square.transpose(2, 0, 1).copy())
    expected = np.rot90(square, turns, axes=(0, 1))
    np.testing.assert_array_equal(F.rotate(tensor, angle).numpy(), expected.transpose(2, 0, 1))
    np.testing.assert_array_equal(as_array(F.rotate(Image.fromarray(square), angle)), expected)


def test_rotate_matches_torchvision():
    np.testing.assert_array_equal(F.rotate(uint8_tensor(), 30.0)[0].numpy(), ROTATE_UINT8_30_CH0)
    bilinear = F.rotate(float_tensor(), 30.0, T.InterpolationMode.BILINEAR, fill=[1.0] * 3)
    np.testing.assert_allclose(bilinear[0].numpy(), ROTATE_FLOAT_30_BILINEAR_FILL1_CH0, atol=2e-5)
    expanded = F.rotate(uint8_tensor(), -20.0, expand=True)
    assert tuple(expanded.shape) == (3, 10, 11)
    np.testing.assert_array_equal(expanded[1].numpy(), ROTATE_UINT8_M20_EXPAND_CH1)
    np.testing.assert_array_equal(as_array(F.rotate(PIL_IMG, 30.0))[..., 0], ROTATE_PIL_30_CH0)


def test_rotate_errors():
    with pytest.raises(ValueError, match=r"Interpolation mode 'bicubic' is unsupported"):
        F.rotate(float_tensor(), 10.0, T.InterpolationMode.BICUBIC)
    with pytest.raises(ValueError, match=r"cannot broadcast to match the number of channels"):
        F.rotate(float_tensor(), 10.0, fill=[1.0, 2.0])
    with pytest.raises(ValueError, match=r"If degrees is a single number, it must be positive."):
        T.RandomRotation(-3)
    with pytest.raises(TypeError, match=r"Argument angle should be int or float"):
        F.rotate(float_tensor(), "10")


# --- printed form --------------------------------------------------------------------------


def test_reprs_match_torchvision():
    pipeline = T.Compose([T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    assert repr(pipeline) == (
        "Compose(\n    ToTensor()\n    Normalize(mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))\n)"
    )
    cases = {
        "Resize(size=32, interpolation=bilinear, max_size=None, antialias=True)": T.Resize(32),
        "CenterCrop(size=(5, 5))": T.CenterCrop(5),
        "RandomCrop(size=(32, 32), padding=4)": T.RandomCrop(32, padding=4),
        "RandomHorizontalFlip(p=0.5)": T.RandomHorizontalFlip(),
        "RandomVerticalFlip(p=0.3)": T.RandomVerticalFlip(0.3),
        "RandomRotation(degrees=[-30.0, 30.0], interpolation=nearest, expand=False, fill=0)": (
            T.RandomRotation(30)
        ),
        "RandomResizedCrop(size=(224, 224), scale=(0.08, 1.0), ratio=(0.75, 1.3333), "
        "interpolation=bilinear, antialias=True)": T.RandomResizedCrop(224),
        "Pad(padding=2, fill=0, padding_mode=constant)": T.Pad(2),
        "Lambda()": T.Lambda(lambda x: x),
        "PILToTensor()": T.PILToTensor(),
        "ToPILImage(mode=RGB)": T.ToPILImage(mode="RGB"),
        "ConvertImageDtype()": T.ConvertImageDtype(torch.float32),
        "RandomApply(\n    p=0.3\n    RandomHorizontalFlip(p=0.5)\n)": T.RandomApply(
            [T.RandomHorizontalFlip()], p=0.3
        ),
    }
    for expected, transform in cases.items():
        assert repr(transform) == expected
    with pytest.raises(TypeError, match=r"Argument lambd should be callable, got 'int'"):
        T.Lambda(3)
