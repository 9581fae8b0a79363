"""The errors for dataset files that are not there: ferrograd never downloads, so both a missing
file and `download=True` get a message saying which files to put where."""

from __future__ import annotations

from collections.abc import Sequence


def _file_list(folder: str, files: Sequence[str], note: str) -> str:
    listed = "\n".join(f"    {name}" for name in files)
    return f"Place these files in {folder}{note}:\n{listed}"


def not_found_error(head: str, folder: str, files: Sequence[str], note: str = "") -> RuntimeError:
    """torchvision's message (`head`), then the files the dataset expects."""
    return RuntimeError(f"{head}\n{_file_list(folder, files, note)}")


def download_error(name: str, folder: str, files: Sequence[str], note: str = "") -> RuntimeError:
    """For `download=True` when the files are missing: nothing is fetched from the network."""
    return RuntimeError(
        f"{name}: download=True is not supported; ferrograd does not download datasets. "
        f"Get the {name} files yourself and pass download=False.\n"
        f"{_file_list(folder, files, note)}"
    )
