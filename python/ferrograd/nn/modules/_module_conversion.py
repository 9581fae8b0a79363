"""What `Module.to`, `.float()`, `.double()`, ... share: converting every parameter and buffer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ... import _C
from ...autograd.grad_mode import no_grad
from ..parameter import is_lazy

Tensor = _C.Tensor

if TYPE_CHECKING:
    from .module import Module


class ConversionMixin:
    """Dtype and device conversions of a Module, in place (the same Parameter objects)."""

    _parameters: dict
    _buffers: dict

    def _apply(self, fn: Callable[[Tensor], Tensor], recurse: bool = True) -> Module:
        """Replaces the data of every parameter and buffer by `fn(tensor)`.

        Parameters keep their identity (`param.data = new`), so optimizers built before `to()`
        still hold the right objects, as in PyTorch.
        """
        if recurse:
            for module in self.children():
                module._apply(fn)
        for param in self._parameters.values():
            if param is None:
                continue
            grad = param.grad
            with no_grad():
                converted = fn(param)
                # A conversion that changes nothing returns the tensor itself: nothing to swap.
                if converted is not param:
                    param.data = converted
                if grad is not None:
                    # The gradient follows its parameter (same object, converted data).
                    converted_grad = fn(grad)
                    if converted_grad is not grad:
                        grad.data = converted_grad
                    param.grad = grad
        for key, buf in self._buffers.items():
            if buf is None:
                continue
            converted = fn(buf)
            if is_lazy(buf):
                # A lazy buffer must stay lazy (to be materialised on its new device/dtype).
                buf.data = converted
            else:
                self._buffers[key] = converted
        return self

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Calls `fn` on every submodule then on this module (used to initialise weights)."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """`to(device)`, `to(dtype)`, `to(device, dtype)` or `to(tensor)`: moves and casts in place.

        Only floating-point (and complex) tensors change dtype; integer buffers keep theirs.
        """
        device, dtype = _parse_to(*args, **kwargs)
        if dtype is not None and not (dtype.is_floating_point or dtype.is_complex):
            raise TypeError(
                "nn.Module.to only accepts floating point or complex dtypes, but got desired "
                f"dtype={dtype}"
            )

        def convert(t: Tensor) -> Tensor:
            keeps_dtype = not (t.is_floating_point() or t.is_complex())
            return t.to(device=device, dtype=None if keeps_dtype else dtype)

        return self._apply(convert)

    def cpu(self) -> Module:
        return self._apply(lambda t: t.cpu())

    def cuda(self, device: Any = None) -> Module:
        """There is no CUDA backend: any tensor to move is an error pointing to `wgpu`.

        As in a PyTorch built without CUDA, a module without tensors passes unchanged.
        """
        return self._apply(lambda t: _no_backend("CUDA"))

    def xpu(self, device: Any = None) -> Module:
        return self._apply(lambda t: _no_backend("XPU"))

    def ipu(self, device: Any = None) -> Module:
        return self._apply(lambda t: _no_backend("IPU"))

    def mtia(self, device: Any = None) -> Module:
        return self._apply(lambda t: _no_backend("MTIA"))

    def to_empty(self, *, device: Any, recurse: bool = True) -> Module:
        """Replaces every parameter and buffer by an uninitialized tensor of the same shape and
        dtype on `device` (used to materialize a module built without real storage)."""
        return self._apply(lambda t: _C.empty_like(t, device=device), recurse=recurse)

    def type(self, dst_type: Any) -> Module:
        """Casts every parameter and buffer, floating or not, to `dst_type`."""
        return self._apply(lambda t: t.type(dst_type))

    def float(self) -> Module:
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self) -> Module:
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self) -> Module:
        return self._apply(lambda t: t.half() if t.is_floating_point() else t)

    def bfloat16(self) -> Module:
        return self._apply(lambda t: t.bfloat16() if t.is_floating_point() else t)


def _no_backend(name: str) -> Tensor:
    """The error of moving a tensor to a device type ferrograd was not built with."""
    if name == "CUDA":
        # PyTorch built without CUDA raises AssertionError("Torch not compiled with CUDA enabled").
        raise AssertionError(
            "ferrograd not compiled with CUDA enabled: its GPU backend is wgpu "
            "(device='wgpu'), not CUDA"
        )
    if name == "IPU":
        raise RuntimeError("PyTorch is not linked with support for ipu devices")
    raise AssertionError(f"Torch not compiled with {name} enabled")


def _parse_to(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
    """Reads `to`'s flexible arguments into (device or None, dtype or None)."""
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() received an invalid combination of arguments: {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, _C.dtype):
            dtype = arg
        elif isinstance(arg, bool):
            continue  # the old positional non_blocking flag
        elif isinstance(arg, (str, int)) or type(arg).__name__ == "device":
            device = arg
        else:
            raise TypeError(f"to() received an invalid combination of arguments: {arg!r}")
    return device, dtype
