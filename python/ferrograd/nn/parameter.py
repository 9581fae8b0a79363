"""`Parameter`: a tensor that a `Module` registers as one of its learnable weights."""

from __future__ import annotations

from typing import Any

from .. import _C

Tensor = _C.Tensor

__all__ = [
    "Buffer",
    "Parameter",
    "UninitializedBuffer",
    "UninitializedParameter",
    "is_lazy",
]


class Parameter(Tensor):
    """A leaf tensor that, assigned as a Module attribute, is listed by `parameters()`.

    It shares its data with the tensor it was made from (no copy), and requires grad by default.
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            data = _C.empty(0)
        param = super().__new__(cls, _wrap=data)
        param.requires_grad_(requires_grad)
        return param

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True):
        # Everything happened in __new__; Tensor's own __init__ must not see the arguments.
        pass

    def __deepcopy__(self, memo: dict) -> Parameter:
        # A deep copy is a new, independent Parameter (Tensor's own deepcopy would lose the class).
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol: int) -> tuple:
        # Pickle as the plain data plus the flag, rebuilt into a Parameter on load.
        return (_rebuild_parameter, (self.data, self.requires_grad, dict(self.__dict__)))

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


def _rebuild_parameter(data: Tensor, requires_grad: bool, state: dict) -> Parameter:
    """Unpickling half of `Parameter.__reduce_ex__`."""
    param = Parameter(data, requires_grad)
    param.__dict__.update(state)
    return param


class Buffer(Tensor):
    """Marks a tensor to be registered as a buffer when assigned as a Module attribute."""

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        if data is None:
            data = _C.empty(0)
        buf = super().__new__(cls, _wrap=data)
        buf.persistent = persistent
        return buf

    def __init__(self, data: Tensor | None = None, *, persistent: bool = True):
        pass


class _UninitializedMixin:
    """Shared by the lazy tensors: no shape yet; `materialize` gives one and the final class."""

    cls_to_become: type

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Allocates the real (uninitialised) data and turns into a `cls_to_become` instance."""
        if device is None:
            device = self.data.device
        if dtype is None:
            dtype = self.data.dtype
        self.data = _C.empty(shape, device=device, dtype=dtype)
        self.__class__ = self.cls_to_become

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}>"

    def __deepcopy__(self, memo: dict) -> Any:
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, self.device, self.dtype)
        return memo[id(self)]

    def __reduce_ex__(self, protocol: int) -> tuple:
        return (type(self), (self.requires_grad, self.device, self.dtype))


class UninitializedParameter(_UninitializedMixin, Parameter):
    """A parameter whose shape is not known yet (LazyLinear); `materialize` gives it one."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device: Any = None, dtype: Any = None):
        data = _C.empty(0, device=device, dtype=dtype)
        return super().__new__(cls, data, requires_grad)

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None):
        pass


class UninitializedBuffer(_UninitializedMixin, Buffer):
    """A buffer whose shape is not known yet (lazy modules)."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device: Any = None, dtype: Any = None):
        data = _C.empty(0, device=device, dtype=dtype)
        buf = super().__new__(cls, data)
        buf.requires_grad_(requires_grad)
        return buf

    def __init__(self, requires_grad: bool = False, device: Any = None, dtype: Any = None):
        pass


def is_lazy(param: Any) -> bool:
    """True for a parameter or buffer still waiting for its shape."""
    return isinstance(param, _UninitializedMixin)
