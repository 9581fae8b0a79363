"""Callbacks for `Model.fit`: early stopping and saving the best weights, in Keras's terms.

`fit` calls `set_model(model)` and `on_train_begin()` once, `on_epoch_end(epoch, logs)` after
each epoch's validation, and `on_train_end()` once. `epoch` counts from 1, as the history's
`epoch` column does; `logs` maps `loss`, each metric and their `val_` twins to this epoch's
values. A callback stops training by setting `model.stop_training = True`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Model

__all__ = ["Callback", "EarlyStopping", "ModelCheckpoint"]


class Callback:
    """Base class: every hook does nothing; override the ones you need."""

    model: Model | None = None

    def set_model(self, model: Model) -> None:
        self.model = model

    def on_train_begin(self, logs: Mapping[str, float] | None = None) -> None:
        pass

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
        pass

    def on_train_end(self, logs: Mapping[str, float] | None = None) -> None:
        pass


class _Monitor:
    """Which way is better for a monitored value: `mode` 'min', 'max', or 'auto'.

    'auto' is Keras's rule: a name containing 'acc' or 'auc' (accuracy, auroc, ...) is
    maximised, anything else (losses, errors) minimised.
    """

    def __init__(self, owner: str, monitor: str, mode: str, min_delta: float, missing: str) -> None:
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"{owner} mode {mode!r} is unknown: use 'auto', 'min' or 'max'")
        if mode == "auto":
            mode = "max" if any(key in monitor.lower() for key in ("acc", "auc")) else "min"
        # The warning for an epoch whose logs lack the value (Keras's words, per callback).
        self.missing = missing
        self.monitor = monitor
        self.mode = mode
        # Keras keeps min_delta's magnitude and gives it the sign of "better".
        self.min_delta = abs(min_delta) if mode == "max" else -abs(min_delta)
        self.best = float("-inf") if mode == "max" else float("inf")

    def value(self, logs: Mapping[str, float] | None) -> float | None:
        """This epoch's value, or None (with Keras's warning) when the logs do not hold it."""
        logs = logs or {}
        if self.monitor not in logs:
            available = ",".join(logs)
            warnings.warn(
                self.missing.format(monitor=self.monitor, available=available), stacklevel=3
            )
            return None
        return float(logs[self.monitor])

    def improves(self, current: float) -> bool:
        """Better than the best by more than min_delta (strictly, so a plateau is no gain)."""
        if self.mode == "max":
            return current - self.min_delta > self.best
        return current - self.min_delta < self.best


class EarlyStopping(Callback):
    """Stops training when `monitor` has not improved for `patience` epochs in a row.

    An improvement must beat the best value so far by more than `min_delta`. With
    `restore_best_weights=True` the model gets back the weights of its best epoch when
    training stops early (as in Keras, not when all epochs run). `stopped_epoch` and
    `best_epoch` record what happened (0 while nothing did).
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 0,
        mode: str = "auto",
        min_delta: float = 0.0,
        restore_best_weights: bool = False,
        verbose: int = 0,
    ) -> None:
        self._monitor = _Monitor(
            "EarlyStopping",
            monitor,
            mode,
            min_delta,
            "Early stopping conditioned on metric `{monitor}` which is not available. "
            "Available metrics are: {available}",
        )
        self.monitor = monitor
        self.patience = patience
        self.restore_best_weights = restore_best_weights
        self.verbose = verbose
        self.on_train_begin()

    @property
    def mode(self) -> str:
        return self._monitor.mode

    @property
    def best(self) -> float:
        return self._monitor.best

    def on_train_begin(self, logs: Mapping[str, float] | None = None) -> None:
        # A callback object may serve several fit() calls: each starts afresh.
        self._monitor.best = float("-inf") if self._monitor.mode == "max" else float("inf")
        self.wait = 0
        self.stopped_epoch = 0
        self.best_epoch = 0
        self.best_weights: dict[str, Any] | None = None

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
        current = self._monitor.value(logs)
        if current is None:
            return
        if self._monitor.improves(current):
            self._monitor.best = current
            self.best_epoch = epoch
            self.wait = 0
            if self.restore_best_weights and self.model is not None:
                self.best_weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait >= self.patience and self.model is not None:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                self.model.set_weights(self.best_weights)
            if self.verbose:
                print(
                    f"Epoch {epoch}: early stopping ({self.monitor} best "
                    f"{self.best:.4f} at epoch {self.best_epoch})"
                )


class ModelCheckpoint(Callback):
    """Saves the model's weights to `filepath` after each epoch, or only on improvement.

    `filepath` may hold format fields filled from the epoch and the logs, as in Keras:
    `"ckpt-{epoch:02d}-{val_loss:.3f}.pt"`. The file is the wrapped network's `state_dict`
    (see `Model.save`), so both `Model.load` and `net.load_state_dict(ferrograd.load(path))`
    read it. `best_path` is the last file written for a new best value.
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        mode: str = "auto",
        save_best_only: bool = False,
        verbose: int = 0,
    ) -> None:
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.save_best_only = save_best_only
        self.verbose = verbose
        self._monitor = _Monitor(
            "ModelCheckpoint",
            monitor,
            mode,
            0.0,
            "Can save best model only with {monitor} available, skipping.",
        )
        self.best_path: str | None = None

    @property
    def mode(self) -> str:
        return self._monitor.mode

    @property
    def best(self) -> float:
        return self._monitor.best

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
        if self.model is None:
            return
        path = self.filepath.format(epoch=epoch, **(logs or {}))
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if not self.save_best_only:
            self.model.save(path)
            return
        current = self._monitor.value(logs)
        if current is None or not self._monitor.improves(current):
            return
        if self.verbose:
            print(
                f"Epoch {epoch}: {self.monitor} improved from {self.best:.5f} to "
                f"{current:.5f}, saving model to {path}"
            )
        self._monitor.best = current
        self.model.save(path)
        self.best_path = path
