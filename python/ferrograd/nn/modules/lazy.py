"""`LazyModuleMixin`: modules whose parameter shapes are read from their first input.

A lazy module starts with `UninitializedParameter`s (and `UninitializedBuffer`s). A forward
pre-hook calls `initialize_parameters(*input)` on the first call, which gives them their shapes;
the module then turns into `cls_to_become` (`LazyLinear` into `Linear`, ...). Loading a
state_dict of a materialised module into a lazy one materialises it too.
"""

from __future__ import annotations

import itertools
from typing import Any

from ...autograd.grad_mode import no_grad
from ..parameter import is_lazy

__all__ = ["LazyModuleMixin"]


class LazyModuleMixin:
    """Put before the layer's class in the bases (`class LazyLinear(LazyModuleMixin, Linear)`);
    the subclass defines `initialize_parameters` and `cls_to_become`."""

    # The class the module turns into once every parameter has a shape.
    cls_to_become: type | None = None

    # Given by Module (this is a mixin).
    _parameters: dict
    _buffers: dict
    _non_persistent_buffers_set: set
    _register_load_state_dict_pre_hook: Any
    register_forward_pre_hook: Any
    _get_name: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._load_hook = self._register_load_state_dict_pre_hook(self._lazy_load_hook)
        # Runs before any user hook: the first call sizes the parameters.
        self._initialize_hook = self.register_forward_pre_hook(
            self._infer_parameters, with_kwargs=True
        )

    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        # A lazy tensor is saved as itself (detaching would give an empty plain tensor).
        for name, param in self._parameters.items():
            if param is not None:
                if not (is_lazy(param) or keep_vars):
                    param = param.detach()
                destination[prefix + name] = param
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                if not (is_lazy(buf) or keep_vars):
                    buf = buf.detach()
                destination[prefix + name] = buf

    def _lazy_load_hook(
        self,
        state_dict: Any,
        prefix: str,
        local_metadata: dict,
        strict: bool,
        missing_keys: list,
        unexpected_keys: list,
        error_msgs: list,
    ) -> None:
        """load_state_dict pre-hook: a lazy tensor takes the shape of a materialised entry, so
        the copy that follows fits."""
        for name, param in itertools.chain(self._parameters.items(), self._buffers.items()):
            key = prefix + name
            if key in state_dict and param is not None:
                input_param = state_dict[key]
                if is_lazy(param) and not is_lazy(input_param):
                    with no_grad():
                        param.materialize(input_param.shape)

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        """Materialises the lazy tensors from the shapes of the first call's arguments."""
        raise NotImplementedError(
            f"initialize_parameters is not implemented for {self.__class__.__name__}"
        )

    def has_uninitialized_params(self) -> bool:
        """True while some parameter or buffer has no shape yet."""
        params = self._parameters.values()
        buffers = self._buffers.values()
        return any(is_lazy(t) for t in itertools.chain(params, buffers))

    def _infer_parameters(self, module: Any, args: tuple, kwargs: dict | None = None) -> None:
        """The forward pre-hook: size the module from its input, then stop being lazy."""
        kwargs = kwargs if kwargs else {}
        module.initialize_parameters(*args, **kwargs)
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        module._initialize_hook.remove()
        module._load_hook.remove()
        delattr(module, "_initialize_hook")
        delattr(module, "_load_hook")
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become

    def _replicate_for_data_parallel(self) -> Any:
        raise RuntimeError(
            "Modules with uninitialized parameters can't be used with `DataParallel`. "
            "Run a dummy forward pass to correctly initialize the modules"
        )
