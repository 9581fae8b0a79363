"""`Optimizer`: the base class holding parameter groups, per-parameter state, and hooks."""

from __future__ import annotations

import functools
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from copy import deepcopy
from itertools import chain
from typing import Any, Callable, ClassVar, Union

from .. import _C
from ..autograd.grad_mode import enable_grad
from ..utils.hooks import RemovableHandle

Tensor = _C.Tensor

__all__ = [
    "Optimizer",
    "register_optimizer_step_post_hook",
    "register_optimizer_step_pre_hook",
]

ParamsT = Union[Iterable[Tensor], Iterable[dict[str, Any]], Iterable[tuple[str, Tensor]]]
StateDict = dict[str, Any]


class _RequiredParameter:
    """Marks a default that every parameter group must give itself (no global default)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

# Hooks that run around `step()` of every optimizer (PyTorch's global optimizer hooks).
_global_optimizer_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
_global_optimizer_post_hooks: OrderedDict[int, Callable] = OrderedDict()


def _add_hook(table: OrderedDict[int, Callable], hook: Callable, prepend: bool = False):
    """Store `hook` in `table` under a fresh id; the returned handle removes it again."""

    def remove() -> None:
        table.pop(handle.id, None)

    handle = RemovableHandle(remove)
    table[handle.id] = hook
    if prepend:
        table.move_to_end(handle.id, last=False)
    return handle


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    """Register `hook(optimizer, args, kwargs)` to run before every optimizer's `step`."""
    return _add_hook(_global_optimizer_pre_hooks, hook)


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    """Register `hook(optimizer, args, kwargs)` to run after every optimizer's `step`."""
    return _add_hook(_global_optimizer_post_hooks, hook)


def _to_scalar(value: Any) -> Any:
    """A one-element tensor hyperparameter (say a tensor lr) as a Python number."""
    if isinstance(value, Tensor):
        return value.item()
    return value


def _evaluate_closure(closure: Callable[[], Any] | None) -> Any:
    """The loss from `step(closure)`'s closure, run with grad enabled (None without one)."""
    if closure is None:
        return None
    with enable_grad():
        return closure()


def _typename(obj: Any) -> str:
    """The type name PyTorch's messages show: `ferrograd.FloatTensor`, `int`, ..."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module in ("builtins", None) else f"{module}.{name}"


def _use_grad_for_differentiable(step: Callable) -> Callable:
    """Run `step` with grad mode off, unless the optimizer was built with differentiable=True.

    An update writes into leaf tensors that require grad; recording it would be an error (and a
    waste), so optimizers update under no_grad, as PyTorch's do.
    """

    @functools.wraps(step)
    def wrapper(self: Optimizer, *args: Any, **kwargs: Any) -> Any:
        previous = _C._set_grad_enabled(bool(self.defaults.get("differentiable", False)))
        try:
            return step(self, *args, **kwargs)
        finally:
            _C._set_grad_enabled(previous)

    return wrapper


def _hooked_step(step: Callable) -> Callable:
    """Wrap a subclass's `step` so that the step pre- and post-hooks run around it."""

    @functools.wraps(step)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        self = args[0]
        if _global_optimizer_pre_hooks or self._optimizer_step_pre_hooks:
            pre_hooks = chain(
                _global_optimizer_pre_hooks.values(), self._optimizer_step_pre_hooks.values()
            )
            for pre_hook in pre_hooks:
                result = pre_hook(self, args, kwargs)
                if result is None:
                    continue
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(
                        f"{step} must return None or a tuple of (new_args, new_kwargs), "
                        f"but got {result}."
                    )
        out = step(*args, **kwargs)
        # Learning-rate schedulers look at this to warn when they are stepped first.
        self._opt_called = True
        if self._optimizer_step_post_hooks or _global_optimizer_post_hooks:
            post_hooks = chain(
                self._optimizer_step_post_hooks.values(), _global_optimizer_post_hooks.values()
            )
            for post_hook in post_hooks:
                post_hook(self, args, kwargs)
        return out

    wrapper.hooked = True  # type: ignore[attr-defined]
    return wrapper


