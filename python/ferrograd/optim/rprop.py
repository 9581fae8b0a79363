"""`Rprop`: resilient backpropagation (steps follow only the sign of the gradient)."""

from __future__ import annotations

from typing import Any, Callable, ClassVar

from .. import _C
from .optimizer import (
    Optimizer,
    ParamsT,
    _evaluate_closure,
    _to_scalar,
    _use_grad_for_differentiable,
)

Tensor = _C.Tensor

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop, as `torch.optim.Rprop`.

    Each coordinate's step size grows by etaplus while the gradient keeps its sign and shrinks by
    etaminus when it flips (then that coordinate skips a step); p -= sign(g) * step_size.
    """

    # Filled into param groups of a loaded state that lack them (see Optimizer).
    _group_defaults_on_load: ClassVar[dict[str, Any]] = {
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "capturable": False,
    }

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient."""
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            maximize = group["maximize"]
            for param in group["params"]:
                grad = param.grad
                if grad is None:
                    continue
                state = self.state[param]
                if len(state) == 0:
                    state["step"] = _C.zeros((), dtype=_C.float32)
                    state["prev"] = _C.zeros_like(param)
                    state["step_size"] = _C.full_like(grad, _to_scalar(group["lr"]))
                if maximize:
                    grad = -grad
                prev = state["prev"]
                step_size = state["step_size"]
                state["step"] += 1

                sign = grad.mul(prev).sign()
                sign[sign.gt(0)] = etaplus
                sign[sign.lt(0)] = etaminus
                sign[sign.eq(0)] = 1
                step_size.mul_(sign).clamp_(step_size_min, step_size_max)

                # Where the sign flipped, this step does not move (and is not remembered).
                grad = grad.clone()
                grad[sign.eq(etaminus)] = 0
                param.addcmul_(grad.sign(), step_size, value=-1)
                prev.copy_(grad)
        return loss
