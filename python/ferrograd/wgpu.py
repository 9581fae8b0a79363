"""`ferrograd.wgpu`: the GPU backend's runtime, named like `torch.cuda`.

wgpu runs on Vulkan, Metal or DX12, so one program uses NVIDIA, AMD, Intel and Apple GPUs.
There is one GPU device per process, `wgpu:0`. Commands are batched and submitted lazily:
values come back to the host only when Python needs them (printing, `.item()`, `.tolist()`,
`.cpu()`), so time a GPU program with `synchronize()` before reading the clock.
"""

from __future__ import annotations

from typing import Any

from . import _C


def is_available() -> bool:
    """Whether a GPU adapter was found.

    A software renderer (Mesa's lavapipe/llvmpipe) counts only with the environment variable
    ``FERROGRAD_WGPU_SOFTWARE=1``: it runs the GPU kernels on the CPU, far more slowly than
    ferrograd's CPU backend, so the usual ``"wgpu" if is_available() else "cpu"`` should not
    pick it. With the variable set it serves to test the GPU path without a GPU.
    """
    return _C._wgpu_is_available()


def device_count() -> int:
    """1 when a GPU adapter is available, else 0."""
    return _C._wgpu_device_count()


def current_device() -> int:
    return 0


def get_device_name(device: Any = None) -> str:
    """The adapter's name and graphics API, e.g. ``'NVIDIA H200 (Vulkan)'``."""
    return _C._wgpu_get_device_name()


def synchronize(device: Any = None) -> None:
    """Waits until the GPU has finished every command issued so far."""
    _C._wgpu_synchronize()


# The GPU's generator: random GPU tensors (`rand`, `randn`, `randint`, dropout masks, the
# in-place samplers) are drawn on the GPU from it. Its numbers differ from the CPU generator's,
# as CUDA's differ from the CPU's in PyTorch; `ferrograd.manual_seed` seeds both.
default_generators = (_C._wgpu_default_generator(),)


def manual_seed(seed: int) -> None:
    """Seeds the generator GPU tensors draw from (the CPU's is left as it is)."""
    default_generators[0].manual_seed(int(seed))


manual_seed_all = manual_seed


def seed() -> None:
    """Seeds the GPU's generator with a nondeterministic number."""
    default_generators[0].seed()


seed_all = seed


def initial_seed() -> int:
    """The seed the GPU's generator was last seeded with."""
    return default_generators[0].initial_seed()


def get_rng_state(device: Any = "wgpu") -> Any:
    """The GPU generator's state, a ByteTensor of 16 bytes: its seed and its offset."""
    return default_generators[0].get_state()


def set_rng_state(new_state: Any, device: Any = "wgpu") -> None:
    default_generators[0].set_state(new_state)


def get_rng_state_all() -> list:
    return [get_rng_state()]


def set_rng_state_all(new_states: Any) -> None:
    for state in new_states:
        set_rng_state(state)


def memory_allocated(device: Any = None) -> int:
    """Bytes of GPU memory held by tensors now."""
    return _C._wgpu_memory_allocated()


def max_memory_allocated(device: Any = None) -> int:
    """The most bytes GPU tensors have held since the start or `reset_peak_memory_stats()`."""
    return _C._wgpu_max_memory_allocated()


def memory_reserved(device: Any = None) -> int:
    """Bytes held by tensors plus freed buffers kept for reuse."""
    return _C._wgpu_memory_reserved()


def reset_peak_memory_stats(device: Any = None) -> None:
    _C._wgpu_reset_peak_memory_stats()


def empty_cache() -> None:
    """Frees the GPU buffers kept for reuse (memory held by live tensors stays)."""
    _C._wgpu_empty_cache()


__all__ = [
    "current_device",
    "default_generators",
    "device_count",
    "empty_cache",
    "get_device_name",
    "get_rng_state",
    "get_rng_state_all",
    "initial_seed",
    "is_available",
    "manual_seed",
    "manual_seed_all",
    "max_memory_allocated",
    "memory_allocated",
    "memory_reserved",
    "reset_peak_memory_stats",
    "seed",
    "seed_all",
    "set_rng_state",
    "set_rng_state_all",
    "synchronize",
]
