"""`Model`: a Keras-like wrapper with compile / fit / evaluate / predict / summary / save / load.

Two ways to use it, as in the tutorials (which used the torchkeras package for this):

    model = Model(net)                  # wrap any nn.Module
    class Net(Model): ...               # or subclass it, defining layers and forward

    model.compile(loss_func=nn.BCELoss(), metrics_dict={"accuracy": binary_accuracy})
    history = model.fit(20, dl_train, dl_val=dl_val)     # a pandas DataFrame, one row an epoch
    model.evaluate(dl_val)              # {'val_loss': ..., 'val_accuracy': ...}
    model.predict(dl_test)              # the predictions of every batch, concatenated

A loader is anything iterable whose batches are `(features, labels)` (a DataLoader, or a plain
list of tuples); `len(loader)`, where it exists, gives the progress bar its length.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any, Callable

from .. import _C, cat, float32, load, no_grad, save
from ..nn import Module
from ..optim import Adam
from ._loop import MetricTracker, loader_length, run_batches, split_batch, to_device
from .callbacks import Callback
from .progress import ProgressBar, is_terminal
from .summary import summary as _print_summary

Tensor = _C.Tensor

__all__ = ["Model"]


class Model(Module):
    """A module that knows how to train itself. `net`: the module to wrap (or None in a subclass).

    `compile` sets the loss, the optimizer and the metrics; `fit` trains for some epochs and
    returns the history; callbacks (`EarlyStopping`, `ModelCheckpoint`) watch each epoch.
    """

    loss_func: Callable[..., Tensor] | None
    optimizer: Any
    metrics_dict: dict[str, Any]
    device: Any
    history: Any

    def __init__(self, net: Module | None = None) -> None:
        super().__init__()
        self.net = net
        self.stop_training = False
        # Set by compile() and fit(); None until then, so an uncompiled model says so plainly.
        self.loss_func = None
        self.optimizer = None
        self.metrics_dict = {}
        self.device = None
        self.history = None

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        if self.net is None:
            # Neither a wrapped network nor an overriding forward: Module's own error.
            return super().forward(*args)
        return self.net(*args, **kwargs)

    # ----- setting up -----

    def compile(
        self,
        loss_func: Callable[..., Tensor],
        optimizer: Any = None,
        metrics_dict: Mapping[str, Any] | None = None,
        device: Any = None,
    ) -> None:
        """Chooses the loss, the optimizer (default: Adam, lr=1e-3, over all parameters), and
        the metrics: a name -> `f(y_pred, y_true)` dict (see `ferrograd.train.metrics`).

        `device`, when given, moves the model there and each batch there before its step.
        """
        if device is not None:
            self.to(device)
        # Plain attributes, not submodules: a loss is not part of the model (its repr, its
        # state_dict), even when it is an nn.Module such as BCELoss.
        object.__setattr__(self, "loss_func", loss_func)
        if optimizer is None:
            optimizer = Adam(self.parameters(), lr=1e-3)
        object.__setattr__(self, "optimizer", optimizer)
        object.__setattr__(self, "metrics_dict", dict(metrics_dict or {}))
        object.__setattr__(self, "device", device)

    def _require_compiled(self, method: str) -> None:
        if self.loss_func is None:
            raise RuntimeError(f"{method}(): call compile(loss_func, ...) first")

    # ----- one step -----

    def train_step(self, inputs: Sequence[Any], labels: Any) -> tuple[Tensor, Any]:
        """One optimisation step on a batch; returns (loss, predictions). Override to customise."""
        self.optimizer.zero_grad()
        predictions = self(*inputs)
        loss = self.loss_func(predictions, labels)
        loss.backward()
        self.optimizer.step()
        return loss.detach(), predictions

    def evaluate_step(self, inputs: Sequence[Any], labels: Any) -> tuple[Tensor, Any]:
        """The loss and predictions of a batch, without gradients (called under no_grad)."""
        predictions = self(*inputs)
        return self.loss_func(predictions, labels), predictions

    # ----- training -----

    def fit(
        self,
        epochs: int,
        dl_train: Iterable[Any],
        dl_val: Iterable[Any] | None = None,
        log_step_freq: int = 1,
        callbacks: Sequence[Callback] | None = None,
        verbose: int = 1,
        file: IO[str] | None = None,
    ) -> Any:
        """Trains for `epochs` epochs and returns the history as a pandas DataFrame.

        Columns: `epoch` (from 1), `loss`, each metric, and with `dl_val` `val_loss` and
        `val_<metric>`; one row an epoch (fewer than `epochs` when a callback stopped early).

        `verbose`: 1 draws a progress bar on a terminal (redrawn every `log_step_freq` steps)
        and writes one line an epoch elsewhere; 2 always writes one line an epoch; 0 nothing.
        `file` is where (default: standard output).
        """
        import pandas as pd  # only training needs pandas: `import ferrograd` stays light

        self._require_compiled("fit")
        out = sys.stdout if file is None else file
        live = verbose == 1 and is_terminal(out)
        callbacks = list(callbacks or [])
        for callback in callbacks:
            callback.set_model(self)
            callback.on_train_begin()
        self.stop_training = False
        rows: list[dict[str, float]] = []
        logs: dict[str, float] = {}
        for epoch in range(1, epochs + 1):
            bar = None
            if verbose:
                bar = ProgressBar(
                    loader_length(dl_train),
                    desc=f"Epoch {epoch}/{epochs}",
                    file=out,
                    live=live,
                    refresh_every=log_step_freq,
                )
            logs = self._run_epoch(dl_train, dl_val, bar)
            rows.append({"epoch": epoch, **logs})
            for callback in callbacks:
                callback.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        for callback in callbacks:
            callback.on_train_end(logs)
        self.history = pd.DataFrame(rows)
        return self.history

    def _run_epoch(
        self, dl_train: Iterable[Any], dl_val: Iterable[Any] | None, bar: ProgressBar | None
    ) -> dict[str, float]:
        """One epoch: a training pass, then a validation pass; returns the epoch's logs."""
        self.train()
        tracker = MetricTracker(self.metrics_dict)

        def on_step(steps: int) -> None:
            if bar is not None:
                bar.update(steps, tracker.running())

        logs = run_batches(dl_train, self.train_step, tracker, self.device, on_step)
        if dl_val is not None:
            logs.update(self.evaluate(dl_val))
        if bar is not None:
            bar.close(logs)
        return logs

    def evaluate(self, dl_val: Iterable[Any]) -> dict[str, float]:
        """The loss and metrics over a loader: `{'val_loss': ..., 'val_<metric>': ...}`.

        Leaves the model in evaluation mode (dropout off, batch-norm running statistics used).
        """
        self._require_compiled("evaluate")
        self.eval()
        tracker = MetricTracker(self.metrics_dict, prefix="val_")
        with no_grad():
            return run_batches(dl_val, self.evaluate_step, tracker, self.device)

    def predict(self, dl: Iterable[Any] | Tensor) -> Any:
        """The model's outputs over a loader, concatenated along the batch dimension.

        Batches may be `(features, labels)` (labels are ignored), `(features,)` or bare
        features; a tensor instead of a loader is one batch. Runs in evaluation mode, no grad.
        """
        self.eval()
        with no_grad():
            if isinstance(dl, Tensor):
                return self(to_device(dl, self.device))
            outputs = [self(*split_batch(to_device(batch, self.device))[0]) for batch in dl]
        if not outputs:
            raise ValueError("predict(): the data loader yielded no batches")
        if isinstance(outputs[0], (tuple, list)):
            # Several outputs a batch: concatenate each of them across the batches.
            return tuple(cat(list(parts)) for parts in zip(*outputs))
        return cat(outputs)

    # ----- inspecting, saving -----

    def summary(
        self,
        input_shape: Sequence[Any] | None = None,
        input_dtype: Any = float32,
        batch_size: int = -1,
        input_data: Any = None,
    ) -> None:
        """Prints the layer table: see `ferrograd.train.summary`."""
        _print_summary(self, input_shape, input_dtype, batch_size, input_data)

    def _weights_owner(self) -> Module:
        """The wrapped network when there is one, so that saved files load into it directly."""
        return self.net if isinstance(self.net, Module) else self

    def save(self, path: Any) -> None:
        """Saves the weights (the wrapped network's `state_dict`) with `ferrograd.save`."""
        save(self._weights_owner().state_dict(), path)

    def load(self, path: Any) -> Model:
        """Loads weights written by `save` (or any matching `state_dict` file); returns self."""
        self._weights_owner().load_state_dict(load(path))
        return self

    def get_weights(self) -> dict[str, Tensor]:
        """A copy of the `state_dict` that later training does not change (for callbacks)."""
        return {name: value.detach().clone() for name, value in self.state_dict().items()}

    def set_weights(self, weights: Mapping[str, Tensor]) -> None:
        """Puts back weights taken with `get_weights`."""
        self.load_state_dict(dict(weights))
