"""`ferrograd.save` and `ferrograd.load`: checkpoints in PyTorch's own zip format.

A file written here loads with `torch.load`, and a file written by `torch.save` loads here
without PyTorch installed. The layout is described in `_serialization_zip.py`; the pickle that
names tensors is written by `_checkpoint_pickler.py` and read by `_weights_unpickler.py`.
"""

from __future__ import annotations

import io
import os
import pickle
import tempfile
from typing import IO, Any, Callable, Union

from ._checkpoint_pickler import CheckpointPickler
from ._device import device as Device
from ._serialization_zip import ArchiveReader, write_checkpoint
from ._tensor_rebuild import LoadedStorage
from ._weights_unpickler import (
    CheckpointUnpickler,
    add_safe_globals,
    clear_safe_globals,
    get_safe_globals,
    safe_globals,
)

__all__ = [
    "DEFAULT_PROTOCOL",
    "add_safe_globals",
    "clear_safe_globals",
    "get_safe_globals",
    "load",
    "safe_globals",
    "save",
]

DEFAULT_PROTOCOL = 2
FileLike = Union[str, os.PathLike, IO[bytes]]
MapLocation = Union[None, str, Any, dict, Callable]

_ZIP_MAGIC = b"PK\x03\x04"
# A legacy (pre-1.6) checkpoint starts with a pickled magic number: protocol 2, LONG1 10 bytes.
_LEGACY_MAGIC = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19"

UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will "
    "likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
    "file from a trusted source."
)
_DOCS_MESSAGE = (
    "\n\nCheck the documentation of torch.load to learn more about types accepted by default with "
    "weights_only https://pytorch.org/docs/stable/generated/torch.load.html."
)


def save(
    obj: Any,
    f: FileLike,
    pickle_module: Any = pickle,
    pickle_protocol: int = DEFAULT_PROTOCOL,
    _use_new_zipfile_serialization: bool = True,
    _disable_byteorder_record: bool = False,
) -> None:
    """Saves `obj` (tensors, state_dicts, nested containers of them, ...) to `f`, a path or a
    binary file object, as a PyTorch zip checkpoint.

    Saving to a path is atomic: the data goes to a temporary file in the same folder, which is
    flushed to disk and then renamed over the target, so a crash mid-save leaves any previous
    file under that name whole.
    """
    if pickle_module is not pickle:
        raise ValueError(
            "ferrograd.save writes PyTorch's pickle with its own pickler, built on the standard "
            f"library's `pickle`; pickle_module={pickle_module!r} is not supported"
        )
    if not _use_new_zipfile_serialization:
        raise ValueError(
            "ferrograd.save only writes the zip checkpoint format "
            "(_use_new_zipfile_serialization=True), which torch.load reads"
        )
    pickled, storages = _pickle_with_storages(obj, pickle_protocol)
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        name = _archive_name(path)
        _write_atomically(path, lambda file: write_checkpoint(file, name, pickled, storages))
    else:
        write_checkpoint(f, "archive", pickled, storages)


def _pickle_with_storages(obj: Any, protocol: int) -> tuple[bytes, dict[str, bytes]]:
    """The pickle of `obj`, and the bytes of every storage its tensors use, by key."""
    buffer = io.BytesIO()
    pickler = CheckpointPickler(buffer, protocol)
    pickler.dump(obj)
    storages = {ref.key: ref.whole._to_bytes() for ref in pickler.storages.values()}
    return buffer.getvalue(), storages


def _archive_name(path: str) -> str:
    """The folder inside the zip: PyTorch names it after the file, without its extension."""
    stem = os.path.splitext(os.path.basename(path))[0]
    return stem or "archive"


def _write_atomically(path: str, write: Callable[[IO[bytes]], None]) -> None:
    """Writes a file under a temporary name, syncs it, then renames it to `path`."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, temp_path = tempfile.mkstemp(
        dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp"
    )
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.fchmod(fd, 0o666 & ~_current_umask())
        with os.fdopen(fd, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp_path, path)
    except BaseException:
        if os.path.exists(temp_path):
            os.unlink(temp_path)
        raise
    _sync_folder(folder)


def _current_umask() -> int:
    # The only portable way to read the umask is to set it and put it back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _sync_folder(folder: str) -> None:
    """Makes the rename itself durable (POSIX); where folders cannot be opened, skip it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load(
    f: FileLike,
    map_location: MapLocation = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    **pickle_load_args: Any,
) -> Any:
    """Loads an object saved by `ferrograd.save` or `torch.save` from a path or file object.

    `weights_only=True` (the default) only rebuilds tensors, parameters, dtypes, sizes and the
    plain containers and numbers around them; any other global in the file raises
    `pickle.UnpicklingError` before it can run. `weights_only=False` unpickles arbitrary
    objects (a whole saved model, for instance).

    .. warning::
        `weights_only=False` can run arbitrary code hidden in the file, as any `pickle.load`
        can. Use it only for files you made yourself or fully trust.

    `map_location` ("cpu", a `device`, a dict from saved location to new location, or a
    callable `(storage, location) -> storage`) says where storages go; only the CPU exists, so
    a checkpoint saved on a GPU needs `map_location="cpu"`. `mmap` is accepted for
    compatibility; storages are read into memory either way.
    """
    if weights_only is None:
        weights_only = pickle_module is None
    if mmap and not isinstance(f, (str, os.PathLike)):
        raise ValueError("f must be a file path in order to use the mmap argument")
    source = _describe(f)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as file:
            return _load_file(file, source, map_location, weights_only)
    return _load_file(f, source, map_location, weights_only)


