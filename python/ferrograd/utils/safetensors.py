"""The safetensors file format: a JSON header naming each tensor, then their raw bytes.

Layout (https://github.com/huggingface/safetensors):

    8 bytes   N, the header length, unsigned little-endian
    N bytes   JSON: {"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [2, 3],
              "data_offsets": [begin, end]}, ...}, padded with spaces to a multiple of 8
    the rest  the tensors' bytes, back to back; offsets count from the start of this part

Unlike a pickle, loading one runs no code, so it is safe for files from anywhere.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any, Union

from .. import _C

__all__ = ["SafetensorError", "load", "load_file", "save", "save_file"]

# The format's dtype codes, in the order the reference writer sorts them (largest alignment
# first) when it lays tensors out.
_CODE_FOR_DTYPE: dict[str, str] = {
    "int64": "I64",
    "float64": "F64",
    "float32": "F32",
    "int32": "I32",
    "bfloat16": "BF16",
    "float16": "F16",
    "int16": "I16",
    "int8": "I8",
    "uint8": "U8",
    "bool": "BOOL",
}
_DTYPE_FOR_CODE = {code: getattr(_C, name) for name, code in _CODE_FOR_DTYPE.items()}
_LAYOUT_RANK = {code: rank for rank, code in enumerate(_CODE_FOR_DTYPE.values())}
_MAX_HEADER_SIZE = 100_000_000  # the reference reader's limit, against absurd headers

PathLike = Union[str, os.PathLike]


class SafetensorError(Exception):
    """A file that does not follow the safetensors format."""


def _dtype_name(t: _C.Tensor) -> str:
    return str(t.dtype).removeprefix("ferrograd.")


def _check_tensors(tensors: Any) -> None:
    """The checks the safetensors package makes before writing anything."""
    if not isinstance(tensors, dict):
        # ValueError, not TypeError: the safetensors package's choice.
        raise ValueError(f"Expected a dict of [str, torch.Tensor] but received {type(tensors)}")  # noqa: TRY004
    for name, t in tensors.items():
        if not isinstance(t, _C.Tensor):
            raise ValueError(  # noqa: TRY004
                f"Key `{name}` is invalid, expected torch.Tensor but received {type(t)}"
            )
    shared = [sorted(names) for names in _overlapping_groups(tensors) if len(names) > 1]
    if shared:
        raise RuntimeError(
            f"""
            Some tensors share memory, this will lead to duplicate memory on disk and potential differences when loading them again: {shared}.
            A potential way to correctly save your model is to use `save_model`.
            More information at https://huggingface.co/docs/safetensors/torch_shared_tensors
            """
        )
    for name, t in tensors.items():
        if not t.is_contiguous():
            raise ValueError(
                f"You are trying to save a non contiguous tensor: `{name}` which is not allowed. "
                "It either means you are trying to save tensors which are reference of each "
                "other in which case it's recommended to save only the full tensors, and reslice "
                "at load time, or simply call `.contiguous()` on your tensor to pack it before "
                "saving."
            )


def _overlapping_groups(tensors: dict[str, _C.Tensor]) -> list[set[str]]:
    """Names grouped by storage, each group split into runs whose byte ranges overlap: tensors
    that share a storage but not bytes (two halves of one buffer) may be saved together."""
    by_storage: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
    for name, t in tensors.items():
        storage = t.untyped_storage()
        if storage.nbytes() == 0 or t.numel() == 0:
            continue
        start = t.storage_offset() * t.element_size()
        end = start + t.numel() * t.element_size()
        by_storage.setdefault((storage.data_ptr(), storage.nbytes()), []).append((start, end, name))
    groups: list[set[str]] = []
    for ranges in by_storage.values():
        ranges.sort()
        current_end = -1
        for start, end, name in ranges:
            if start < current_end:
                groups[-1].add(name)
                current_end = max(current_end, end)
            else:
                groups.append({name})
                current_end = end
    return groups


def _check_metadata(metadata: Any) -> None:
    if metadata is None:
        return
    if not isinstance(metadata, dict):
        raise TypeError(f"argument 'metadata': '{type(metadata).__name__}' object is not a dict")
    for key, value in metadata.items():
        for item in (key, value):
            if not isinstance(item, str):
                raise TypeError(
                    f"argument 'metadata': '{type(item).__name__}' object cannot be converted "
                    "to 'PyString'"
                )


def save(tensors: dict[str, _C.Tensor], metadata: dict[str, str] | None = None) -> bytes:
    """The safetensors bytes of a dict of tensors (and optional string metadata)."""
    _check_tensors(tensors)
    _check_metadata(metadata)
    # Largest alignment first, then by name, so every tensor starts aligned for its dtype.
    order = sorted(
        tensors, key=lambda n: (_LAYOUT_RANK[_CODE_FOR_DTYPE[_dtype_name(tensors[n])]], n)
    )
    header: dict[str, Any] = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    chunks: list[bytes] = []
    offset = 0
    for name in order:
        t = tensors[name]
        data = t.detach()._to_bytes()
        header[name] = {
            "dtype": _CODE_FOR_DTYPE[_dtype_name(t)],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    header_bytes += b" " * (-len(header_bytes) % 8)
    return struct.pack("<Q", len(header_bytes)) + header_bytes + b"".join(chunks)


def save_file(
    tensors: dict[str, _C.Tensor], filename: PathLike, metadata: dict[str, str] | None = None
) -> None:
    """Writes `tensors` to `filename` in the safetensors format."""
    data = save(tensors, metadata)
    with open(filename, "wb") as f:
        f.write(data)


def _header_error(kind: str) -> SafetensorError:
    return SafetensorError(f"Error while deserializing header: {kind}")


def _read_header(data: bytes) -> tuple[dict[str, Any], int]:
    """The parsed JSON header, and where the tensor bytes begin."""
    if len(data) < 8:
        raise _header_error("HeaderTooSmall")
    (header_len,) = struct.unpack("<Q", data[:8])
    if header_len > _MAX_HEADER_SIZE:
        raise _header_error("HeaderTooLarge")
    data_start = 8 + header_len
    if data_start > len(data):
        raise _header_error("InvalidHeaderLength")
    raw = data[8:data_start]
    if not raw.startswith(b"{"):
        raise _header_error("InvalidHeaderStart")
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _header_error(f"InvalidHeaderDeserialization ({e})") from None
    if not isinstance(header, dict):
        raise _header_error("InvalidHeaderDeserialization (the header is not a JSON object)")
    return header, data_start


def _entry_layout(name: str, entry: Any) -> tuple[Any, list[int], int, int]:
    """(dtype, shape, begin, end) of one header entry, checked for shape and types."""
    try:
        dtype = _DTYPE_FOR_CODE[entry["dtype"]]
        shape = [int(s) for s in entry["shape"]]
        begin, end = (int(o) for o in entry["data_offsets"])
    except (KeyError, TypeError, ValueError):
        raise _header_error(
            f"InvalidHeaderDeserialization (bad entry for tensor `{name}`)"
        ) from None
    if any(s < 0 for s in shape) or not 0 <= begin <= end:
        raise SafetensorError(f"Error while deserializing header: InvalidOffset({name!r})")
    return dtype, shape, begin, end


def load(data: bytes) -> dict[str, _C.Tensor]:
    """The tensors stored in safetensors bytes, by name, in the order their bytes appear."""
    header, data_start = _read_header(data)
    header.pop("__metadata__", None)
    layouts = {name: _entry_layout(name, entry) for name, entry in header.items()}
    # The tensors must tile the data part exactly: no gaps, no overlaps, nothing left over.
    expected_begin = 0
    for name, (dtype, shape, begin, end) in sorted(layouts.items(), key=lambda kv: kv[1][2]):
        if begin != expected_begin:
            raise SafetensorError(f"Error while deserializing header: InvalidOffset({name!r})")
        numel = 1
        for s in shape:
            numel *= s
        if numel * dtype.itemsize != end - begin:
            raise SafetensorError(f"Error while deserializing header: TensorInvalidInfo ({name!r})")
        expected_begin = end
    if data_start + expected_begin != len(data):
        raise _header_error("MetadataIncompleteBuffer")
    tensors = {}
    for name, (dtype, shape, begin, end) in sorted(layouts.items(), key=lambda kv: kv[1][2]):
        chunk = bytes(data[data_start + begin : data_start + end])
        tensors[name] = _C._from_bytes(chunk, dtype, shape)
    return tensors


def load_file(filename: PathLike, device: str | int = "cpu") -> dict[str, _C.Tensor]:
    """The tensors of a safetensors file, by name. Only `device="cpu"` exists in ferrograd."""
    if str(device) != "cpu":
        raise RuntimeError(f"ferrograd can only load tensors to the CPU, not {device!r}")
    with open(filename, "rb") as f:
        return load(f.read())
