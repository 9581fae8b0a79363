"""``ferrograd.autograd.functional``: derivatives of whole functions, with PyTorch's API.

Each function takes ``func`` and the point ``inputs`` (a Tensor or a tuple of Tensors) and
calls ``func(*inputs)`` on fresh copies of the inputs that require grad:

* ``vjp``: ``v^T J``, one backward pass with ``v`` as the output gradient.
* ``jvp``: ``J v``, by the *double-backward trick*: ``g(u) = u^T J`` is linear in the output
  gradient ``u``, so the gradient of ``g(u) . v`` with respect to ``u`` is ``J v``. Our
  engine has no forward mode, so this is the only way.
* ``jacobian``: one backward pass per output element (row of ``J``).
* ``hessian``: the Jacobian of the gradient (computed with ``create_graph=True``).
* ``vhp``: ``v^T H``, the gradient of ``grad(f) . v``.
* ``hvp``: ``H v``, the double-backward trick applied to ``grad(f)``.

Results are Tensors when the inputs (and outputs) were single Tensors and tuples otherwise;
they have no graph unless ``create_graph=True``. An output independent of an input gives
zeros, or an error with ``strict=True``.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any, Callable, Union

from .. import _C
from . import _functional_utils as _utils
from .grad_mode import enable_grad, set_grad_enabled

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]

Tensor = _C.Tensor
TensorOrTensors = Union[Tensor, tuple[Tensor, ...]]

_STRATEGY_HINT = (
    'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
    'function has more outputs than inputs, "forward-mode" tends to be more performant. '
    'Otherwise, prefer to use "reverse-mode".'
)


def _setup(fn_name: str, inputs: Any, v: Any, create_graph: bool) -> tuple:
    """Shared start of jvp / vhp / hvp, whose ``v`` is shaped like the inputs:
    ``(is_inputs_tuple, prepared inputs, v as a tuple or None)``."""
    is_inputs_tuple, inputs = _utils.as_tuple(inputs, "inputs", fn_name)
    inputs = _utils.preprocess(inputs, create_graph=create_graph, need_graph=True)
    if v is not None:
        _, v = _utils.as_tuple(v, "v", fn_name)
        v = _utils.preprocess(v, create_graph=create_graph, need_graph=False)
        _utils.validate_v(v, inputs, is_inputs_tuple)
    elif len(inputs) != 1 or inputs[0].nelement() != 1:
        raise RuntimeError(
            "The vector v can only be None if the input to the user-provided function is a "
            "single Tensor with a single element."
        )
    return is_inputs_tuple, inputs, v


def _scalar_output(fn_name: str, func: Callable, inputs: tuple, strict: bool) -> tuple:
    """Calls ``func`` (for vhp / hvp / hessian) and checks it returned one single-element
    Tensor; returns ``(is_outputs_tuple, outputs)``."""
    is_outputs_tuple, outputs = _utils.as_tuple(
        func(*inputs), "outputs of the user-provided function", fn_name
    )
    _utils.check_requires_grad(outputs, "outputs", strict=strict)
    if is_outputs_tuple:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].nelement() != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {fn_name} should contain a single "
            "element"
        )
    return is_outputs_tuple, outputs


def _grad_mode_for(create_graph: bool) -> set_grad_enabled:
    """Grad mode for the last backward pass: on with ``create_graph``, else the caller's (as
    in PyTorch; the result is detached afterwards anyway)."""
    return set_grad_enabled(True if create_graph else _C.is_grad_enabled())


def _pair(
    outputs: tuple, outputs_tuple: bool, result: tuple, result_tuple: bool, create_graph: bool
) -> tuple:
    """``(func's outputs, the product)``, detached unless ``create_graph``, each a Tensor or
    a tuple as the caller passed them."""
    outputs = _utils.postprocess(outputs, create_graph)
    result = _utils.postprocess(result, create_graph)
    return _utils.unpack(outputs, outputs_tuple), _utils.unpack(result, result_tuple)


def vjp(
    func: Callable[..., TensorOrTensors],
    inputs: TensorOrTensors,
    v: TensorOrTensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[TensorOrTensors, TensorOrTensors]:
    """``(func(*inputs), v^T J)``: the vector-Jacobian product, shaped like the inputs.
    ``v`` is shaped like the outputs; it may be omitted for a single-element output."""
    with enable_grad():
        is_inputs_tuple, inputs = _utils.as_tuple(inputs, "inputs", "vjp")
        inputs = _utils.preprocess(inputs, create_graph=create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _utils.as_tuple(
            outputs, "outputs of the user-provided function", "vjp"
        )
        _utils.check_requires_grad(outputs, "outputs", strict=strict)
        if v is not None:
            _, v = _utils.as_tuple(v, "v", "vjp")
            v = _utils.preprocess(v, create_graph=create_graph, need_graph=False)
            _utils.validate_v(v, outputs, is_outputs_tuple)
        elif len(outputs) != 1 or outputs[0].nelement() != 1:
            raise RuntimeError(
                "The vector v can only be None if the user-provided function returns a single "
                "Tensor with a single element."
            )
    with _grad_mode_for(create_graph):
        grads = _utils.grad_or_none(outputs, inputs, v, create_graph=create_graph)
        result = _utils.fill_in_zeros(grads, inputs, strict, create_graph, "back")
    return _pair(outputs, is_outputs_tuple, result, is_inputs_tuple, create_graph)


def jvp(
    func: Callable[..., TensorOrTensors],
    inputs: TensorOrTensors,
    v: TensorOrTensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[TensorOrTensors, TensorOrTensors]:
    """``(func(*inputs), J v)``: the Jacobian-vector product, shaped like the outputs.
    ``v`` is shaped like the inputs; it may be omitted for a single-element input."""
    with enable_grad():
        _, inputs, v = _setup("jvp", inputs, v, create_graph)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _utils.as_tuple(
            outputs, "outputs of the user-provided function", "jvp"
        )
        _utils.check_requires_grad(outputs, "outputs", strict=strict)
        # grad_inputs = u^T J is linear in u, so its value (zeros here) does not matter: only
        # its graph, through which the next backward pass yields J v.
        dummies = tuple(_C.zeros_like(out, requires_grad=True) for out in outputs)
        grad_inputs = _utils.grad_or_none(outputs, inputs, dummies, create_graph=True)
        _utils.check_requires_grad(grad_inputs, "grad_inputs", strict=strict)
    with enable_grad() if create_graph else nullcontext():
        grads = _utils.grad_or_none(grad_inputs, dummies, v, create_graph=create_graph)
        result = _utils.fill_in_zeros(grads, outputs, strict, create_graph, "back_trick")
    return _pair(outputs, is_outputs_tuple, result, is_outputs_tuple, create_graph)


def _check_strategy(strategy: str) -> None:
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(_STRATEGY_HINT)


def _forward_mode(inputs: Any, create_graph: bool, strict: bool) -> None:
    """``strategy="forward-mode"`` always raises: the engine is reverse-mode only. The
    combinations PyTorch refuses too raise PyTorch's errors, in PyTorch's order."""
    if create_graph:
        raise NotImplementedError(
            "torch.autograd.functional.jacobian: `create_graph=True` and "
            '`strategy="forward-mode"` are not supported together (yet). Please either set '
            '`create_graph=False` or `strategy="reverse-mode"`.'
        )
    if strict:
        raise RuntimeError(
            "torch.autograd.functional.jacobian: `strict=True` and "
            '`strategy="forward-mode"` are not supported together (yet). Please either set '
            '`strict=False` or `strategy="reverse-mode"`.'
        )
    _utils.as_tuple(inputs, "inputs", "jacobian")
    raise NotImplementedError(
        "ferrograd.autograd.functional: forward-mode AD is not available (ferrograd's engine "
        'is reverse-mode only), so jacobian(strategy="forward-mode") and '
        'hessian(outer_jacobian_strategy="forward-mode") are not supported. Please use '
        '"reverse-mode" (the default).'
    )


def jacobian(
    func: Callable[..., TensorOrTensors],
    inputs: TensorOrTensors,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """The Jacobian of ``func`` at ``inputs``. ``J[i][j]`` (output ``i``, input ``j``) has
    shape ``outputs[i].shape + inputs[j].shape``; the levels of the tuple of tuples that were
    single Tensors are dropped. ``vectorize`` is accepted and gives the same result (the rows
    are computed one backward pass each either way)."""
    _check_strategy(strategy)
    if strategy == "forward-mode":
        _forward_mode(inputs, create_graph, strict)
    with enable_grad():
        is_inputs_tuple, inputs = _utils.as_tuple(inputs, "inputs", "jacobian")
        inputs = _utils.preprocess(inputs, create_graph=create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _utils.as_tuple(
            outputs, "outputs of the user-provided function", "jacobian"
        )
        _utils.check_requires_grad(outputs, "outputs", strict=strict)
        if vectorize and strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are "
                "not supported together. Please either set `strict=False` or "
                "`vectorize=False`."
            )
        jac = tuple(
            _jacobian_of_output(i, out, inputs, create_graph, strict)
            for i, out in enumerate(outputs)
        )
    jac = _utils.postprocess(jac, create_graph)
    return _utils.unpack(jac, (is_outputs_tuple, is_inputs_tuple))


def _jacobian_of_output(
    i: int, out: Tensor, inputs: tuple, create_graph: bool, strict: bool
) -> tuple:
    """Output ``i``'s Jacobian with respect to each input: row ``k`` is the gradient of
    ``out.flatten()[k]``; the rows are stacked and shaped ``out.shape + input.shape``."""
    rows: list[list] = [[] for _ in inputs]
    flat = out.reshape(-1)
    for k in range(out.nelement()):
        grads = _utils.grad_or_none(
            (flat[k],), inputs, retain_graph=True, create_graph=create_graph
        )
        for j, (g, inp) in enumerate(zip(grads, inputs)):
            if g is None:
                if strict:
                    raise RuntimeError(
                        f"Output {i} of the user-provided function is independent of input "
                        f"{j}. This is not allowed in strict mode."
                    )
                g = _C.zeros_like(inp)
            elif strict and create_graph and not g.requires_grad:
                raise RuntimeError(
                    f"The jacobian of the user-provided function is independent of input {i}. "
                    "This is not allowed in strict mode when create_graph=True."
                )
            rows[j].append(g)
    return tuple(_C.stack(r, dim=0).view(out.size() + inp.size()) for r, inp in zip(rows, inputs))


def hessian(
    func: Callable[..., Tensor],
    inputs: TensorOrTensors,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The Hessian of the scalar function ``func`` at ``inputs``: ``H[i][j]`` has shape
    ``inputs[i].shape + inputs[j].shape`` (a single Tensor for a single input). It is the
    Jacobian of the gradient, which is computed with a graph."""
    is_inputs_tuple, inputs = _utils.as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def single_output(*inp: Tensor) -> Tensor:
        _, (out,) = _scalar_output("hessian", func, inp, strict)
        return out.squeeze()

    def gradient(*inp: Tensor) -> tuple:
        jac = jacobian(single_output, inp, create_graph=True)
        _utils.check_requires_grad(jac, "jacobian", strict=strict)
        return jac

    result = jacobian(
        gradient,
        inputs,
        create_graph=create_graph,
        strict=strict,
        vectorize=vectorize,
        strategy=outer_jacobian_strategy,
    )
    return _utils.unpack(result, (is_inputs_tuple, is_inputs_tuple))


def vhp(
    func: Callable[..., Tensor],
    inputs: TensorOrTensors,
    v: TensorOrTensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Tensor, TensorOrTensors]:
    """``(func(*inputs), v^T H)`` for a scalar ``func``; ``v`` and the result are shaped like
    the inputs (``v`` may be omitted for a single-element input)."""
    with enable_grad():
        is_inputs_tuple, inputs, v = _setup("vhp", inputs, v, create_graph)
        is_outputs_tuple, outputs = _scalar_output("vhp", func, inputs, strict)
        jac = _utils.grad_or_none(outputs, inputs, create_graph=True)
        _utils.check_requires_grad(jac, "jacobian", strict=strict)
    with _grad_mode_for(create_graph):
        grads = _utils.grad_or_none(jac, inputs, v, create_graph=create_graph)
        result = _utils.fill_in_zeros(grads, inputs, strict, create_graph, "double_back")
    return _pair(outputs, is_outputs_tuple, result, is_inputs_tuple, create_graph)


def hvp(
    func: Callable[..., Tensor],
    inputs: TensorOrTensors,
    v: TensorOrTensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Tensor, TensorOrTensors]:
    """``(func(*inputs), H v)`` for a scalar ``func``, by the double-backward trick on the
    gradient. Equal to ``vhp`` when ``func`` is twice continuously differentiable (``H`` is
    then symmetric), and slower."""
    with enable_grad():
        is_inputs_tuple, inputs, v = _setup("hvp", inputs, v, create_graph)
        is_outputs_tuple, outputs = _scalar_output("hvp", func, inputs, strict)
        jac = _utils.grad_or_none(outputs, inputs, create_graph=True)
        _utils.check_requires_grad(jac, "jacobian", strict=strict)
        # u^T H is linear in u; its gradient with respect to u, against v, is H v.
        dummies = tuple(_C.zeros_like(inp, requires_grad=True) for inp in inputs)
        double_back = _utils.grad_or_none(jac, inputs, dummies, create_graph=True)
        _utils.check_requires_grad(jac, "hessian", strict=strict)
    with _grad_mode_for(create_graph):
        grads = _utils.grad_or_none(double_back, dummies, v, create_graph=create_graph)
        result = _utils.fill_in_zeros(grads, inputs, strict, create_graph, "double_back_trick")
    return _pair(outputs, is_outputs_tuple, result, is_inputs_tuple, create_graph)
