"""Module hooks: forward (pre-)hooks and full backward (pre-)hooks, and how a call runs them."""

from __future__ import annotations

import warnings
from collections import OrderedDict
from typing import Any, Callable

from ... import _C
from ...autograd.function import Function
from ...utils.hooks import RemovableHandle

Tensor = _C.Tensor


def _register(hooks: OrderedDict, hook: Callable, prepend: bool, *flag_dicts: dict) -> Any:
    """Stores `hook` under a fresh handle id; removing the handle clears it everywhere."""

    def remove() -> None:
        for place in (hooks, *flag_dicts):
            place.pop(handle.id, None)

    handle = RemovableHandle(remove)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    for flags in flag_dicts:
        flags[handle.id] = True
    return handle


class HooksMixin:
    """The hook registries of a `Module` and the steps of `__call__` that run them."""

    _forward_pre_hooks: OrderedDict
    _forward_hooks: OrderedDict
    _backward_hooks: OrderedDict
    _backward_pre_hooks: OrderedDict

    def _init_hook_dicts(self) -> None:
        for name in (
            "_forward_pre_hooks",
            "_forward_hooks",
            "_backward_pre_hooks",
            "_backward_hooks",
            "_state_dict_hooks",
            "_state_dict_pre_hooks",
            "_load_state_dict_pre_hooks",
            "_load_state_dict_post_hooks",
        ):
            object.__setattr__(self, name, OrderedDict())
        # Which hooks take kwargs / must run even when forward raises, by handle id.
        object.__setattr__(self, "_forward_pre_hooks_with_kwargs", OrderedDict())
        object.__setattr__(self, "_forward_hooks_with_kwargs", OrderedDict())
        object.__setattr__(self, "_forward_hooks_always_called", OrderedDict())
        object.__setattr__(self, "_is_full_backward_hook", None)

    def register_forward_pre_hook(
        self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """`hook(module, args)` (or `hook(module, args, kwargs)`) runs before `forward`; it may
        return replacement args (or an `(args, kwargs)` pair)."""
        flags = [self._forward_pre_hooks_with_kwargs] if with_kwargs else []
        return _register(self._forward_pre_hooks, hook, prepend, *flags)

    def register_forward_hook(
        self,
        hook: Callable,
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> RemovableHandle:
        """`hook(module, args, output)` (or with kwargs before output) runs after `forward`; it
        may return a replacement output."""
        flags = []
        if with_kwargs:
            flags.append(self._forward_hooks_with_kwargs)
        if always_call:
            flags.append(self._forward_hooks_always_called)
        return _register(self._forward_hooks, hook, prepend, *flags)

    def register_full_backward_pre_hook(
        self, hook: Callable, prepend: bool = False
    ) -> RemovableHandle:
        """`hook(module, grad_output)` runs when the gradient of the output arrives; it may
        return a replacement `grad_output`."""
        return _register(self._backward_pre_hooks, hook, prepend)

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """`hook(module, grad_input, grad_output)` runs once the gradients with respect to the
        module's inputs are computed; it may return a replacement `grad_input`."""
        self._is_full_backward_hook = True
        return _register(self._backward_hooks, hook, prepend)

    def _has_any_hooks(self) -> bool:
        return bool(
            self._forward_pre_hooks
            or self._forward_hooks
            or self._backward_hooks
            or self._backward_pre_hooks
        )

    def _run_forward_pre_hooks(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        for hook_id, hook in list(self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if isinstance(result, tuple) and len(result) == 2:
                        args, kwargs = result
                    else:
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple of (new_args, "
                            f"new_kwargs), but got {result}."
                        )
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        return args, kwargs

    def _run_forward_hooks(self, args: tuple, kwargs: dict, result: Any, called: set) -> Any:
        for hook_id, hook in list(self._forward_hooks.items()):
            called.add(hook_id)
            if hook_id in self._forward_hooks_with_kwargs:
                hook_result = hook(self, args, kwargs, result)
            else:
                hook_result = hook(self, args, result)
            if hook_result is not None:
                result = hook_result
        return result

    def _run_always_called_hooks(self, args: tuple, kwargs: dict, called: set) -> None:
        for hook_id, hook in list(self._forward_hooks.items()):
            if hook_id not in self._forward_hooks_always_called or hook_id in called:
                continue
            try:
                if hook_id in self._forward_hooks_with_kwargs:
                    hook(self, args, kwargs, None)
                else:
                    hook(self, args, None)
            except Exception as error:  # noqa: BLE001 (only warned about)
                warnings.warn(
                    "forward hook with ``always_call=True`` raised an exception that was "
                    f"silenced as another error was raised in forward: {error}"
                )


class _HookIdentity(Function):
    """Passes tensors through unchanged; its backward is where the module's hooks run.

    `on_backward(grads)` receives the incoming gradients and returns the ones to pass on.
    """

    @staticmethod
    def forward(ctx: Any, on_backward: Callable, *tensors: Tensor) -> tuple:
        ctx.on_backward = on_backward
        # Gradients that never arrive stay None, as the hooks expect.
        ctx.set_materialize_grads(False)
        return tensors

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> tuple:
        return (None, *ctx.on_backward(grads))


class BackwardHook:
    """Runs a module's full backward hooks, as PyTorch's `BackwardHook` does.

    The module's tensor inputs and outputs each go through one `_HookIdentity`. In backward the
    output identity sees `grad_output` first (backward pre-hooks run there), then the input
    identity sees `grad_input` (backward hooks run there with both).
    """

    def __init__(self, module: Any) -> None:
        self.module = module
        self.grad_outputs: tuple | None = None
        self.n_inputs = 0
        self.n_outputs = 0
        self.input_requires_grad = False
        self._input_tracked: list = []
        self._output_tracked: list = []
        self._input_specs: list = []

    def setup_input_hook(self, args: tuple) -> tuple:
        tensor_positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.n_inputs = len(tensor_positions)
        # Inputs that get no gradient are shown to the hooks as zeros, as PyTorch does.
        self._input_specs = [(args[i].shape, args[i].dtype) for i in tensor_positions]
        wrapped, self._input_tracked = self._wrap(list(args), tensor_positions, self._on_inputs)
        self.input_requires_grad = bool(self._input_tracked)
        return tuple(wrapped)

    def setup_output_hook(self, result: Any) -> Any:
        is_tuple = isinstance(result, tuple)
        if not (is_tuple or isinstance(result, Tensor)):
            warnings.warn(
                "For backward hooks to be called, module output should be a Tensor or a tuple "
                f"of Tensors but received {type(result)}"
            )
            return result
        outputs = list(result) if is_tuple else [result]
        tensor_positions = [i for i, o in enumerate(outputs) if isinstance(o, Tensor)]
        self.n_outputs = len(tensor_positions)
        outputs, self._output_tracked = self._wrap(outputs, tensor_positions, self._on_outputs)
        return tuple(outputs) if is_tuple else outputs[0]

    @staticmethod
    def _wrap(values: list, tensor_positions: list, on_backward: Callable) -> tuple[list, list]:
        """Sends the tensors that require grad through one `_HookIdentity`.

        Returns the new values and, for each tracked tensor, its index among the tensors.
        """
        tracked = [k for k, i in enumerate(tensor_positions) if values[i].requires_grad]
        if not tracked or not _C.is_grad_enabled():
            return values, []
        wrapped = _HookIdentity.apply(on_backward, *[values[tensor_positions[k]] for k in tracked])
        for k, tensor in zip(tracked, wrapped):
            values[tensor_positions[k]] = tensor
        return values, tracked

    @staticmethod
    def _spread(grads: tuple, tracked: list, count: int) -> tuple:
        """Gradients of the tracked tensors, placed among `count` slots (None elsewhere)."""
        full: list = [None] * count
        for k, grad in zip(tracked, grads):
            full[k] = grad
        return tuple(full)

    def _on_outputs(self, grads: tuple) -> tuple:
        grad_outputs = self._run_pre_hooks(
            self._spread(grads, self._output_tracked, self.n_outputs)
        )
        self.grad_outputs = grad_outputs
        if not self.input_requires_grad and self.module._backward_hooks:
            # No gradient will flow to the inputs: the hooks run now with grad_input all None.
            warnings.warn(
                "Full backward hook is firing when gradients are computed with respect to "
                "module outputs since no inputs require gradients. See "
                "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                "#torch.nn.Module.register_full_backward_hook for more details.",
                stacklevel=2,
            )
            self._run_backward_hooks((None,) * self.n_inputs, must_return_none=True)
        return tuple(grad_outputs[k] for k in self._output_tracked)

    def _on_inputs(self, grads: tuple) -> tuple:
        grad_inputs = tuple(
            _C.zeros(shape, dtype=dtype) if grad is None else grad
            for grad, (shape, dtype) in zip(
                self._spread(grads, self._input_tracked, self.n_inputs), self._input_specs
            )
        )
        grad_inputs = self._run_backward_hooks(grad_inputs, must_return_none=False)
        return tuple(grad_inputs[k] for k in self._input_tracked)

    def _run_pre_hooks(self, grads: tuple) -> tuple:
        for hook in list(self.module._backward_pre_hooks.values()):
            result = hook(self.module, grads)
            if result is None:
                continue
            result = result if isinstance(result, tuple) else (result,)
            if len(result) != len(grads):
                raise RuntimeError(
                    "Backward pre hook returned an invalid number of grad_output, got "
                    f"{len(result)}, but expected {len(grads)}"
                )
            grads = result
        return grads

    def _run_backward_hooks(self, grad_inputs: tuple, must_return_none: bool) -> tuple:
        for hook in list(self.module._backward_hooks.values()):
            result = hook(self.module, grad_inputs, self.grad_outputs)
            if result is None:
                continue
            if must_return_none:
                if not (isinstance(result, tuple) and all(r is None for r in result)):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires gradient should "
                        "always return None or None for all gradients."
                    )
                continue
            result = result if isinstance(result, tuple) else (result,)
            if len(result) != len(grad_inputs):
                raise RuntimeError(
                    "Backward hook returned an invalid number of grad_input, got "
                    f"{len(result)}, but expected {len(grad_inputs)}"
                )
            grad_inputs = result
        return grad_inputs
