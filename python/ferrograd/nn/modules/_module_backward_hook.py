"""`BackwardHook`: how a module's full backward hooks and backward pre-hooks see gradients."""

from __future__ import annotations

import warnings
from typing import Any, Callable

from ... import _C
from ...autograd.function import Function

Tensor = _C.Tensor


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
    identity sees `grad_input` (backward hooks run there with both). The hook lists are taken
    when the module is called (global hooks first), so hooks added later wait for the next call.
    """

    def __init__(self, module: Any, user_hooks: list, user_pre_hooks: list) -> None:
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
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
        self._input_specs = [
            (args[i].shape, args[i].dtype, args[i].device) for i in tensor_positions
        ]
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
        if not self.input_requires_grad and self.user_hooks:
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
            _C.zeros(shape, dtype=dtype, device=device) if grad is None else grad
            for grad, (shape, dtype, device) in zip(
                self._spread(grads, self._input_tracked, self.n_inputs), self._input_specs
            )
        )
        grad_inputs = self._run_backward_hooks(grad_inputs, must_return_none=False)
        return tuple(grad_inputs[k] for k in self._input_tracked)

    def _run_pre_hooks(self, grads: tuple) -> tuple:
        for hook in self.user_pre_hooks:
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
        for hook in self.user_hooks:
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
