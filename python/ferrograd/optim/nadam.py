"""`NAdam`: Adam with Nesterov momentum (and a momentum schedule `mu_t`)."""

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

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam, as `torch.optim.NAdam`.

    mu_t = b1 * (1 - 0.5 * 0.96^(t * momentum_decay)); the step mixes the gradient (weighted by
    1 - mu_t) and the first moment (weighted by mu_{t+1}), each over sqrt(v / (1 - b2^t)) + eps.
    """

    # Filled into param groups of a loaded state that lack them (see Optimizer).
    _group_defaults_on_load: ClassVar[dict[str, Any]] = {
        "maximize": False,
        "foreach": None,
        "capturable": False,
        "differentiable": False,
        "decoupled_weight_decay": False,
    }

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_adam_hyperparameters(lr, eps, betas, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
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
            momentum_decay = group["momentum_decay"]
            decoupled = group["decoupled_weight_decay"]
            maximize = group["maximize"]
            for param in group["params"]:
                grad = param.grad
                if grad is None:
                    continue
                state = self.state[param]
                if len(state) == 0:
                    state["step"] = _C.tensor(0.0, dtype=_C.float32)
                    state["mu_product"] = _C.tensor(1.0, dtype=_C.float32)
                    state["exp_avg"] = _C.zeros_like(param)
                    state["exp_avg_sq"] = _C.zeros_like(param)
                if maximize:
                    grad = -grad
                exp_avg = state["exp_avg"]
                exp_avg_sq = state["exp_avg_sq"]
                mu_product = state["mu_product"]
                step_t = state["step"]
                step_t += 1
                step = step_t.item()
                bias_correction2 = 1 - beta2**step
                if weight_decay != 0:
                    if decoupled:
                        param.mul_(1 - lr * weight_decay)
                    else:
                        grad = grad.add(param, alpha=weight_decay)
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                # The running product lives in a float32 tensor, as in PyTorch's state.
                mu_product *= mu
                exp_avg.lerp_(grad, 1 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                denom = exp_avg_sq.div(bias_correction2).sqrt()
                mu_product_value = mu_product.item()
                mu_product_next = mu_product_value * mu_next
                denom.add_(eps)
                param.addcdiv_(grad, denom, value=(-lr * (1.0 - mu) / (1.0 - mu_product_value)))
                param.addcdiv_(exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product_next))
        return loss
