"""Custom differentiable operations: subclass :class:`Function` with static ``forward`` and
``backward`` and call it through ``apply``, as in PyTorch.

``forward(ctx, *args)`` runs without recording; its results get one node, named
``<ClassName>Backward``, whose backward calls ``backward(ctx, *grad_outputs)``. That must
return one gradient per argument of ``forward`` (``None`` for arguments that need none).
"""

from __future__ import annotations

from typing import Any

from .. import _C
from .grad_mode import no_grad


class FunctionCtx:
    """The ``ctx`` of a call: what ``forward`` keeps for ``backward``."""

    def __init__(self) -> None:
        self.to_save: tuple = ()
        self._saved_handles: list | None = None
        self.needs_input_grad: tuple = ()
        self.materialize_grads = True
        self.dirty_tensors: tuple = ()
        self.non_differentiable: tuple = ()

    def save_for_backward(self, *tensors: Any) -> None:
        """Keeps tensors for ``backward`` (``None`` allowed); checked when read back."""
        for t in tensors:
            if t is not None and not isinstance(t, _C.Tensor):
                raise TypeError(
                    "save_for_backward can only save variables, but argument "
                    f"{tensors.index(t)} is of type {type(t).__name__}"
                )
        self.to_save = tensors

    @property
    def saved_tensors(self) -> tuple:
        """The saved tensors: an error if a backward already freed them or one was modified
        in place since."""
        if self._saved_handles is None:
            return tuple(self.to_save)
        handles = iter(self._saved_handles)
        return tuple(None if t is None else next(handles).unpack() for t in self.to_save)

    def mark_dirty(self, *tensors: Any) -> None:
        """Declares inputs that ``forward`` modified in place (they are returned as outputs)."""
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors: Any) -> None:
        """Declares outputs that have no gradient (indices, masks)."""
        self.non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """With False, ``backward`` receives ``None`` (not zeros) for outputs that got no
        gradient."""
        self.materialize_grads = bool(value)


class Function:
    """Base class of custom differentiable operations (see the module documentation)."""

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> Any:
        """The newer style: ``forward(*args)`` without ``ctx``, then this fills ``ctx``."""
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, _C.Tensor) and a.requires_grad for a in args)
        separate_setup = cls.setup_context is not Function.setup_context
        with no_grad():
            if separate_setup:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        if not (_C.is_grad_enabled() and any(ctx.needs_input_grad)):
            return output
        return _record(cls, ctx, args, output)


def _record(cls: type, ctx: FunctionCtx, args: tuple, output: Any) -> Any:
    """Gives the outputs of ``forward`` their node."""
    is_tuple = isinstance(output, tuple)
    outputs = list(output) if is_tuple else [output]
    tensor_inputs = [a for a in args if isinstance(a, _C.Tensor)]
    dirty = {id(t) for t in ctx.dirty_tensors}
    for i, out in enumerate(outputs):
        # An input returned as it is becomes a new tensor sharing its data (unless forward
        # changed it in place and said so with mark_dirty: then it takes the new history).
        returned_input = any(out is a for a in tensor_inputs)
        if isinstance(out, _C.Tensor) and id(out) not in dirty and returned_input:
            outputs[i] = out.detach()
    for t in ctx.dirty_tensors:
        if t.is_leaf and t.requires_grad:
            raise RuntimeError(
                "a leaf Variable that requires grad has been used in an in-place operation."
            )
    tensor_outputs = [o for o in outputs if isinstance(o, _C.Tensor)]
    positions = [i for i, a in enumerate(args) if isinstance(a, _C.Tensor)]
    name = f"{cls.__name__}Backward"

    def run_backward(*grads: Any) -> list:
        result = cls.backward(ctx, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        if len(result) != len(args):
            raise RuntimeError(
                f"function {name} returned an incorrect number of gradients "
                f"(expected {len(args)}, got {len(result)})"
            )
        return [result[i] for i in positions]

    ctx._saved_handles = _C._record_function(
        name,
        tensor_inputs,
        tensor_outputs,
        [t for t in ctx.to_save if t is not None],
        run_backward,
        ctx.materialize_grads,
        ctx,
    )
    for t in ctx.non_differentiable:
        t.detach_()
    return tuple(outputs) if is_tuple else outputs[0]


def once_differentiable(fn: Any) -> Any:
    """Marks a backward that cannot itself be differentiated; it runs without recording."""

    def wrapper(ctx: Any, *args: Any) -> Any:
        with no_grad():
            return fn(ctx, *args)

    return wrapper
