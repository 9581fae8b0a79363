"""The pickler behind `ferrograd.save`: writes `data.pkl` with PyTorch's own global names."""

from __future__ import annotations

import pickle
from collections import OrderedDict
from typing import Any, ClassVar

from . import _C
from ._device import device as Device
from ._size import Size
from .nn.parameter import Parameter

# The legacy storage class PyTorch names for each dtype inside a checkpoint's persistent ids.
STORAGE_CLASS_FOR_DTYPE: dict[str, str] = {
    "float32": "FloatStorage",
    "float64": "DoubleStorage",
    "float16": "HalfStorage",
    "bfloat16": "BFloat16Storage",
    "int64": "LongStorage",
    "int32": "IntStorage",
    "int16": "ShortStorage",
    "int8": "CharStorage",
    "uint8": "ByteStorage",
    "bool": "BoolStorage",
}


class TorchGlobal:
    """Stands for a global that PyTorch defines; the pickler writes it as `GLOBAL module name`.

    ferrograd cannot import `torch` (PyTorch is not a dependency), so the standard pickler could
    not look these names up; this marker lets the file name them anyway, as `torch.save` does.
    """

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str):
        self.module = module
        self.name = name

    def __call__(self, *args: Any) -> Any:
        # The pickler only accepts callables as the first item of a reduce tuple; this one is
        # never called here (the loader maps the name to ferrograd's own function).
        raise TypeError(f"{self.module}.{self.name} is a name written into checkpoints only")


REBUILD_TENSOR_V2 = TorchGlobal("torch._utils", "_rebuild_tensor_v2")
REBUILD_PARAMETER = TorchGlobal("torch._utils", "_rebuild_parameter")
TORCH_SIZE = TorchGlobal("torch", "Size")
TORCH_DEVICE = TorchGlobal("torch", "device")
STORAGE_CLASSES = {
    dtype: TorchGlobal("torch", cls_name) for dtype, cls_name in STORAGE_CLASS_FOR_DTYPE.items()
}


class StorageRef:
    """One storage to write under `data/<key>`: the tensor it was first met through, as a
    1-D tensor spanning the whole storage (so views written later find their bytes in it)."""

    __slots__ = ("dtype_name", "key", "whole")

    def __init__(self, key: str, whole: _C.Tensor, dtype_name: str):
        self.key = key
        self.whole = whole
        self.dtype_name = dtype_name


def _whole_storage(t: _C.Tensor) -> _C.Tensor:
    """A 1-D view of every element of `t`'s storage, from its first byte (offset 0)."""
    numel = t.untyped_storage().nbytes() // t.element_size()
    return t.detach().as_strided((numel,), (1,), 0)


class CheckpointPickler(pickle._Pickler):
    """Pickles like `torch.save`: tensors as `torch._utils._rebuild_tensor_v2` calls whose storage
    is a persistent id `('storage', torch.<Dtype>Storage, key, 'cpu', numel)`.

    It derives from the pure-Python pickler because only that one lets a subclass choose the
    bytes written for a given type (its `dispatch` table); the C pickler would insist on
    importing `torch` to check each global name.
    """

    dispatch: ClassVar[dict] = dict(pickle._Pickler.dispatch)

    def __init__(self, file: Any, protocol: int):
        super().__init__(file, protocol=protocol)
        # Storages met so far, keyed by (data pointer, byte size): two tensors with the same
        # start and size read the same memory, so writing it once keeps them sharing on load.
        self.storages: dict[tuple[int, int], StorageRef] = {}

    def _storage_ref(self, t: _C.Tensor) -> StorageRef:
        storage = t.untyped_storage()
        dtype_name = str(t.dtype).removeprefix("ferrograd.")
        identity = (storage.data_ptr(), storage.nbytes())
        if storage.nbytes() == 0:
            # Empty storages all report the same pointer; each gets a key of its own.
            identity = (-len(self.storages) - 1, 0)
        ref = self.storages.get(identity)
        if ref is None:
            ref = StorageRef(str(len(self.storages)), _whole_storage(t), dtype_name)
            self.storages[identity] = ref
        elif ref.dtype_name != dtype_name:
            raise RuntimeError(
                "Cannot save multiple tensors or storages that view the same data as different types"
            )
        return ref

    def persistent_id(self, obj: Any) -> tuple | None:
        if type(obj) is not StorageRef:
            return None
        numel = obj.whole.numel()
        return ("storage", STORAGE_CLASSES[obj.dtype_name], obj.key, "cpu", numel)

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, Parameter):
            # The data is written as a plain tensor that does not require grad; the parameter
            # wrapper carries the flag, as PyTorch's `Parameter.__reduce_ex__` does.
            return (REBUILD_PARAMETER, (obj.detach(), obj.requires_grad, OrderedDict()))
        if isinstance(obj, _C.Tensor):
            args = (
                self._storage_ref(obj),
                obj.storage_offset(),
                tuple(obj.shape),
                tuple(obj.stride()),
                obj.requires_grad,
                OrderedDict(),  # backward hooks: never saved
            )
            return (REBUILD_TENSOR_V2, args)
        if isinstance(obj, Size):
            return (TORCH_SIZE, (tuple(obj),))
        if isinstance(obj, Device):
            return (TORCH_DEVICE, (str(obj),))
        return NotImplemented

    def _write_global(self, obj: Any, module: str, name: str) -> None:
        self.write(pickle.GLOBAL + f"{module}\n{name}\n".encode())
        self.memoize(obj)

    def _save_torch_global(self, obj: TorchGlobal) -> None:
        self._write_global(obj, obj.module, obj.name)

    def _save_dtype(self, obj: Any) -> None:
        # `torch.float32` pickles as the bare global `torch float32`.
        self._write_global(obj, "torch", str(obj).removeprefix("ferrograd."))

    dispatch[TorchGlobal] = _save_torch_global
    dispatch[type(_C.float32)] = _save_dtype
