"""Moving results from a worker process to the main process over a pipe.

A result is pickled once, as a whole, with pickle protocol 5: each tensor in it becomes a
numpy array over the tensor's own memory, and numpy hands its buffer to pickle "out of band",
so the bytes are not copied into the pickle stream. The message is then written as

    [header message: buffer count, buffer sizes, pickled structure] [raw buffer 0] [raw 1] ...

and the receiver reads each buffer straight into fresh memory that the rebuilt tensor then
owns (``from_numpy`` shares memory). A batch's data thus crosses with one copy
into the pipe and one out of it, with no per-element pickling. (The workers' configuration,
which holds the dataset, uses the same packing; see ``_worker_config.py``.)
"""

from __future__ import annotations

import io
import pickle
import struct
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from ..._C import Tensor, bfloat16, from_numpy
from ..._pickle import rebuild_tensor

_COUNT = struct.Struct("<I")


def _rebuild_from_array(array: np.ndarray, requires_grad: bool) -> Tensor:
    tensor = from_numpy(array)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def _rebuild_from_raw(data: Any, dtype_name: str, shape: tuple[int, ...], grad: bool) -> Tensor:
    # bfloat16 has no numpy dtype: its raw bytes travel instead, and are copied once more.
    return rebuild_tensor(bytes(data), dtype_name, shape, grad)


class _BatchPickler(pickle.Pickler):
    """A pickler that sends plain tensors as numpy arrays (out of band) or raw bytes."""

    def reducer_override(self, obj: Any) -> Any:
        # Only exact Tensors: subclasses (e.g. Parameter) keep their own pickling.
        if type(obj) is not Tensor:
            return NotImplemented
        detached = obj.detach()
        if detached.dtype == bfloat16:
            raw = pickle.PickleBuffer(detached._to_bytes())
            return _rebuild_from_raw, (raw, "bfloat16", tuple(obj.shape), obj.requires_grad)
        return _rebuild_from_array, (detached.contiguous().numpy(), obj.requires_grad)


class Packed:
    """An object pickled for transfer: a header (buffer count, buffer sizes, the pickled
    structure) and the out-of-band buffers. Made once, it can be sent several times."""

    def __init__(self, obj: Any) -> None:
        buffers: list[pickle.PickleBuffer] = []
        stream = io.BytesIO()
        _BatchPickler(stream, protocol=5, buffer_callback=buffers.append).dump(obj)
        self.views = [buffer.raw().cast("B") for buffer in buffers]
        self.sizes = [view.nbytes for view in self.views]
        sizes = struct.pack(f"<{len(self.sizes)}Q", *self.sizes)
        self.header = _COUNT.pack(len(self.sizes)) + sizes + stream.getvalue()

    def send(self, conn: Connection) -> None:
        conn.send_bytes(self.header)
        # The buffers follow as raw bytes (their sizes are in the header): no framing, and
        # written straight from the tensors' memory.
        with open(conn.fileno(), "wb", buffering=0, closefd=False) as raw:
            for view in self.views:
                _write_all(raw, view)


def parse_header(header: bytes) -> tuple[tuple[int, ...], memoryview]:
    """The buffer sizes and the pickled structure of a header made by ``Packed``."""
    (count,) = _COUNT.unpack_from(header)
    sizes = struct.unpack_from(f"<{count}Q", header, _COUNT.size)
    return sizes, memoryview(header)[_COUNT.size + 8 * count :]


def _write_all(raw: Any, view: memoryview) -> None:
    while view.nbytes:
        written = raw.write(view)
        view = view[written:]


def _read_into(raw: Any, view: memoryview) -> None:
    while view.nbytes:
        got = raw.readinto(view)
        if not got:
            raise EOFError
        view = view[got:]


def send_result(conn: Connection, result: Any) -> None:
    """Pickles ``result`` (tensors out of band) and writes it to ``conn`` as one message group."""
    Packed(result).send(conn)


def recv_result(conn: Connection) -> Any:
    """Reads one message group written by ``Packed.send`` and rebuilds the object. Raises
    EOFError (or OSError) if the writer is gone."""
    sizes, payload = parse_header(conn.recv_bytes())
    # Each buffer is read in place into fresh memory that the rebuilt array (and tensor) then
    # owns; numpy's empty skips the zero-filling a bytearray would do.
    buffers = [np.empty(size, dtype=np.uint8) for size in sizes]
    with open(conn.fileno(), "rb", buffering=0, closefd=False) as raw:
        for buffer in buffers:
            _read_into(raw, memoryview(buffer))
    return pickle.loads(payload, buffers=buffers)
