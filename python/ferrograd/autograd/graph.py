"""The graph autograd records: each ``grad_fn`` is a :class:`Node`, of a class named after the
op's backward (``AddBackward0``, ``AccumulateGrad``), as in PyTorch."""

from __future__ import annotations

from typing import Any, Callable

from ..utils.hooks import RemovableHandle

_ENGINE_NODES = frozenset({"AccumulateGrad", "CopySlices", "CopyBackwards"})


class Node:
    """A node of the graph. ``next_functions`` leads towards the inputs; ``register_hook`` and
    ``register_prehook`` observe (and may replace) the gradients flowing through it."""

    __slots__ = ("__weakref__", "_handle")

    def name(self) -> str:
        name = self._handle.name()
        # The engine's own nodes (not an op's backward) carry their namespace, as PyTorch's
        # `torch::autograd::AccumulateGrad` does.
        return f"ferrograd::autograd::{name}" if name in _ENGINE_NODES else name

    @property
    def next_functions(self) -> tuple:
        return self._handle.next_functions()

    @property
    def metadata(self) -> dict:
        return self._handle.metadata()

    def register_hook(self, fn: Callable[[tuple, tuple], Any]) -> RemovableHandle:
        """``fn(grad_inputs, grad_outputs)`` runs after this node; it may return new
        ``grad_inputs``."""
        hook_id = self._handle.register_hook(fn)
        return RemovableHandle(lambda: self._handle.remove_hook(hook_id))

    def register_prehook(self, fn: Callable[[tuple], Any]) -> RemovableHandle:
        """``fn(grad_outputs)`` runs before this node; it may return new ``grad_outputs``."""
        hook_id = self._handle.register_prehook(fn)
        return RemovableHandle(lambda: self._handle.remove_hook(hook_id))

    def _sequence_nr(self) -> int:
        return self._handle._sequence_nr()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"


class AccumulateGrad(Node):
    """The node at a leaf that requires grad: it adds the gradient into ``variable.grad``."""

    __slots__ = ()

    @property
    def variable(self):
        return self._handle.variable()


class BackwardCFunction(Node):
    """The node of a custom ``autograd.Function``: it also shows the ``ctx`` of that call
    (``grad_fn.saved_tensors``, attributes set in ``forward``), as PyTorch's does."""

    __slots__ = ("_ctx",)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ctx, name)

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__} object at {hex(id(self))}>"


_classes: dict[str, type] = {"AccumulateGrad": AccumulateGrad}
_function_classes: dict[str, type] = {}


def _wrap(handle: Any, name: str, ctx: Any = None) -> Node:
    """The Python object for a node handle, of the class named ``name`` (a custom Function's
    node also carries its ``ctx``)."""
    if ctx is not None:
        cls = _function_classes.get(name)
        if cls is None:
            module = "ferrograd.autograd.function"
            cls = type(name, (BackwardCFunction,), {"__slots__": (), "__module__": module})
            _function_classes[name] = cls
        obj = object.__new__(cls)
        obj._ctx = ctx
    else:
        cls = _classes.get(name)
        if cls is None:
            cls = type(name, (Node,), {"__slots__": (), "__module__": __name__})
            _classes[name] = cls
        obj = object.__new__(cls)
    obj._handle = handle
    return obj