class Optimizer:
    """Base class of all optimizers.

    `param_groups` is a list of dicts, each with its `params` (a list of tensors) and its
    hyperparameters (filled from `defaults` where a group does not set them). `state` maps each
    parameter to a dict of the tensors the algorithm keeps for it (momentum buffers, ...).
    """

    # Options added to an optimizer after its first release: a param group loaded from an older
    # state (`load_state_dict`, unpickling) may lack them, and `__setstate__` fills them in with
    # these values. Each optimizer lists its own.
    _group_defaults_on_load: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "hooked", False):
            cls.step = _hooked_step(step)  # type: ignore[method-assign]

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_state_dict_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_state_dict_post_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: OrderedDict[int, Callable] = OrderedDict()

        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be "
                "an iterable of Tensors or dicts, but got " + _typename(params)
            )
        if isinstance(params, set):
            warnings.warn(
                "optimizer parameters need to be organized in ordered collections, but "
                "the ordering of tensors in sets will change between runs. Please use a "
                "list instead. This will be an error in a future release.",
                FutureWarning,
                stacklevel=2,
            )

        self.state: defaultdict[Tensor, Any] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []

        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self) -> dict[str, Any]:
        return {
            "defaults": self.defaults,
            "state": self.state,
            "param_groups": self.param_groups,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in (
            "_optimizer_step_pre_hooks",
            "_optimizer_step_post_hooks",
            "_optimizer_state_dict_pre_hooks",
            "_optimizer_state_dict_post_hooks",
            "_optimizer_load_state_dict_pre_hooks",
            "_optimizer_load_state_dict_post_hooks",
        ):
            self.__dict__.setdefault(name, OrderedDict())
        self.defaults.setdefault("differentiable", False)
        for group in self.param_groups:
            for key, value in self._group_defaults_on_load.items():
                group.setdefault(key, value)

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for index, group in enumerate(self.param_groups):
            text += f"\nParameter Group {index}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # ----- hooks -------------------------------------------------------------------------

    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """`hook(optimizer, args, kwargs)` runs before `step`; it may return new (args, kwargs)."""
        return _add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """`hook(optimizer, args, kwargs)` runs after `step`."""
        return _add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False):
        """`hook(optimizer)` runs before `state_dict()` builds its result."""
        return _add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False):
        """`hook(optimizer, state_dict)` runs after `state_dict()`; it may return a new dict."""
        return _add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable, prepend: bool = False):
        """`hook(optimizer, state_dict)` runs before loading; it may return a new dict."""
        return _add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable, prepend: bool = False):
        """`hook(optimizer)` runs after `load_state_dict()`."""
        return _add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ----- state_dict --------------------------------------------------------------------

    def state_dict(self) -> StateDict:
        """The state as `{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}`.

        Parameters are replaced by their position across all groups, so the dict can be loaded
        into an optimizer built over other tensors of the same shapes.
        """
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        index_of: dict[int, int] = {}
        next_index = 0

        def pack_group(group: dict[str, Any]) -> dict[str, Any]:
            nonlocal next_index
            packed = {key: value for key, value in group.items() if key != "params"}
            for position, param in enumerate(group["params"], next_index):
                index_of.setdefault(id(param), position)
            packed["params"] = [index_of[id(param)] for param in group["params"]]
            next_index += len(packed["params"])
            return packed

        param_groups = [pack_group(group) for group in self.param_groups]
        packed_state = {
            (index_of[id(key)] if isinstance(key, Tensor) else key): value
            for key, value in self.state.items()
        }
        state_dict = {"state": packed_state, "param_groups": param_groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def load_state_dict(self, state_dict: StateDict) -> None:
        """Load a dict made by `state_dict()`; groups must have the same sizes as ours."""
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group "
                "that doesn't match the size of optimizer's group"
            )
        param_of_index = dict(
            zip(
                chain.from_iterable(group["params"] for group in saved_groups),
                chain.from_iterable(group["params"] for group in groups),
            )
        )
        state: defaultdict[Any, dict[Any, Any]] = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in param_of_index:
                param = param_of_index[key]
                state[param] = _cast_state(param, value)
            else:
                state[key] = value

        for group, new_group in zip(groups, saved_groups):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
        self.__setstate__({"state": state, "param_groups": saved_groups})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    # ----- gradients and steps -------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: set each `.grad` to None (default) or fill it with zeros."""
        for group in self.param_groups:
            for param in group["params"]:
                grad = param.grad
                if grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                    continue
                if grad.grad_fn is not None:
                    grad.detach_()
                else:
                    grad.requires_grad_(False)
                grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters once; `closure` re-evaluates the loss (some optimizers need it)."""
        raise NotImplementedError

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (with its own hyperparameters) to optimize from now on."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but "
                "the ordering of tensors in sets will change between runs. "
                "Please use a list instead."
            )
        else:
            param_group["params"] = list(params)

        # Parameters may come as (name, tensor) pairs, as from `named_parameters()`.
        tensors: list[Any] = []
        names: list[str] = []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError(
                    "all optimizer params should be with/without names. "
                    "Some param names are missing"
                )
            param_group["param_names"] = names

        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, "
                    "but one of the params is " + _typename(param)
                )
            if not self.defaults.get("differentiable", None) and not (
                param.is_leaf or param.retains_grad
            ):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required "
                    f"optimization parameter {name}"
                )
            param_group.setdefault(name, default)

        if len(tensors) != len(set(tensors)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; "
                "in future, this will cause an error; "
                "see github.com/pytorch/pytorch/issues/40967 for more information",
                stacklevel=3,
            )

        seen: set[Tensor] = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                current = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {current} to the optimizer"
                )
        if not seen.isdisjoint(tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)


def _cast_state(param: Tensor, value: Any, key: Any = None) -> Any:
    """A loaded state value moved to the parameter's dtype (floating tensors, but never `step`).

    Dicts and lists are rebuilt around their cast contents; other values are kept as they are.
    """
    if isinstance(value, Tensor):
        if key == "step" or not param.is_floating_point():
            return value
        return value.to(dtype=param.dtype)
    if isinstance(value, dict):
        return {k: _cast_state(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v) for v in value)
    return value
