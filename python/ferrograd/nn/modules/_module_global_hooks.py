"""Hooks common to every Module: forward, backward and registration hooks kept in global tables.

PyTorch keeps these in `torch.nn.modules.module` for debugging and profiling; they run before
each module's own hooks. `module.py` re-exports the `register_module_*` functions.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

from ...utils.hooks import RemovableHandle

__all__ = [
    "register_module_backward_hook",
    "register_module_buffer_registration_hook",
    "register_module_forward_hook",
    "register_module_forward_pre_hook",
    "register_module_full_backward_hook",
    "register_module_full_backward_pre_hook",
    "register_module_module_registration_hook",
    "register_module_parameter_registration_hook",
]

# Run by register_buffer / register_parameter / add_module (and attribute assignment) before
# the value is stored; a hook may return a replacement value.
_global_buffer_registration_hooks: OrderedDict[int, Callable] = OrderedDict()
_global_module_registration_hooks: OrderedDict[int, Callable] = OrderedDict()
_global_parameter_registration_hooks: OrderedDict[int, Callable] = OrderedDict()

# Run around every module call, before the module's own hooks of the same kind.
_global_backward_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
_global_backward_hooks: OrderedDict[int, Callable] = OrderedDict()
_global_forward_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
_global_forward_hooks: OrderedDict[int, Callable] = OrderedDict()
_global_forward_hooks_always_called: OrderedDict[int, bool] = OrderedDict()
_global_forward_hooks_with_kwargs: OrderedDict[int, bool] = OrderedDict()


class _BackwardKind:
    """Whether the global backward hooks are full ones (True), legacy ones (False) or unset.

    A holder rather than a module global so that the other files read the current value.
    """

    is_full: bool | None = None


def _add(table: OrderedDict, hook: Callable, *flag_tables: OrderedDict) -> RemovableHandle:
    """Stores `hook` in `table` under a fresh handle id, flagged in `flag_tables`."""

    def remove() -> None:
        for place in (table, *flag_tables):
            place.pop(handle.id, None)

    handle = RemovableHandle(remove)
    table[handle.id] = hook
    for flags in flag_tables:
        flags[handle.id] = True
    return handle


def _run_registration_hooks(table: OrderedDict, module: Any, name: str, value: Any) -> Any:
    """`hook(module, name, value)` for each hook in `table`; a non-None result replaces value."""
    for hook in list(table.values()):
        output = hook(module, name, value)
        if output is not None:
            value = output
    return value


def register_module_buffer_registration_hook(hook: Callable[..., None]) -> RemovableHandle:
    """`hook(module, name, buffer)` runs whenever any module registers a buffer; it may return
    a replacement buffer."""
    return _add(_global_buffer_registration_hooks, hook)


def register_module_module_registration_hook(hook: Callable[..., None]) -> RemovableHandle:
    """`hook(module, name, submodule)` runs whenever any module registers a submodule; it may
    return a replacement submodule."""
    return _add(_global_module_registration_hooks, hook)


def register_module_parameter_registration_hook(hook: Callable[..., None]) -> RemovableHandle:
    """`hook(module, name, param)` runs whenever any module registers a parameter; it may
    return a replacement parameter."""
    return _add(_global_parameter_registration_hooks, hook)


def register_module_forward_pre_hook(hook: Callable[..., None]) -> RemovableHandle:
    """`hook(module, args)` runs before every module's `forward`, before the module's own
    pre-hooks; it may return replacement args (a single value is wrapped in a tuple)."""
    return _add(_global_forward_pre_hooks, hook)


def register_module_forward_hook(
    hook: Callable[..., None], *, with_kwargs: bool = False, always_call: bool = False
) -> RemovableHandle:
    """`hook(module, args, output)` (or `hook(module, args, kwargs, output)` with
    `with_kwargs`) runs after every module's `forward`, before the module's own forward hooks;
    it may return a replacement output. With `always_call` it also runs when forward raises."""
    flags = []
    if with_kwargs:
        flags.append(_global_forward_hooks_with_kwargs)
    if always_call:
        flags.append(_global_forward_hooks_always_called)
    return _add(_global_forward_hooks, hook, *flags)


def register_module_backward_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """The legacy global backward hook, deprecated in favour of
    `register_module_full_backward_hook` (see `Module.register_backward_hook`)."""
    if _BackwardKind.is_full is True:
        raise RuntimeError(
            "Cannot use both regular backward hooks and full backward hooks as a "
            "global Module hook. Please use only one of them."
        )
    _BackwardKind.is_full = False
    return _add(_global_backward_hooks, hook)


def register_module_full_backward_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """`hook(module, grad_output)` for every module, before the module's own backward
    pre-hooks (see `Module.register_full_backward_pre_hook`)."""
    return _add(_global_backward_pre_hooks, hook)


def register_module_full_backward_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """`hook(module, grad_input, grad_output)` for every module, before the module's own
    backward hooks (see `Module.register_full_backward_hook`)."""
    if _BackwardKind.is_full is False:
        raise RuntimeError(
            "Cannot use both regular backward hooks and full backward hooks as a "
            "global Module hook. Please use only one of them."
        )
    _BackwardKind.is_full = True
    return _add(_global_backward_hooks, hook)
