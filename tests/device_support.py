"""The GPU device for the parity tests, and moving test inputs onto it.

Without a GPU adapter the parity tests are skipped, except under `FERROGRAD_REQUIRE_WGPU=1`
(which `.ci/run` sets, with Mesa's software Vulkan driver installed), where a missing adapter
fails them: so CI really runs the GPU path.
"""

from __future__ import annotations

import os

import ferrograd
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
