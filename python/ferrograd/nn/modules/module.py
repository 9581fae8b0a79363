"""`Module`: the base class of every layer, holding parameters, buffers and submodules by name."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any, Callable

from ... import _C
from ..parameter import Buffer, Parameter
from ._module_conversion import ConversionMixin
from ._module_global_hooks import (  # noqa: F401 (re-exported, as PyTorch has them here)
    _global_module_registration_hooks,
    _run_registration_hooks,
    register_module_backward_hook,
    register_module_buffer_registration_hook,
    register_module_forward_hook,
    register_module_forward_pre_hook,
    register_module_full_backward_hook,
    register_module_full_backward_pre_hook,
    register_module_module_registration_hook,
    register_module_parameter_registration_hook,
)
from ._module_hooks import HooksMixin
from ._module_registration import RegistrationMixin, typename
from ._module_state_dict import StateDictMixin

# PyTorch lists the register_module_* functions in this file's __all__, but `torch.nn.modules`
# imports only `Module` from it; our `nn.modules` star-imports each file, so `__all__` names
# just `Module` to keep the global hook functions out of `nn` (reach them through this module).
__all__ = ["Module"]

Tensor = _C.Tensor


def _addindent(text: str, spaces: int) -> str:
    """Indents every line of a child's repr but the first (which follows `(name): `)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    first = lines.pop(0)
    # Blank lines stay empty (no trailing spaces), as in PyTorch.
    return first + "\n" + "\n".join(" " * spaces + line if line.strip() else "" for line in lines)


