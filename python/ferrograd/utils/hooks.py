"""Handles that unregister hooks (``torch.utils.hooks.RemovableHandle``)."""

from __future__ import annotations

import itertools
from typing import Callable

_ids = itertools.count()


class RemovableHandle:
    """Returned by ``register_hook`` and friends; ``remove()`` unregisters the hook. Also a
    context manager that removes the hook on exit."""

    def __init__(self, remove: Callable[[], object]) -> None:
        self._remove: Callable[[], object] | None = remove
        self.id = next(_ids)

    def remove(self) -> None:
        if self._remove is not None:
            self._remove()
            self._remove = None

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
