"""Helpers of ``ferrograd.autograd.functional``: turning inputs into tuples and back,
preparing the inputs the user function sees, checking ``v`` and the ``strict`` rules, and a
``grad`` that tolerates outputs without a graph.

The error messages are PyTorch's, word for word, so code written against
``torch.autograd.functional`` sees the same exceptions here.
"""

from __future__ import annotations

from typing import Any

from .. import _C

Tensors = tuple[Any, ...]


def as_tuple(value: Any, arg_name: str, fn_name: str) -> tuple[bool, Tensors]:
    """``(was_it_a_tuple, value as a tuple)``; every element must be a Tensor. Only a real
    ``tuple`` counts as a tuple (a list is one non-Tensor value, as in PyTorch)."""
    is_tuple = isinstance(value, tuple)
    items = value if is_tuple else (value,)
    for i, item in enumerate(items):
        if not isinstance(item, _C.Tensor):
            where = f"value at index {i}" if is_tuple else f"given {arg_name}"
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                f"Tensors but the {where} has type {type(item)}."
            )
    return is_tuple, items


def unpack(result: Any, to_unpack: bool | tuple[bool, bool]) -> Any:
    """Undoes ``as_tuple``: drops the tuple levels that were not tuples for the caller.
    ``to_unpack`` is one flag, or ``(outer, inner)`` for a tuple of tuples."""
    if isinstance(to_unpack, tuple):
        outer, inner = to_unpack
        if not inner:
            result = tuple(row[0] for row in result)
        to_unpack = outer
    return result if to_unpack else result[0]


def preprocess(tensors: Tensors, create_graph: bool, need_graph: bool) -> Tensors:
    """New Tensor objects for the user function to see, so that its result's graph ends at
    them and not at whatever the function captured. With ``create_graph`` an input that
    requires grad gets a view (the graph to the caller's tensor is kept); any other input is
    a detached alias that requires grad iff ``need_graph``."""
    result = []
    for t in tensors:
        if create_graph and t.requires_grad:
            result.append(t.view_as(t))
        else:
            result.append(t.detach().requires_grad_(need_graph))
    return tuple(result)


def postprocess(tensors: Any, create_graph: bool) -> Any:
    """Detaches a (nested) tuple of Tensors unless the caller asked for a graph."""
    if isinstance(tensors, _C.Tensor):
        return tensors if create_graph else tensors.detach()
    return tuple(postprocess(t, create_graph) for t in tensors)


def validate_v(v: Tensors, other: Tensors, is_other_tuple: bool) -> None:
    """``v`` must have one Tensor per Tensor of ``other``, each of the same size."""
    if len(v) != len(other):
        if is_other_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (el_v, el_other) in enumerate(zip(v, other)):
        if el_v.size() != el_other.size():
            prepend = f"Entry {i} in " if is_other_tuple else ""
            raise RuntimeError(
                f"{prepend}v has invalid size: should be {el_other.size()} but got {el_v.size()}."
            )


_NOT_REQUIRING_GRAD = {
    "hessian": (
        "The hessian of the user-provided function with respect to input {i} is independent "
        "of the input. This is not allowed in strict mode. You should ensure that your "
        "function is thrice differentiable and that the hessian depends on the inputs."
    ),
    "jacobian": (
        "While computing the hessian, found that the jacobian of the user-provided function "
        "with respect to input {i} is independent of the input. This is not allowed in strict "
        "mode. You should ensure that your function is twice differentiable and that the "
        "jacobian depends on the inputs (this would be violated by a linear function for "
        "example)."
    ),
    "grad_inputs": (
        "The gradient with respect to input {i} is independent of the inputs of the "
        "user-provided function. This is not allowed in strict mode."
    ),
    "outputs": (
        "Output {i} of the user-provided function does not require gradients. The outputs "
        "must be computed in a differentiable manner from the input when running in strict "
        "mode."
    ),
}


def check_requires_grad(tensors: tuple[Any | None, ...], kind: str, strict: bool) -> None:
    """In strict mode, every Tensor of ``tensors`` (the ``kind`` of thing named in the
    message) must exist and require grad."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {i}. "
                "This is not allowed in strict mode."
            )
        if not t.requires_grad:
            raise RuntimeError(_NOT_REQUIRING_GRAD[kind].format(i=i))


def grad_or_none(
    outputs: tuple[Any | None, ...],
    inputs: Tensors,
    grad_outputs: tuple[Any | None, ...] | None = None,
    create_graph: bool = False,
    retain_graph: bool | None = None,
) -> tuple[Any | None, ...]:
    """``autograd.grad`` that skips outputs that are None or have no graph, and gives None
    for inputs that no output depends on (all of them when no output has a graph)."""
    from . import grad

    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return grad(
        [o for o, _ in pairs],
        list(inputs),
        [g for _, g in pairs],
        retain_graph=retain_graph,
        create_graph=create_graph,
        allow_unused=True,
    )


_INDEPENDENT = {
    "back": (
        "The output of the user-provided function is independent of input {i}. This is not "
        "allowed in strict mode."
    ),
    "back_trick": (
        "The gradient with respect to the input is independent of entry {i} in the "
        "grad_outputs when using the double backward trick to compute forward mode "
        "gradients. This is not allowed in strict mode."
    ),
    "double_back": (
        "The jacobian of the user-provided function is independent of input {i}. This is not "
        "allowed in strict mode."
    ),
    "double_back_trick": (
        "The hessian of the user-provided function is independent of entry {i} in the "
        "grad_jacobian. This is not allowed in strict mode as it prevents from using the "
        "double backward trick to replace forward mode AD."
    ),
}


def fill_in_zeros(
    grads: tuple[Any | None, ...], refs: Tensors, strict: bool, create_graph: bool, stage: str
) -> Tensors:
    """Replaces each None gradient by zeros shaped like ``refs[i]`` (the mathematical value
    of the derivative of something independent of it); in strict mode raises instead, and
    with ``create_graph`` also raises for a gradient with no graph."""
    result = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_INDEPENDENT[stage].format(i=i))
            g = _C.zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(
                f"The {what} of the user-provided function is independent of input {i}. "
                "This is not allowed in strict mode when create_graph=True."
            )
        result.append(g)
    return tuple(result)
