"""`RAdam`: Adam whose adaptive step is switched on (and rectified) once its variance is
tractable."""

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

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam, as `torch.optim.RAdam`.

    rho_t = rho_inf - 2 t b2^t / (1 - b2^t). While rho_t <= 5 the step is plain momentum
    (lr * m_hat); after, it is lr * m_hat * rect_t * sqrt(1 - b2^t) / (sqrt(v) + eps).
    """

    # Filled into param groups of a loaded state that lack them (see Optimizer).
    _group_defaults_on_load: ClassVar[dict[str, Any]] = {
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "decoupled_weight_decay": False,
        "capturable": False,
    }

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_adam_hyperparameters(lr, eps, betas, weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
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
            decoupled = group["decoupled_weight_decay"]
            maximize = group["maximize"]
            rho_inf = 2 / (1 - beta2) - 1
            for param in group["params"]:
                grad = param.grad
                if grad is None:
                    continue
                state = self.state[param]
                if len(state) == 0:
                    state["step"] = _C.tensor(0.0, dtype=_C.float32)
                    state["exp_avg"] = _C.zeros_like(param)
                    state["exp_avg_sq"] = _C.zeros_like(param)
                if maximize:
                    grad = -grad
                exp_avg = state["exp_avg"]
                exp_avg_sq = state["exp_avg_sq"]
                step_t = state["step"]
                step_t += 1
                step = step_t.item()
                if weight_decay != 0:
                    if decoupled:
                        param.mul_(1 - lr * weight_decay)
                    else:
                        grad = grad.add(param, alpha=weight_decay)
                exp_avg.lerp_(grad, 1 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)

                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                bias_corrected_exp_avg = exp_avg / bias_correction1
                rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
                if rho_t > 5.0:
                    rect = (
                        (rho_t - 4)
                        * (rho_t - 2)
                        * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                    ) ** 0.5
                    adaptive_lr = (bias_correction2**0.5) / exp_avg_sq.sqrt().add_(eps)
                    update = bias_corrected_exp_avg * lr * adaptive_lr * rect
                else:
                    update = bias_corrected_exp_avg * lr
                param.add_(update, alpha=-1.0)
        return loss
