"""Handing the workers their configuration (the dataset, collate_fn, seeds, ...) at start.

The configuration is packed once (``_transport.Packed``: tensors as raw out-of-band buffers)
and reaches each worker by one of two routes (a worker started by plain ``fork`` instead
inherits the configuration object itself, unpickled, as in PyTorch: ``_InheritedConfig``):

- Linux: the buffers are copied once into an anonymous in-memory file (``memfd``) that every
  worker maps copy-on-write. A dataset of preloaded tensors then costs one copy per epoch
  however many workers there are, workers see it at once, and a worker that writes to its
  copy changes only its own pages: what a forked worker would see. The memory is freed when
  the last worker that maps it exits; nothing is left to clean up if a process dies.
- Elsewhere: the whole packed configuration is written to each worker through a pipe.

Either way the worker unpickles it itself (``load``), so an error there, such as a dataset
class it cannot import, is reported like any other worker error.
"""

from __future__ import annotations

import mmap
import os
import pickle
from multiprocessing import reduction
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from ._transport import Packed, parse_header, recv_result

# Buffers start on 64-byte boundaries inside the shared file, for aligned loads.
_ALIGN = 64


def _aligned_offsets(sizes: list[int]) -> tuple[list[int], int]:
    offsets, end = [], 0
    for size in sizes:
        offsets.append(end)
        end += -(-size // _ALIGN) * _ALIGN
    return offsets, end


class _SharedFile:
    """Main-process side of the memfd route: the buffers written into one anonymous file."""

    def __init__(self, packed: Packed) -> None:
        self.header = packed.header
        self.offsets, self.total = _aligned_offsets(packed.sizes)
        self.fd = os.memfd_create("ferrograd-dataloader", os.MFD_CLOEXEC)
        try:
            os.ftruncate(self.fd, self.total)
            with mmap.mmap(self.fd, self.total) as mapped:
                for offset, view in zip(self.offsets, packed.views):
                    mapped[offset : offset + view.nbytes] = view
        except BaseException:
            os.close(self.fd)
            raise

    def for_worker(self) -> Any:
        return self

    def __reduce__(self) -> Any:
        # Pickled while a worker process starts: DupFd hands the file descriptor over.
        return _MappedConfig, (self.header, self.offsets, self.total, reduction.DupFd(self.fd))

    def load(self) -> Any:
        # Reached only in a worker started by plain `fork`, which inherits this object as is.
        return _MappedConfig(self.header, self.offsets, self.total, os.dup(self.fd)).load()

    def after_start(self) -> None:
        self.close()  # each worker holds its own descriptor now

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class _MappedConfig:
    """Worker side of the memfd route."""

    def __init__(self, header: bytes, offsets: list[int], total: int, fd: Any) -> None:
        self.header, self.offsets = header, offsets
        fd = fd if isinstance(fd, int) else fd.detach()
        try:
            # ACCESS_COPY: private copy-on-write pages, like a forked process's memory.
            self.mapped = mmap.mmap(fd, total, access=mmap.ACCESS_COPY)
        finally:
            os.close(fd)

    def load(self) -> Any:
        sizes, payload = parse_header(self.header)
        # The arrays (and the tensors built on them) keep the mapping alive.
        buffers = [
            np.frombuffer(self.mapped, dtype=np.uint8, count=size, offset=offset)
            for size, offset in zip(sizes, self.offsets)
        ]
        return pickle.loads(payload, buffers=buffers)


class _PipedConfig:
    """The portable route: one pipe per worker, written once all workers have started (so
    that they boot in parallel)."""

    def __init__(self, context: Any, packed: Packed) -> None:
        self.context = context
        self.packed = packed
        self.readers: list[Connection] = []
        self.writers: list[Connection] = []

    def for_worker(self) -> Any:
        reader, writer = self.context.Pipe(duplex=False)
        self.readers.append(reader)
        self.writers.append(writer)
        return _PipeReader(reader)

    def after_start(self) -> None:
        for reader in self.readers:
            reader.close()  # the workers hold their own ends now
        for writer in self.writers:
            self.packed.send(writer)

    def close(self) -> None:
        for conn in self.readers + self.writers:
            conn.close()


class _PipeReader:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def load(self) -> Any:
        try:
            return recv_result(self.conn)
        finally:
            self.conn.close()


class _InheritedConfig:
    """The ``fork`` route: each worker is a copy of this process and already holds the
    configuration; nothing is pickled, so lambdas and classes defined in a notebook work."""

    def __init__(self, config: Any) -> None:
        self.config = config

    def for_worker(self) -> Any:
        return self

    def load(self) -> Any:
        return self.config

    def after_start(self) -> None:
        pass

    def close(self) -> None:
        pass


def config_source(context: Any, config: Any) -> Any:
    """The route for this platform and configuration: ``for_worker()`` gives the object to
    pass to a worker at start (its ``load()`` returns the configuration there),
    ``after_start()`` completes the hand-over once every worker has started, and ``close()``
    releases this side's resources (also after a failure). `config` is packed (``Packed``)
    unless the workers are forked."""
    if not isinstance(config, Packed):
        return _InheritedConfig(config)
    if hasattr(os, "memfd_create") and sum(config.sizes) > 0:  # (an empty file cannot be mapped)
        return _SharedFile(config)
    return _PipedConfig(context, config)
