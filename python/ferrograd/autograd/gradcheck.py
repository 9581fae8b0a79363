"""``gradcheck`` and ``gradgradcheck``: compare the gradients autograd computes with central
finite differences, as PyTorch's do (same signature and defaults), so users can check their
own Functions.

For each input ``x`` that requires grad and each output ``y``, the numerical Jacobian column
``dy/dx[i]`` is ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``; the analytical row for
``y[j]`` is ``autograd.grad(y[j], x)``. They must agree within ``atol + rtol * |numerical|``.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from .. import _C


class GradcheckError(RuntimeError):
    """Raised by gradcheck and gradgradcheck when the gradients disagree."""


def _as_tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(fn: Callable, inputs: tuple) -> list:
    return [o for o in _as_tuple(fn(*inputs)) if isinstance(o, _C.Tensor)]


def _values(fn: Callable, inputs: tuple) -> list[np.ndarray]:
    return [o.detach().double().numpy().reshape(-1).copy() for o in _outputs(fn, inputs)]


def _numerical(fn: Callable, inputs: tuple, k: int, eps: float) -> list[np.ndarray]:
    """Per output, the Jacobian with respect to input ``k``: (input numel, output numel)."""
    x = inputs[k]
    data = x.detach()
    shape = tuple(x.shape)
    n = int(np.prod(shape)) if shape else 1
    columns: list[list[np.ndarray]] = []
    for i in range(n):
        idx = np.unravel_index(i, shape) if shape else ()
        idx = tuple(int(j) for j in idx)
        orig = data[idx].item()
        # The writes are not recorded; the function itself runs in the caller's grad mode (a
        # function that calls autograd.grad, as gradgradcheck's does, needs it).
        data[idx] = orig + eps
        plus = _values(fn, inputs)
        data[idx] = orig - eps
        minus = _values(fn, inputs)
        data[idx] = orig
        columns.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    if not columns:
        # An input without elements: no rows, one column per output element.
        return [np.zeros((0, np.size(v))) for v in _values(fn, inputs)]
    return [np.stack([c[o] for c in columns]) for o in range(len(columns[0]))]


def _analytical(fn: Callable, inputs: tuple, k: int, check_dtypes: bool) -> list[np.ndarray]:
    """Per output, the Jacobian autograd gives with respect to input ``k``; with
    ``check_dtypes``, every gradient must have the input's dtype."""
    from . import grad

    x = inputs[k]
    result = []
    for out in _outputs(fn, inputs):
        n_in, n_out = x.numel(), out.numel()
        jac = np.zeros((n_in, n_out))
        if not out.requires_grad:
            result.append(jac)
            continue
        for j in range(n_out):
            onehot = np.zeros(n_out)
            onehot[j] = 1.0
            g = _C.tensor(onehot.reshape(tuple(out.shape)), dtype=out.dtype)
            (gx,) = grad(out, x, grad_outputs=g, retain_graph=True, allow_unused=True)
            if gx is not None:
                if check_dtypes and gx.dtype != x.dtype:
                    raise GradcheckError("Gradient has dtype mismatch")
                jac[:, j] = gx.detach().double().numpy().reshape(-1)
        result.append(jac)
    return result


def gradcheck(
    func: Callable,
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: bool | None = None,
) -> bool:
    """True when the analytical gradients of ``func`` at ``inputs`` match finite differences;
    otherwise raises :class:`GradcheckError` (or returns False with
    ``raise_exception=False``)."""
    inputs = _as_tuple(inputs)
    for i, x in enumerate(inputs):
        if isinstance(x, _C.Tensor) and x.requires_grad and x.dtype != _C.float64:
            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point "
                "or complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ",
                stacklevel=2,
            )
    if not any(isinstance(x, _C.Tensor) and x.requires_grad for x in inputs):
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of the them have requires_grad=True."
        )
    if check_forward_ad or check_batched_forward_grad or check_batched_grad:
        raise NotImplementedError(
            "gradcheck: ferrograd has no forward-mode AD and no batched gradients; pass "
            "check_forward_ad=False, check_batched_forward_grad=False and "
            "check_batched_grad=False"
        )
    if not check_backward_ad:
        return True
    # `fast_mode` and `masked` change how PyTorch gets the same verdict (a random projection;
    # sparse inputs); the full Jacobians compared here give it too. `check_undefined_grad`
    # always holds: the engine hands every formula zeros for an output without a gradient.
    for k, x in enumerate(inputs):
        if not (isinstance(x, _C.Tensor) and x.requires_grad):
            continue
        numerical = _numerical(func, inputs, k, eps)
        analytical = _analytical(func, inputs, k, check_grad_dtypes)
        again = _analytical(func, inputs, k, check_grad_dtypes)
        if any(np.abs(a - b).max(initial=0.0) > nondet_tol for a, b in zip(analytical, again)):
            message = (
                "Backward is not reentrant, i.e., running backward with same input and "
                "grad_output multiple times gives different values, although analytical "
                f"gradient matches numerical gradient.The tolerance for nondeterminism was "
                f"{nondet_tol}."
            )
            if raise_exception:
                raise GradcheckError(message)
            return False
        for o, (num, ana) in enumerate(zip(numerical, analytical)):
            if not np.allclose(ana, num, rtol=rtol, atol=atol):
                message = (
                    f"Jacobian mismatch for output {o} with respect to input {k},\n"
                    f"numerical:{_C.tensor(num)}\nanalytical:{_C.tensor(ana)}\n"
                )
                if raise_exception:
                    raise GradcheckError(message)
                return False
    return True


def gradgradcheck(
    func: Callable,
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    """Checks second derivatives: ``gradcheck`` of the function that maps the inputs (and
    the outputs' gradients) to the inputs' gradients, computed with ``create_graph=True``."""
    from . import grad

    inputs = _as_tuple(inputs)
    outputs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            _C.tensor(rng.standard_normal(tuple(o.shape)), dtype=o.dtype, requires_grad=True)
            for o in outputs
        )
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, _C.Tensor) and x.requires_grad]

    def first_derivatives(*args: Any) -> tuple:
        ins, gos = args[:n], args[n:]
        outs = _outputs(func, ins)
        grads = grad(
            outs,
            [ins[i] for i in diff],
            grad_outputs=list(gos),
            create_graph=True,
            allow_unused=True,
        )
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_derivatives,
        inputs + grad_outputs,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
    )
