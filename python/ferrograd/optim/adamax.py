"""`Adamax`: Adam with the infinity norm in place of the second moment."""

from __future__ import annotations

from typing import Any, Callable, ClassVar

from .. import _C
from .adam import _check_adam_hyperparameters
from .optimizer import (
    Optimizer,
    ParamsT,
    _evaluate_closure,
    _to_scalar,
    _use_grad_for_differentiable,
)

Tensor = _C.Tensor

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax, as `torch.optim.Adamax`.

    m = lerp(m, g, 1 - b1); u = max(b2 * u, |g| + eps); p -= lr / (1 - b1^t) * m / u.
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
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check_adam_hyperparameters(lr, eps, betas, weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
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
            beta1, beta2 = group["betas"]
            lr = _to_scalar(group["lr"])
            eps = group["eps"]
            weight_decay = group["weight_decay"]
            maximize = group["maximize"]
            for param in group["params"]:
                grad = param.grad
                if grad is None:
                    continue
                state = self.state[param]
                if len(state) == 0:
                    state["step"] = _C.tensor(0.0, dtype=_C.float32)
                    state["exp_avg"] = _C.zeros_like(param)
                    state["exp_inf"] = _C.zeros_like(param)
                if maximize:
                    grad = -grad
                exp_avg = state["exp_avg"]
                exp_inf = state["exp_inf"]
                step_t = state["step"]
                step_t += 1
                if weight_decay != 0:
                    grad = grad.add(param, alpha=weight_decay)
                exp_avg.lerp_(grad, 1 - beta1)
                _C.maximum(exp_inf.mul_(beta2), grad.abs().add_(eps), out=exp_inf)
                bias_correction = 1 - beta1 ** step_t.item()
                clr = lr / bias_correction
                param.addcdiv_(exp_avg, exp_inf, value=-clr)
        return loss
