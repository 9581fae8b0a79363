"""The pieces of `Model.fit`'s loop: splitting a batch, moving it, and keeping epoch averages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Callable

from .. import _C

Tensor = _C.Tensor

__all__ = ["MetricTracker", "loader_length", "run_batches", "split_batch", "to_device"]


def loader_length(loader: Iterable[Any]) -> int | None:
    """`len(loader)` where the loader has one (a DataLoader, a list), else None."""
    try:
        return len(loader)  # type: ignore[arg-type]
    except TypeError:
        return None


def split_batch(batch: Any) -> tuple[tuple[Any, ...], Any]:
    """`(inputs, labels)` of one batch; labels is None when the batch holds features only.

    A tensor is the features. A tuple or list ends with the labels, and what comes before are
    the model's inputs: `(x, y)` calls `model(x)`, `(x1, x2, y)` calls `model(x1, x2)`. A
    one-element tuple (what a `TensorDataset(x)` gives) is the features without labels.
    """
    if isinstance(batch, (tuple, list)):
        if len(batch) == 0:
            raise ValueError("fit: got an empty batch")
        if len(batch) == 1:
            return (batch[0],), None
        return tuple(batch[:-1]), batch[-1]
    return (batch,), None


def to_device(value: Any, device: Any) -> Any:
    """Moves a tensor, or the tensors in a tuple or list, to `device` (None: left where it is)."""
    if device is None:
        return value
    if isinstance(value, Tensor):
        return value.to(device)
    if isinstance(value, (tuple, list)):
        return type(value)(to_device(v, device) for v in value)
    return value


def _is_epoch_metric(metric: Any) -> bool:
    """An object following the torchmetrics protocol rather than a plain function."""
    return all(callable(getattr(metric, name, None)) for name in ("update", "compute", "reset"))


def _as_float(value: Any) -> float:
    """A metric's result as a float: functions may return a float or a one-element tensor."""
    return float(value.item()) if isinstance(value, Tensor) else float(value)


class MetricTracker:
    """The loss and metrics of one pass over a loader (an epoch's training or validation).

    Functions are averaged over the batches (each batch counting once, as the tutorials'
    loops do); epoch metrics (`update`/`compute`/`reset`) are computed over the whole pass.
    `prefix` is '' for training and 'val_' for validation.
    """

    def __init__(self, metrics: Mapping[str, Any], prefix: str = "") -> None:
        self.metrics = dict(metrics)
        self.prefix = prefix
        self.steps = 0
        self.sums: dict[str, float] = {}
        for metric in self.metrics.values():
            if _is_epoch_metric(metric):
                metric.reset()

    def update(self, loss: Tensor, y_pred: Any, y_true: Any) -> None:
        """Adds one batch: its loss and the metrics of its predictions."""
        self.steps += 1
        self._add("loss", _as_float(loss))
        # Detached: a metric must neither extend the graph nor keep it alive.
        if isinstance(y_pred, Tensor):
            y_pred = y_pred.detach()
        for name, metric in self.metrics.items():
            if _is_epoch_metric(metric):
                metric.update(y_pred, y_true)
            else:
                self._add(name, _as_float(metric(y_pred, y_true)))

    def _add(self, name: str, value: float) -> None:
        self.sums[name] = self.sums.get(name, 0.0) + value

    def running(self) -> dict[str, float]:
        """The averages so far (epoch metrics are left out: computing them is the costly part)."""
        return {self.prefix + name: total / self.steps for name, total in self.sums.items()}

    def result(self) -> dict[str, float]:
        """The pass's values, in the order loss, then the metrics as given."""
        if self.steps == 0:
            raise ValueError("the data loader yielded no batches")
        values = {self.prefix + "loss": self.sums["loss"] / self.steps}
        for name, metric in self.metrics.items():
            if _is_epoch_metric(metric):
                values[self.prefix + name] = _as_float(metric.compute())
            else:
                values[self.prefix + name] = self.sums[name] / self.steps
        return values


def run_batches(
    loader: Iterable[Any],
    step: Callable[[tuple[Any, ...], Any], tuple[Tensor, Any]],
    tracker: MetricTracker,
    device: Any,
    on_step: Callable[[int], None] | None = None,
) -> dict[str, float]:
    """Runs `step(inputs, labels) -> (loss, predictions)` on every batch; returns the averages."""
    for batch in loader:
        inputs, labels = split_batch(to_device(batch, device))
        if labels is None:
            raise ValueError(
                "fit/evaluate need batches of (features, labels); got a batch without labels"
            )
        loss, y_pred = step(inputs, labels)
        tracker.update(loss, y_pred, labels)
        if on_step is not None:
            on_step(tracker.steps)
    return tracker.result()
