"""Carrying an exception raised in a worker process back to the main process, with its
traceback as text (traceback objects cannot be pickled).

Mirrors ``torch._utils.ExceptionWrapper``.
"""

from __future__ import annotations

import sys
import traceback
from typing import Any, NoReturn


class KeyErrorMessage(str):
    """A KeyError shows ``repr()`` of its argument, which would print the traceback text with
    escaped newlines; this string's repr is itself."""

    def __repr__(self) -> str:
        return self


class ExceptionWrapper:
    """The type and formatted traceback of the exception being handled (or of ``exc_info``)."""

    def __init__(self, exc_info: Any = None, where: str = "in background") -> None:
        if exc_info is None:
            exc_info = sys.exc_info()
        # Only the type and the text are kept: holding the traceback object would keep every
        # frame alive (and it cannot cross a process boundary anyway).
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self) -> NoReturn:
        """Raises an exception of the original type whose message is "Caught <Type> <where>.",
        then "Original Traceback (most recent call last):" and the worker's traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            # Some exception types take their text only as a `message` keyword.
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:  # noqa: BLE001 (any constructor failure means: use RuntimeError)
            # A type whose constructor needs other arguments: fall back to RuntimeError.
            raise RuntimeError(msg) from None
        raise exception
