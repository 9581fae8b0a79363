"""`ferrograd.cuda`: there is no CUDA backend; the GPU backend is `ferrograd.wgpu`.

Tutorial code that picks ``"cuda" if torch.cuda.is_available() else "cpu"`` falls back to the
CPU cleanly; ``device = "wgpu" if torch.wgpu.is_available() else "cpu"`` uses the GPU.
"""

from __future__ import annotations

from typing import Any

# The same words as the native module's error for `device="cuda"`.
NO_CUDA = (
    "ferrograd has no CUDA backend: its GPU backend is wgpu, so use device='wgpu' "
    "(ferrograd.wgpu.is_available() tells whether a GPU adapter was found)"
)


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """Ignored without CUDA, as in PyTorch."""


manual_seed_all = manual_seed


def _no_cuda(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError(NO_CUDA)


current_device = get_device_name = synchronize = set_device = _no_cuda
