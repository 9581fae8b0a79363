"""Inputs and checks shared by the tests of the GPU's sorts and the statistics built on them."""

from __future__ import annotations

import ferrograd as torch
import numpy as np
from device_support import assert_matches


def from_levels(levels, shape, seed):
    """A tensor of `shape` whose values are drawn from `levels` (a numpy array): many ties."""
    return torch.tensor(levels[np.random.default_rng(seed).integers(0, len(levels), shape)])


def with_ties_and_specials(shape, seed=0):
    """Float32 values from a few levels (many ties), with NaN, infinities and both zeros."""
    levels = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.5, -2.0, 3.0, 1e30], np.float32)
    return from_levels(levels, shape, seed)


def int64_with_ties(shape, seed=0):
    """int64 values from a few levels, among them both ends of the range and values that
    differ only in their low or only in their high word."""
    levels = np.array([-(2**63), 2**63 - 1, 0, -1, 1, 2**32, 2**32 + 1, -(2**32), 7, 2**40])
    return from_levels(levels, shape, seed)


def assert_same(gpu_result, cpu_result):
    """Equal to the CPU's bit for bit: NaN at NaN, and -0 where the CPU has -0."""
    assert_matches(gpu_result, cpu_result, rtol=0)
    got, want = gpu_result.cpu().numpy(), cpu_result.numpy()
    if got.dtype.kind == "f":
        assert (np.signbit(got) == np.signbit(want)).all()


def assert_picks(values, indices, base, dim, want_values, keepdim):
    """The values equal the CPU's, and each index points at its value in `base`: between equal
    values (-0 and +0 too) the GPU may pick another element than the CPU does."""
    assert_matches(values, want_values, rtol=0)
    picked = indices.cpu() if keepdim else indices.cpu().unsqueeze(dim)
    got = base.gather(dim, picked).numpy()
    values = values.cpu().numpy() if keepdim else values.cpu().unsqueeze(dim).numpy()
    np.testing.assert_array_equal(got, values)
    assert (np.signbit(got) == np.signbit(values)).all()
