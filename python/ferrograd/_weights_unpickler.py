"""The unpickler behind `ferrograd.load`: maps PyTorch's globals to ferrograd's, and (with
`weights_only=True`) refuses every global that is not on an allow-list."""

from __future__ import annotations

import pickle
import sys
from _codecs import encode
from _compat_pickle import IMPORT_MAPPING, NAME_MAPPING
from collections import Counter, OrderedDict
from typing import Any, Callable

from . import _C, _tensor_rebuild
from ._checkpoint_pickler import STORAGE_CLASS_FOR_DTYPE
from ._device import device as Device
from ._serialization_zip import ArchiveReader
from ._size import Size
from ._tensor_rebuild import LoadedStorage, StorageType
from .nn.parameter import Parameter

# Modules never allowed under weights_only, whatever the user allow-lists (PyTorch's list).
BLOCKED_MODULES = ("sys", "os", "posix", "nt")


def _torch_globals() -> dict[str, Any]:
    """PyTorch's name for each global a weights-only checkpoint may use -> ferrograd's object."""
    table: dict[str, Any] = {
        "collections.OrderedDict": OrderedDict,
        "collections.Counter": Counter,
        "torch.nn.parameter.Parameter": Parameter,
        "torch.Size": Size,
        "torch.Tensor": _C.Tensor,
        "torch.device": Device,
        "_codecs.encode": encode,  # how protocol 2 pickles bytes
        "builtins.bytearray": bytearray,
        "builtins.set": set,
        "builtins.complex": complex,
        "torch.storage.UntypedStorage": StorageType("UntypedStorage", _C.uint8),
    }
    for name in ("_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_parameter"):
        table[f"torch._utils.{name}"] = getattr(_tensor_rebuild, name)
    table["torch._utils._rebuild_parameter_with_state"] = (
        _tensor_rebuild._rebuild_parameter_with_state
    )
    for dtype_name, storage_name in STORAGE_CLASS_FOR_DTYPE.items():
        dtype = getattr(_C, dtype_name)
        table[f"torch.{dtype_name}"] = dtype
        table[f"torch.{storage_name}"] = StorageType(storage_name, dtype)
    return table


TORCH_GLOBALS = _torch_globals()

# Globals the user declared safe with `add_safe_globals`, by their "module.name".
_user_safe_globals: dict[str, Any] = {}


def _global_name(obj: Any) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def add_safe_globals(safe_globals: list[Callable | tuple[Callable, str]]) -> None:
    """Allows `weights_only` loads to use these globals: each an object, or (object, "its
    module.name") when the file names it differently from where it lives now."""
    for entry in safe_globals:
        if isinstance(entry, tuple):
            obj, name = entry
            _user_safe_globals[name] = obj
        else:
            _user_safe_globals[_global_name(entry)] = entry


def get_safe_globals() -> list[Any]:
    return list(_user_safe_globals.values())


def clear_safe_globals() -> None:
    _user_safe_globals.clear()


class safe_globals:
    """Context manager: `add_safe_globals` for the duration of a `with` block."""

    def __init__(self, safe_globals: list[Callable | tuple[Callable, str]]):
        self.safe_globals = safe_globals

    def __enter__(self) -> None:
        self._saved = dict(_user_safe_globals)
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc_info: object) -> None:
        _user_safe_globals.clear()
        _user_safe_globals.update(self._saved)


def _modern_name(module: str, name: str) -> tuple[str, str]:
    """Python 2 names (`__builtin__.set`), which protocol 2 pickles use, as Python 3 spells them."""
    if (module, name) in NAME_MAPPING:
        return NAME_MAPPING[(module, name)]
    return IMPORT_MAPPING.get(module, module), name


