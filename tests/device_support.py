"""The GPU device for the parity tests, and moving test inputs onto it.

Without a GPU adapter the parity tests are skipped, except under `FERROGRAD_REQUIRE_WGPU=1`
(which `.ci/run` sets, with Mesa's software Vulkan driver installed), where a missing adapter
fails them: so CI really runs the GPU path.
"""

from __future__ import annotations

import os

import ferrograd
import numpy as np
import pytest

GPU = "wgpu"


def require_gpu() -> str:
    """The GPU device name, or skip (fail under FERROGRAD_REQUIRE_WGPU=1) without an adapter."""
    if ferrograd.wgpu.is_available():
        return GPU
    if os.environ.get("FERROGRAD_REQUIRE_WGPU") == "1":
        pytest.fail(
            "FERROGRAD_REQUIRE_WGPU=1, but no wgpu adapter was found "
            "(a software adapter needs FERROGRAD_WGPU_SOFTWARE=1, which conftest.py sets)"
        )
    pytest.skip("no wgpu adapter (set FERROGRAD_REQUIRE_WGPU=1 to make this a failure)")


def on(device, obj):
    """`obj` with every tensor in it (nested in tuples, lists, dicts) moved to `device`."""
    if isinstance(obj, ferrograd.Tensor):
        return obj.to(device)
    if isinstance(obj, (list, tuple)):
        return type(obj)(on(device, o) for o in obj)
    if isinstance(obj, dict):
        return {k: on(device, v) for k, v in obj.items()}
    return obj


def leaves(result) -> list:
    """The values of a result in order: tensors, and Python values, from nested tuples/lists."""
    if isinstance(result, (list, tuple)):
        return [x for r in result for x in leaves(r)]
    return [result]


def on_gpu_only(run):
    """run()'s result, asserting that no op in it read GPU data back for want of a kernel."""
    ferrograd.wgpu.synchronize()
    before = ferrograd._C._wgpu_fallback_count()
    result = run()
    ferrograd.wgpu.synchronize()
    assert ferrograd._C._wgpu_fallback_count() == before, "an op ran on the CPU"
    return result


def assert_matches(gpu_result, cpu_result, rtol=1e-6, atol=0.0):
    """A GPU result equals the CPU's (dtype, shape, and values to the tolerances, NaN at NaN)."""
    assert gpu_result.device.type == "wgpu" and gpu_result.dtype == cpu_result.dtype
    assert gpu_result.shape == cpu_result.shape
    np.testing.assert_allclose(
        gpu_result.cpu().numpy(), cpu_result.numpy(), rtol=rtol, atol=atol, equal_nan=True
    )
