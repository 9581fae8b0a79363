"""All parameters as one flat vector, and back (for optimizers that see a single vector)."""

from __future__ import annotations

from collections.abc import Iterable

from ... import _C

Tensor = _C.Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _typename(obj: object) -> str:
    if isinstance(obj, Tensor):
        return obj.type()
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module == "builtins" else f"{module}.{name}"


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """Concatenates the flattened parameters, in order, into one new 1-D tensor."""
    return _C.cat([param.reshape(-1) for param in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Gives each parameter the next `numel` entries of `vec` as its data, in order."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    pointer = 0
    for param in parameters:
        count = param.numel()
        # The parameter's data becomes a view of the vector (no copy), as in PyTorch.
        param.data = vec[pointer : pointer + count].view_as(param).data
        pointer += count
