"""What a checkpoint's pickle calls to rebuild tensors: ferrograd's `torch._utils._rebuild_*`."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from . import _C
from .nn.parameter import Parameter


class StorageType:
    """Stands for a PyTorch storage class (`torch.FloatStorage`, ...) met in a checkpoint: all a
    loader needs from it is the dtype of the elements the storage holds."""

    __slots__ = ("dtype", "name")

    def __init__(self, name: str, dtype: Any):
        self.name = name
        self.dtype = dtype

    def __repr__(self) -> str:
        return f"StorageType(name={self.name})"


class LoadedStorage:
    """A storage read back from a checkpoint: its elements as one flat tensor, which every
    tensor rebuilt from it views (so tensors that shared a storage when saved share it again)."""

    __slots__ = ("flat", "key", "source")

    def __init__(self, flat: _C.Tensor, source: str, key: str):
        self.flat = flat
        self.source = source
        self.key = key

    @property
    def dtype(self) -> Any:
        return self.flat.dtype

    @property
    def device(self) -> Any:
        return self.flat.device

    def nbytes(self) -> int:
        return self.flat.numel() * self.flat.element_size()

    def size(self) -> int:
        return self.flat.numel()

    def cpu(self) -> LoadedStorage:
        return self

    def __repr__(self) -> str:
        return f"<LoadedStorage data/{self.key} of {self.size()} {self.dtype} from {self.source}>"


def _rebuild_tensor_v2(
    storage: LoadedStorage,
    storage_offset: int,
    size: tuple[int, ...],
    stride: tuple[int, ...],
    requires_grad: bool,
    backward_hooks: OrderedDict,
    metadata: Any = None,
) -> _C.Tensor:
    """A tensor viewing `storage` with the given layout; a fresh leaf (not a view of it)."""
    if not isinstance(storage, LoadedStorage):
        raise TypeError(f"_rebuild_tensor_v2 expects a storage, got {type(storage).__name__}")
    try:
        view = storage.flat.as_strided(tuple(size), tuple(stride), storage_offset)
    except RuntimeError as e:
        raise RuntimeError(
            f"{storage.source}: storage data/{storage.key} is too small for a tensor saved in "
            f"it ({e})"
        ) from None
    # detach() keeps the shared memory but drops the view relation to the flat storage tensor,
    # so the result is a leaf whose `_base` is None, like a tensor loaded by PyTorch.
    tensor = view.detach()
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def _rebuild_tensor(
    storage: LoadedStorage, storage_offset: int, size: tuple, stride: tuple
) -> _C.Tensor:
    """The older form of `_rebuild_tensor_v2`, without the autograd arguments."""
    return _rebuild_tensor_v2(storage, storage_offset, size, stride, False, OrderedDict())


def _rebuild_parameter(
    data: _C.Tensor, requires_grad: bool, backward_hooks: OrderedDict
) -> Parameter:
    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(
    data: _C.Tensor, requires_grad: bool, backward_hooks: OrderedDict, state: Any
) -> Parameter:
    """A parameter that carried Python attributes when it was saved; they are set again.

    `state` is the attribute dict, or a pair (attribute dict, slot values) as `__getstate__`
    returns for a class with `__slots__`.
    """
    param = Parameter(data, requires_grad)
    dict_state, slots_state = state if isinstance(state, tuple) else (state, None)
    for attrs in (dict_state, slots_state):
        for name, value in (attrs or {}).items():
            setattr(param, name, value)
    return param
