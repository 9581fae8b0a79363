"""The zip layout of a PyTorch checkpoint: which records a file holds, in which order, how aligned.

A checkpoint is an uncompressed zip whose members all sit under one folder (the archive name):

    <name>/data.pkl                 the pickled object; tensors point at storages by key
    <name>/.format_version          "1"
    <name>/.storage_alignment       "64"
    <name>/byteorder                "little"
    <name>/data/<key>               each storage's raw bytes, one record per storage
    <name>/version                  "3\\n"
    <name>/.data/serialization_id   40 decimal digits naming this save

Storage bytes start on 64-byte boundaries in the file (padding goes in a zip "extra" field of
the local header), so a reader can map them straight into memory.
"""

from __future__ import annotations

import secrets
import struct
import sys
import zipfile
import zlib
from typing import IO

STORAGE_ALIGNMENT = 64
ARCHIVE_VERSION = "3\n"
FORMAT_VERSION = "1"
_LOCAL_HEADER_SIZE = 30  # the fixed part of a zip local file header
_ZIP64_EXTRA_SIZE = 20  # what zipfile appends to a local header for a record over ~4 GiB
_PADDING_FIELD_ID = b"FB"  # the extra-field id PyTorch's writer uses for its padding
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # the zip epoch: a fixed date keeps saves reproducible


class ArchiveWriter:
    """Writes the records of one checkpoint, storing each uncompressed and aligned."""

    def __init__(self, file: IO[bytes], archive_name: str):
        self._zip = zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_STORED)
        self._prefix = archive_name + "/"
        self._combined_crc = 0

    def write_record(self, name: str, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode()
        info = zipfile.ZipInfo(self._prefix + name, date_time=_FIXED_DATE)
        info.compress_type = zipfile.ZIP_STORED
        info.extra = self._padding_for(info.filename, len(data))
        self._zip.writestr(info, data)
        self._combined_crc = zlib.crc32(data, self._combined_crc)

    def _padding_for(self, filename: str, size: int) -> bytes:
        """An extra field that pushes the record's first data byte to an aligned offset."""
        start = self._zip.fp.tell() + _LOCAL_HEADER_SIZE + len(filename.encode()) + 4
        if size * 1.05 > zipfile.ZIP64_LIMIT:
            start += _ZIP64_EXTRA_SIZE
        pad = -start % STORAGE_ALIGNMENT
        return _PADDING_FIELD_ID + struct.pack("<H", pad) + b"Z" * pad

    def close(self) -> None:
        """Writes the closing records and the zip's central directory."""
        self.write_record("version", ARCHIVE_VERSION)
        # A random half and a checksum half, so two saves of one object get different ids.
        serialization_id = f"{secrets.randbits(64):020d}{self._combined_crc:020d}"
        self.write_record(".data/serialization_id", serialization_id)
        self._zip.close()


def write_checkpoint(
    file: IO[bytes], archive_name: str, pickled: bytes, storages: dict[str, bytes]
) -> None:
    """Writes a whole checkpoint: the pickle, the small header records, then each storage."""
    writer = ArchiveWriter(file, archive_name)
    writer.write_record("data.pkl", pickled)
    writer.write_record(".format_version", FORMAT_VERSION)
    writer.write_record(".storage_alignment", str(STORAGE_ALIGNMENT))
    writer.write_record("byteorder", sys.byteorder)
    for key, data in storages.items():
        writer.write_record(f"data/{key}", data)
    writer.close()


_CORRUPT_HINT = (
    "There is a high likelihood that your checkpoint file is corrupted. This can happen if the "
    "checkpoint was not saved properly, was transferred incorrectly, or the file was modified "
    "after saving."
)


class ArchiveReader:
    """Reads the records of a checkpoint zip; every failure names the file it came from."""

    def __init__(self, file: IO[bytes] | str, source: str):
        self.source = source
        try:
            self._zip = zipfile.ZipFile(file, mode="r")
        except (zipfile.BadZipFile, EOFError, OSError) as e:
            raise RuntimeError(
                f"{source}: failed reading zip archive ({e}). {_CORRUPT_HINT}"
            ) from None
        self._prefix = self._find_prefix()

    def _find_prefix(self) -> str:
        """The archive folder: whatever precedes `data.pkl` (PyTorch names it after the file)."""
        for name in self._zip.namelist():
            folder, _, leaf = name.rpartition("/")
            if leaf == "data.pkl" and "/" not in folder:
                return folder + "/" if folder else ""
        raise RuntimeError(
            f"{self.source}: failed locating file data.pkl: file not found. {_CORRUPT_HINT}"
        )

    def has_record(self, name: str) -> bool:
        return self._prefix + name in self._zip.NameToInfo

    def read_record(self, name: str) -> bytes:
        full_name = self._prefix + name
        try:
            return self._zip.read(full_name)
        except KeyError:
            raise RuntimeError(
                f"{self.source}: failed locating file {name}: file not found. {_CORRUPT_HINT}"
            ) from None
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as e:
            raise RuntimeError(
                f"{self.source}: failed reading record {name} ({e}). {_CORRUPT_HINT}"
            ) from None

    def close(self) -> None:
        self._zip.close()
