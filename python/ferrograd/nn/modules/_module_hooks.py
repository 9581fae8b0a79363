"""Module hooks: forward (pre-)hooks, backward hooks (full and legacy), and how a call runs them."""

from __future__ import annotations

import functools
import warnings
import weakref
from collections import OrderedDict
from typing import Any, Callable

from ... import _C
from ...utils.hooks import RemovableHandle
from ._module_backward_hook import BackwardHook
from ._module_global_hooks import (
    _BackwardKind,
    _global_backward_hooks,
    _global_backward_pre_hooks,
    _global_forward_hooks,
    _global_forward_hooks_always_called,
    _global_forward_hooks_with_kwargs,
    _global_forward_pre_hooks,
)

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


class _WrappedHook:
    """A hook that gets its module as first argument, held weakly (the module owns the hook)."""

    def __init__(self, hook: Callable, module: Any = None) -> None:
        self.hook = hook
        functools.update_wrapper(self, hook)
        self.with_module = module is not None
        if module is not None:
            self.module = weakref.ref(module)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.with_module:
            module = self.module()
            if module is None:
                raise RuntimeError("You are trying to call the hook of a dead Module!")
            return self.hook(module, *args, **kwargs)
        return self.hook(*args, **kwargs)

    # A weak reference cannot be pickled or deep-copied: hold the module itself while copying.
    def __getstate__(self) -> dict:
        state = {"hook": self.hook, "with_module": self.with_module}
        if self.with_module:
            state["module"] = self.module()
        return state

    def __setstate__(self, state: dict) -> None:
        self.hook = state["hook"]
        self.with_module = state["with_module"]
        if self.with_module:
            if state["module"] is None:
                raise RuntimeError("You are trying to revive the hook of a dead Module!")
            self.module = weakref.ref(state["module"])


_BACKWARD_MIX_ERROR = (
    "Cannot use both regular backward hooks and full backward hooks on a "
    "single Module. Please use only one of them."
)
_ALWAYS_CALL_WARNING = (
    "forward hook with ``always_call=True`` raised an exception that was silenced as another "
    "error was raised in forward: "
)