def _describe(f: FileLike) -> str:
    """How error messages name the file."""
    if isinstance(f, (str, os.PathLike)):
        return repr(os.fspath(f))
    name = getattr(f, "name", None)
    return repr(name) if isinstance(name, str) else f"<{type(f).__name__} object>"


def _load_file(file: IO[bytes], source: str, map_location: MapLocation, weights_only: bool) -> Any:
    start = file.tell()
    magic = file.read(len(_LEGACY_MAGIC))
    file.seek(start)
    if not magic:
        raise EOFError(f"{source} is empty: there is no checkpoint to load")
    if magic.startswith(_LEGACY_MAGIC):
        raise RuntimeError(
            f"{source} is a legacy (PyTorch < 1.6) checkpoint, which ferrograd does not read. "
            "Load it with torch.load and save it again with torch.save's default settings."
        )
    if not magic.startswith(_ZIP_MAGIC):
        raise pickle.UnpicklingError(
            f"{source} is not a checkpoint: it does not start with a zip header, as files "
            "written by torch.save and ferrograd.save do"
        )
    archive = ArchiveReader(file, source)
    try:
        return _unpickle(archive, map_location, weights_only)
    finally:
        archive.close()


def _unpickle(archive: ArchiveReader, map_location: MapLocation, weights_only: bool) -> Any:
    data = io.BytesIO(archive.read_record("data.pkl"))
    restore = _restore_location(map_location)
    unpickler = CheckpointUnpickler(data, archive, restore, weights_only)
    if not weights_only:
        return unpickler.load()
    try:
        return unpickler.load()
    except pickle.UnpicklingError as e:
        raise pickle.UnpicklingError(_weights_only_message(str(e))) from None


def _weights_only_message(message: str) -> str:
    """PyTorch's wording around a weights-only refusal."""
    if "was not an allowed global by default" in message:
        return (
            "Weights only load failed. This file can still be loaded, to do so you have two "
            "options, \033[1mdo those steps only if you trust the source of the checkpoint\033[0m. "
            f"\n\t(1) {UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with `weights_only=True` "
            "please check the recommended steps in the following error message.\n\t"
            "WeightsUnpickler error: " + message + _DOCS_MESSAGE
        )
    text = f"Weights only load failed. {UNSAFE_MESSAGE}\n"
    if "is blocked" not in message:
        text += (
            "Please file an issue with the following so that we can make `weights_only=True` "
            "compatible with your use case: WeightsUnpickler error: "
        )
    return text + "\n\n" + message + _DOCS_MESSAGE


_CUDA_MESSAGE = (
    "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. "
    "If you are running on a CPU-only machine, please use torch.load with "
    "map_location=torch.device('cpu') to map your storages to the CPU."
)


def _restore_location(map_location: MapLocation) -> Callable[[LoadedStorage, str], LoadedStorage]:
    """A function placing each storage where `map_location` says (the CPU is the only place)."""

    def place(storage: LoadedStorage, location: str) -> LoadedStorage:
        device_type = str(location).split(":")[0]
        if device_type == "cpu":
            return storage
        if device_type == "cuda":
            raise RuntimeError(_CUDA_MESSAGE)
        raise RuntimeError(
            f"{storage.source}: cannot place a storage on {location!r}; ferrograd.load can only "
            "load storages to the CPU (pass map_location='cpu')"
        )

    if map_location is None:
        return place
    if isinstance(map_location, dict):
        return lambda storage, location: place(storage, map_location.get(location, location))
    if isinstance(map_location, (str, bytes, Device)):
        target = map_location.decode() if isinstance(map_location, bytes) else str(map_location)
        return lambda storage, location: place(storage, target)

    def call_user_function(storage: LoadedStorage, location: str) -> LoadedStorage:
        result = map_location(storage, location)
        return place(storage, location) if result is None else result

    return call_user_function
