"""`weight_norm`: a weight rewritten as a magnitude `g` times a direction `v / ||v||`.

The module keeps `weight_g` and `weight_v` as its parameters; a forward pre-hook rebuilds
`weight` from them before every call (Salimans and Kingma, 2016).
"""

from __future__ import annotations

import warnings
from typing import TypeVar

from ... import _C
from ..modules.module import Module
from ..parameter import Parameter, UninitializedParameter

Tensor = _C.Tensor
T = TypeVar("T", bound=Module)

__all__ = ["remove_weight_norm", "weight_norm"]


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """The norm of `v` over every dim but `dim` (kept with size 1 elsewhere); all dims for -1."""
    if dim == -1:
        return v.norm(pow)
    other_dims = [d for d in range(v.dim()) if d != dim]
    return v.norm(pow, dim=other_dims, keepdim=True)


def _weight_norm(v: Tensor, g: Tensor, dim: int = 0) -> Tensor:
    """w = g * v / ||v||, the norm taken per slice along `dim` (over everything for -1).

    Shared by this hook and by `parametrizations.weight_norm`.
    """
    return v * (g / norm_except_dim(v, 2, dim))


class WeightNorm:
    """The forward pre-hook that recomputes `name` from `name_g` and `name_v`."""

    def __init__(self, name: str, dim: int | None) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module: Module) -> Tensor:
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return _weight_norm(v, g, self.dim)

    def remove(self, module: Module) -> None:
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module: Module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: T, name: str = "weight", dim: int | None = 0) -> T:
    """Reparameterise `module.<name>` as `g * v / ||v||` (norm per slice of `dim`; None: all)."""
    warnings.warn(
        "`torch.nn.utils.weight_norm` is deprecated in favor of "
        "`torch.nn.utils.parametrizations.weight_norm`.",
        FutureWarning,
        stacklevel=2,
    )
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, WeightNorm) and hook.name == name:
            raise RuntimeError(
                f"Cannot register two weight_norm hooks on the same parameter {name}"
            )
    fn = WeightNorm(name, dim)
    weight = getattr(module, name)
    if isinstance(weight, UninitializedParameter):
        raise ValueError(  # noqa: TRY004  (PyTorch raises ValueError here)
            "The module passed to `WeightNorm` can't have uninitialized parameters. Make sure "
            "to run the dummy forward before applying weight normalization"
        )
    del module._parameters[name]
    module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, fn.dim).data))
    module.register_parameter(name + "_v", Parameter(weight.data))
    setattr(module, name, fn.compute_weight(module))
    module.register_forward_pre_hook(fn)
    return module


def remove_weight_norm(module: T, name: str = "weight") -> T:
    """Fold `g` and `v` back into one parameter `name` and drop the hook."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