class Module(RegistrationMixin, HooksMixin, StateDictMixin, ConversionMixin):
    """Base class for all neural-network modules; subclasses define `forward`.

    Assigning a `Parameter`, a `Module` or a `Buffer` as an attribute registers it, so that
    `parameters()`, `state_dict()`, `to()` and `repr()` find it.
    """

    dump_patches: bool = False
    _version: int = 1
    training: bool
    call_super_init: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if self.call_super_init is False and kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                f"'{next(iter(kwargs))}'"
            )
        if self.call_super_init is False and args:
            raise TypeError(
                f"{type(self).__name__}.__init__() takes 1 positional argument but "
                f"{len(args) + 1} were given"
            )
        # object.__setattr__ because our own __setattr__ needs these dictionaries to exist.
        setattr_ = object.__setattr__
        setattr_(self, "training", True)
        setattr_(self, "_parameters", {})
        setattr_(self, "_buffers", {})
        setattr_(self, "_non_persistent_buffers_set", set())
        setattr_(self, "_modules", {})
        self._init_hook_dicts()
        if self.call_super_init:
            super().__init__(*args, **kwargs)

    forward: Callable[..., Any]

    def forward(self, *input: Any) -> Any:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    # ----- registration -----

    def add_module(self, name: str, module: Module | None) -> None:
        """Adds a child module; the same as assigning `self.name = module`."""
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        module = _run_registration_hooks(_global_module_registration_hooks, self, name, module)
        self._modules[name] = module

    def register_module(self, name: str, module: Module | None) -> None:
        """Alias for `add_module`."""
        self.add_module(name, module)

    # ----- looking things up by dotted path -----

    def get_submodule(self, target: str) -> Module:
        """The submodule at a dotted path such as `"net.0"` (`""` is the module itself)."""
        if target == "":
            return self
        module: Module = self
        for item in target.split("."):
            if not hasattr(module, item):
                raise AttributeError(module._get_name() + " has no attribute `" + item + "`")
            module = getattr(module, item)
            if not isinstance(module, Module):
                raise AttributeError("`" + item + "` is not an nn.Module")  # noqa: TRY004
        return module

    # ----- the attribute protocol that does the registering -----

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: look in the three registries.
        for registry in ("_parameters", "_buffers", "_modules"):
            found = self.__dict__.get(registry)
            if found is not None and name in found:
                return found[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value: Any) -> None:
        def remove_from(*places: Any) -> None:
            for place in places:
                if name in place:
                    if isinstance(place, dict):
                        del place[name]
                    else:
                        place.discard(name)

        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            remove_from(
                self.__dict__, self._buffers, self._modules, self._non_persistent_buffers_set
            )
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{typename(value)}' as parameter '{name}' "
                    "(torch.nn.Parameter or None expected)"
                )
            self.register_parameter(name, value)
            return
        modules = self.__dict__.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            remove_from(
                self.__dict__, self._parameters, self._buffers, self._non_persistent_buffers_set
            )
            modules[name] = _run_registration_hooks(
                _global_module_registration_hooks, self, name, value
            )
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{typename(value)}' as child module '{name}' "
                    "(torch.nn.Module or None expected)"
                )
            modules[name] = _run_registration_hooks(
                _global_module_registration_hooks, self, name, value
            )
            return
        buffers = self.__dict__.get("_buffers")
        if isinstance(value, Buffer) or (buffers is not None and name in buffers):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{typename(value)}' as buffer '{name}' "
                    "(torch.nn.Buffer, torch.Tensor or None expected)"
                )
            if isinstance(value, Buffer):
                persistent = value.persistent
            else:
                persistent = name not in self._non_persistent_buffers_set
            remove_from(self.__dict__, self._parameters, self._modules)
            self.register_buffer(name, value, persistent)
            return
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        attrs = dir(self.__class__) + list(self.__dict__)
        registered = list(self._parameters) + list(self._modules) + list(self._buffers)
        # Names of unset (None) registrations that are not valid identifiers are left out.
        keys = [key for key in attrs + registered if not key[0].isdigit()]
        return sorted(set(keys))

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    # ----- walking the tree -----

    def _named_members(
        self, get_members: Callable, prefix: str = "", recurse: bool = True, remove_duplicate=True
    ) -> Iterator[tuple[str, Any]]:
        """Walks the modules and yields (dotted name, member), each member once by default."""
        seen: set[int] = set()
        if recurse:
            modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
        else:
            modules = iter([(prefix, self)])
        for module_prefix, module in modules:
            for key, value in get_members(module):
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                name = module_prefix + ("." if module_prefix else "") + key
                yield name, value

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """The parameters of this module and (with `recurse`) of all its submodules."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs; a parameter shared by two layers is listed once."""
        return self._named_members(
            lambda module: module._parameters.items(), prefix, recurse, remove_duplicate
        )

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        return self._named_members(
            lambda module: module._buffers.items(), prefix, recurse, remove_duplicate
        )

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct submodules, each once."""
        seen: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_modules(
        self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """This module then every submodule depth-first, with dotted names."""
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub_prefix = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub_prefix, remove_duplicate)

    # ----- modes and gradients -----

    def train(self, mode: bool = True) -> Module:
        """Sets training mode here and in every submodule (Dropout, BatchNorm look at it)."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")  # noqa: TRY004
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clears the gradients of all parameters (drops them, by default)."""
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                grad = param.grad
                if grad.grad_fn is not None:
                    grad.detach_()
                else:
                    grad.requires_grad_(False)
                grad.zero_()

    def share_memory(self) -> Module:
        """Tensors of one process are already shared by the threads that use them: nothing to do."""
        return self

    # ----- calling -----

    __call__: Callable[..., Any] = HooksMixin._call_impl

    def compile(self, *args: Any, **kwargs: Any) -> None:
        """PyTorch compiles `__call__` with `torch.compile`; ferrograd has no graph compiler.

        Compiling never changes what a module computes, so the module keeps running eagerly (a
        program written for PyTorch still works and prints the same) and a warning says there
        is no speed-up to expect.
        """
        warnings.warn(
            f"{type(self).__name__}.compile(): ferrograd has no graph compiler (torch.compile); "
            "the module keeps running eagerly, with the same results and no speed-up.",
            stacklevel=2,
        )

    # ----- printing -----

    def _get_name(self) -> str:
        return self.__class__.__name__

    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr; layers override it."""
        return ""

    def __repr__(self) -> str:
        lines = []
        extra = self.extra_repr()
        if extra:
            lines = extra.split("\n")
        for key, module in self._modules.items():
            lines.append("(" + key + "): " + _addindent(repr(module), 2))
        main = self._get_name() + "("
        if lines:
            # One-line extra_repr and no children: print on one line.
            if len(lines) == 1 and not self._modules:
                main += lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"