class HooksMixin:
    """The hook registries of a `Module` and `_call_impl`, the call that runs them."""

    _forward_pre_hooks: OrderedDict
    _forward_hooks: OrderedDict
    _backward_hooks: OrderedDict
    _backward_pre_hooks: OrderedDict
    forward: Callable[..., Any]

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
        # None until a backward hook is added; then True (full hooks) or False (legacy hooks).
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
        if self._is_full_backward_hook is False:
            raise RuntimeError(_BACKWARD_MIX_ERROR)
        self._is_full_backward_hook = True
        return _register(self._backward_hooks, hook, prepend)

    def register_backward_hook(self, hook: Callable) -> RemovableHandle:
        """Deprecated (use `register_full_backward_hook`): `hook(module, grad_input,
        grad_output)` runs as a hook of the autograd node that made the module's output.

        So `grad_input` holds the gradients of *that node's* inputs, not of the module's: for
        `Linear` on a batch, the last op is `addmm(bias, x, weight.t())` and `grad_input` is
        `(grad_bias, grad_x, grad_weight.t())`, exactly as in PyTorch.
        """
        if self._is_full_backward_hook is True:
            raise RuntimeError(_BACKWARD_MIX_ERROR)
        self._is_full_backward_hook = False
        return _register(self._backward_hooks, hook, False)

    def _get_backward_hooks(self) -> tuple[list, list]:
        """(full hooks, legacy hooks) to run for this call, global ones first."""
        full: list[Callable] = []
        legacy: list[Callable] = []
        for is_full, hooks in (
            (_BackwardKind.is_full, _global_backward_hooks),
            (self._is_full_backward_hook, self._backward_hooks),
        ):
            if is_full is True:
                full += hooks.values()
            elif is_full is False:
                legacy += hooks.values()
        return full, legacy

    def _get_backward_pre_hooks(self) -> list:
        return [*_global_backward_pre_hooks.values(), *self._backward_pre_hooks.values()]

    def _call_impl(self, *args: Any, **kwargs: Any) -> Any:
        # The common case, no hook anywhere, is checked inline: it is paid on every call.
        if not (
            self._forward_pre_hooks
            or self._forward_hooks
            or self._backward_hooks
            or self._backward_pre_hooks
            or _global_forward_pre_hooks
            or _global_forward_hooks
            or _global_backward_hooks
            or _global_backward_pre_hooks
        ):
            return self.forward(*args, **kwargs)
        # What the always-called hooks see if something raises: the latest args and result.
        state: dict[str, Any] = {"args": args, "kwargs": kwargs, "result": None}
        called: set[int] = set()
        try:
            return self._call_with_hooks(state, called)
        except Exception:
            self._run_always_called_hooks(state, called)
            raise

    def _call_with_hooks(self, state: dict, called: set) -> Any:
        """Pre-hooks, forward, forward hooks, then the backward hooks set on the result."""
        pre_hooks = self._get_backward_pre_hooks()
        full_hooks, legacy_hooks = self._get_backward_hooks()
        state["args"], state["kwargs"] = self._run_forward_pre_hooks(state["args"], state["kwargs"])
        backward_hook = None
        if full_hooks or pre_hooks:
            backward_hook = BackwardHook(self, full_hooks, pre_hooks)
            state["args"] = backward_hook.setup_input_hook(state["args"])
        args, kwargs = state["args"], state["kwargs"]
        state["result"] = self.forward(*args, **kwargs)
        self._run_forward_hooks(state, called)
        result = state["result"]
        if backward_hook is not None:
            result = backward_hook.setup_output_hook(result)
        if legacy_hooks:
            self._set_legacy_backward_hooks(args, result, legacy_hooks)
        return result

    def _run_forward_pre_hooks(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        hooks = [*_global_forward_pre_hooks.items(), *self._forward_pre_hooks.items()]
        for hook_id, hook in hooks:
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

    def _run_forward_hooks(self, state: dict, called: set) -> None:
        """Each hook may replace `state["result"]`; kept there at once, so that if a later hook
        raises, the always-called hooks see the latest result (as in PyTorch)."""
        args, kwargs = state["args"], state["kwargs"]
        hooks = [*_global_forward_hooks.items(), *self._forward_hooks.items()]
        for hook_id, hook in hooks:
            called.add(hook_id)
            if (
                hook_id in self._forward_hooks_with_kwargs
                or hook_id in _global_forward_hooks_with_kwargs
            ):
                hook_result = hook(self, args, kwargs, state["result"])
            else:
                hook_result = hook(self, args, state["result"])
            if hook_result is not None:
                state["result"] = hook_result

    def _run_always_called_hooks(self, state: dict, called: set) -> None:
        """After an error: the `always_call` hooks that have not run yet, global ones first.

        As in PyTorch, a global one is called `hook(module, args, result)` even if it was
        registered `with_kwargs`, and a hook that raises is only warned about.
        """
        args, kwargs = state["args"], state["kwargs"]
        for scope, hooks, always in (
            ("global module ", _global_forward_hooks, _global_forward_hooks_always_called),
            ("module ", self._forward_hooks, self._forward_hooks_always_called),
        ):
            for hook_id, hook in list(hooks.items()):
                if hook_id not in always or hook_id in called:
                    continue
                try:
                    if scope == "module " and hook_id in self._forward_hooks_with_kwargs:
                        hook_result = hook(self, args, kwargs, state["result"])
                    else:
                        hook_result = hook(self, args, state["result"])
                    if hook_result is not None:
                        state["result"] = hook_result
                except Exception as error:  # noqa: BLE001 (only warned about)
                    warnings.warn(scope + _ALWAYS_CALL_WARNING + str(error), stacklevel=3)

    def _set_legacy_backward_hooks(self, args: tuple, result: Any, hooks: list) -> None:
        """Legacy backward hooks become hooks of the node that made the (first) output."""
        var = result
        while not isinstance(var, Tensor):
            if isinstance(var, dict):
                var = next(v for v in var.values() if isinstance(v, Tensor))
            else:
                var = var[0]
        grad_fn = var.grad_fn
        if grad_fn is None:
            return
        for hook in hooks:
            grad_fn.register_hook(_WrappedHook(hook, self))
        _maybe_warn_legacy_backward_hook(args, result, grad_fn)


def _maybe_warn_legacy_backward_hook(inputs: Any, result: Any, grad_fn: Any) -> None:
    """Warns (FutureWarning) where a legacy hook will miss gradients, as PyTorch does."""

    def warn(message: str) -> None:
        warnings.warn(message, FutureWarning, stacklevel=5)

    def all_tensors(values: Any) -> bool:
        return isinstance(values, tuple) and all(isinstance(v, Tensor) for v in values)

    result = (result,) if isinstance(result, Tensor) else result
    if not all_tensors(result):
        return warn(
            "Using non-full backward hooks on a Module that does not return a single Tensor or "
            "a tuple of Tensors is deprecated and will be removed in future versions. This hook "
            "will be missing some of the grad_output. Please use register_full_backward_hook to "
            "get the documented behavior."
        )
    inputs = (inputs,) if isinstance(inputs, Tensor) else inputs
    if not all_tensors(inputs):
        return warn(
            "Using non-full backward hooks on a Module that does not take as input a single "
            "Tensor or a tuple of Tensors is deprecated and will be removed in future versions. "
            "This hook will be missing some of the grad_input. Please use "
            "register_full_backward_hook to get the documented behavior."
        )
    out_grad_fns = {r.grad_fn for r in result if r.grad_fn is not None}
    if not out_grad_fns or (len(out_grad_fns) == 1 and grad_fn not in out_grad_fns):
        return warn(
            "Using a non-full backward hook when outputs are nested in python data structure is "
            "deprecated and will be removed in future versions. This hook will be missing some "
            "grad_output."
        )
    if len(out_grad_fns) > 1:
        return warn(
            "Using a non-full backward hook when outputs are generated by different autograd "
            "Nodes is deprecated and will be removed in future versions. This hook will be "
            "missing some grad_output. Please use register_full_backward_hook to get the "
            "documented behavior."
        )
    inputs_grad_fns = {i.grad_fn for i in inputs if i.grad_fn is not None}
    if inputs_grad_fns != {n[0] for n in grad_fn.next_functions}:
        warn(
            "Using a non-full backward hook when the forward contains multiple autograd Nodes "
            "is deprecated and will be removed in future versions. This hook will be missing "
            "some grad_input. Please use register_full_backward_hook to get the documented "
            "behavior."
        )
    return None