def _safe_global(module: str, name: str) -> Any:
    """The allow-listed object for a global, or the UnpicklingError PyTorch raises."""
    full_name = f"{module}.{name}"
    if module in BLOCKED_MODULES:
        raise pickle.UnpicklingError(
            f"Trying to load unsupported GLOBAL {full_name} whose module {module} is blocked."
        )
    if full_name in TORCH_GLOBALS:
        return TORCH_GLOBALS[full_name]
    if full_name in _user_safe_globals:
        return _user_safe_globals[full_name]
    # PyTorch names builtins without their module (`eval`, not `builtins.eval`).
    shown = name if module == "builtins" else full_name
    raise pickle.UnpicklingError(
        f"Unsupported global: GLOBAL {shown} was not an allowed global by default. "
        f"Please use `torch.serialization.add_safe_globals([{shown}])` or the "
        f"`torch.serialization.safe_globals([{shown}])` context manager to allowlist this global "
        "if you trust this class/function."
    )


class CheckpointUnpickler(pickle.Unpickler):
    """Reads `data.pkl`, fetching each storage it names from the archive (once per key).

    With `weights_only`, `find_class` is the gate: the pickle can only construct or call what
    this class hands it, so a file that asks for `os.system` fails before anything runs.
    """

    def __init__(
        self,
        file: Any,
        archive: ArchiveReader,
        restore_location: Callable[[LoadedStorage, str], LoadedStorage],
        weights_only: bool,
    ):
        super().__init__(file, encoding="utf-8")
        self.archive = archive
        self.restore_location = restore_location
        self.weights_only = weights_only
        self.swap_bytes = archive.has_record("byteorder") and (
            archive.read_record("byteorder").decode() != sys.byteorder
        )
        self.loaded: dict[str, LoadedStorage] = {}

    def find_class(self, module: str, name: str) -> Any:
        module, name = _modern_name(module, name)
        if self.weights_only:
            return _safe_global(module, name)
        known = TORCH_GLOBALS.get(f"{module}.{name}")
        if known is not None:
            return known
        if module == "torch" or module.startswith("torch."):
            # A whole pickled object from PyTorch: try ferrograd's class of the same name.
            module = "ferrograd" + module.removeprefix("torch")
        return super().find_class(module, name)

    def persistent_load(self, pid: Any) -> LoadedStorage:
        if not isinstance(pid, tuple) or len(pid) != 5 or _as_str(pid[0]) != "storage":
            raise pickle.UnpicklingError(
                f"{self.archive.source}: only storages may be persistent ids, got {pid!r}"
            )
        _, storage_type, key, location, numel = pid
        key, location = _as_str(key), _as_str(location)
        if not isinstance(storage_type, StorageType):
            raise pickle.UnpicklingError(
                f"{self.archive.source}: storage {key} has type {storage_type!r}, "
                "which is not a storage class"
            )
        if key not in self.loaded:
            storage = self._read_storage(storage_type, key, numel)
            self.loaded[key] = self.restore_location(storage, location)
        return self.loaded[key]

    def _read_storage(self, storage_type: StorageType, key: str, numel: int) -> LoadedStorage:
        data = self.archive.read_record(f"data/{key}")
        itemsize = storage_type.dtype.itemsize
        expected = numel * itemsize
        if len(data) != expected:
            raise RuntimeError(
                f"{self.archive.source}: record data/{key} size ({len(data)} bytes) does not "
                f"match expected size ({expected} bytes = {numel} elements * {itemsize} "
                f"bytes/element) for dtype {storage_type.dtype}"
            )
        if self.swap_bytes and itemsize > 1:
            data = _swap_byte_order(data, itemsize)
        flat = _C._from_bytes(data, storage_type.dtype, [numel])
        return LoadedStorage(flat, self.archive.source, key)


def _as_str(value: Any) -> Any:
    """Python 2 pickles may hold ASCII bytes where Python 3 writes str."""
    return value.decode("ascii") if isinstance(value, bytes) else value


def _swap_byte_order(data: bytes, itemsize: int) -> bytes:
    """Reverses each element's bytes: a checkpoint written on a machine of the other byte order."""
    import numpy as np

    return np.frombuffer(data, dtype=f"u{itemsize}").byteswap().tobytes()
