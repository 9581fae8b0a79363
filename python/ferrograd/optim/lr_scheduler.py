"""`ferrograd.optim.lr_scheduler`: learning-rate schedules (PyTorch's names), gathered from the
themed files beside it."""

from ._plateau import ReduceLROnPlateau
from ._scheduler_base import (
    LRScheduler,
    _LRScheduler,  # noqa: F401 (the old name, kept as PyTorch keeps it)
)
from ._schedulers_basic import (
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from ._schedulers_compose import ChainedScheduler, SequentialLR
from ._schedulers_cyclic import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
]
