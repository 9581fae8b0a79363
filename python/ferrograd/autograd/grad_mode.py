"""Grad-mode switches: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.
Each is a context manager and a decorator, per thread, and nests."""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

from .. import _C


class _DecoratorContextManager:
    """A context manager that can also decorate a function (with or without parentheses)."""

    def __call__(self, fn: Callable) -> Callable:
        if inspect.isclass(fn):
            raise RuntimeError(f"{type(self).__name__} cannot decorate a class")

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return fn(*args, **kwargs)

        return wrapper

    def clone(self) -> _DecoratorContextManager:
        return type(self)()


class _NoParamDecoratorContextManager(_DecoratorContextManager):
    """Also usable bare, ``@no_grad`` as well as ``@no_grad()``."""

    def __new__(cls, orig_func: Callable | None = None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamDecoratorContextManager):
    """Ops inside record no graph: results do not require grad."""

    def __enter__(self) -> None:
        self.prev = _C._set_grad_enabled(False)

    def __exit__(self, *exc: object) -> None:
        _C._set_grad_enabled(self.prev)


class enable_grad(_NoParamDecoratorContextManager):
    """Ops inside record the graph again (within a ``no_grad`` block, say)."""

    def __enter__(self) -> None:
        self.prev = _C._set_grad_enabled(True)

    def __exit__(self, *exc: object) -> None:
        _C._set_grad_enabled(self.prev)


class set_grad_enabled(_DecoratorContextManager):
    """``set_grad_enabled(mode)`` switches grad mode at once; as a context manager it switches
    back on exit."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.prev = _C._set_grad_enabled(self.mode)

    def __call__(self, fn: Callable) -> Callable:
        _C._set_grad_enabled(self.prev)
        return super().__call__(fn)

    def __enter__(self) -> None:
        _C._set_grad_enabled(self.mode)

    def __exit__(self, *exc: object) -> None:
        _C._set_grad_enabled(self.prev)

    def clone(self) -> set_grad_enabled:
        return type(self)(self.mode)


class inference_mode(_DecoratorContextManager):
    """``inference_mode(mode=True)``: like ``no_grad`` here (no graph is recorded)."""

    def __new__(cls, mode: bool | Callable = True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode

    def __enter__(self) -> None:
        self.prev_inference = _C._set_inference_mode(self.mode)
        self.prev_grad = _C._set_grad_enabled(not self.mode and _C.is_grad_enabled())

    def __exit__(self, *exc: object) -> None:
        _C._set_grad_enabled(self.prev_grad)
        _C._set_inference_mode(self.prev_inference)

    def clone(self) -> inference_mode:
        return type(self)(self.mode)


is_grad_enabled = _C.is_grad_enabled
is_inference_mode_enabled = _C.is_inference_mode_enabled
