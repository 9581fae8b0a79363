"""`spectral_norm`: a weight divided by its largest singular value, estimated by power iteration.

The module keeps `weight_orig` as its parameter and the iteration's vectors `weight_u`,
`weight_v` as buffers; a forward pre-hook runs one power step (in training) and rebuilds
`weight = weight_orig / sigma` before every call (Miyato et al., 2018).
"""

from __future__ import annotations

from typing import TypeVar

from ... import _C
from ...autograd.grad_mode import no_grad
from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..modules.module import Module
from ..parameter import Parameter, UninitializedParameter

Tensor = _C.Tensor
T = TypeVar("T", bound=Module)

__all__ = ["remove_spectral_norm", "spectral_norm"]


def _normalized(x: Tensor, eps: float) -> Tensor:
    return x / x.norm().clamp_min(eps)


def _reshape_weight_to_matrix(weight: Tensor, dim: int) -> Tensor:
    """The weight as a matrix whose rows run along `dim` (shared with
    `parametrizations.spectral_norm`)."""
    if dim != 0:
        weight = weight.permute(dim, *[d for d in range(weight.dim()) if d != dim])
    return weight.reshape(weight.shape[0], -1)


def _default_dim(module: Module) -> int:
    """The output dim of the weight: 1 for transposed convolutions, whose weight is
    (in, out, ...), and 0 otherwise."""
    transposed = (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)
    return 1 if isinstance(module, transposed) else 0


class SpectralNorm:
    """The forward pre-hook: a power-iteration step, then `name = name_orig / sigma`."""

    def __init__(self, name: str, n_power_iterations: int, dim: int, eps: float) -> None:
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but got "
                f"n_power_iterations={n_power_iterations}"
            )
        self.name = name
        self.dim = dim
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        """The weight as a matrix whose rows run along `dim`."""
        return _reshape_weight_to_matrix(weight, self.dim)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        matrix = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with no_grad():
                for _ in range(self.n_power_iterations):
                    # The buffers are updated in place: the estimate improves across calls.
                    v.copy_(_normalized(matrix.t().mv(u), self.eps))
                    u.copy_(_normalized(matrix.mv(v), self.eps))
                u, v = u.clone(), v.clone()
        sigma = u.dot(matrix.mv(v))
        return weight / sigma

    def remove(self, module: Module) -> None:
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module, module.training))


def spectral_norm(
    module: T,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> T:
    """Normalise `module.<name>` by its spectral norm before every forward call."""
    if dim is None:
        dim = _default_dim(module)
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            raise RuntimeError(
                f"Cannot register two spectral_norm hooks on the same parameter {name}"
            )
    fn = SpectralNorm(name, n_power_iterations, dim, eps)
    weight = module._parameters[name]
    if weight is None:
        raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
    if isinstance(weight, UninitializedParameter):
        raise ValueError(  # noqa: TRY004  (PyTorch raises ValueError here)
            "The module passed to `SpectralNorm` can't have uninitialized parameters. Make "
            "sure to run the dummy forward before applying spectral normalization"
        )
    with no_grad():
        rows, cols = fn.reshape_weight_to_matrix(weight).shape
        u = _normalized(weight.new_empty(rows).normal_(0, 1), eps)
        v = _normalized(weight.new_empty(cols).normal_(0, 1), eps)
    delattr(module, name)
    module.register_parameter(name + "_orig", weight)
    setattr(module, name, weight.data)
    module.register_buffer(name + "_u", u)
    module.register_buffer(name + "_v", v)
    module.register_forward_pre_hook(fn)
    return module


def remove_spectral_norm(module: T, name: str = "weight") -> T:
    """Replace the normalised weight by a plain parameter holding its current value."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"spectral_norm of '{name}' not found in {module}")
