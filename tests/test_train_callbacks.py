"""ferrograd.train callbacks: EarlyStopping and ModelCheckpoint, alone and inside fit."""

from __future__ import annotations

import ferrograd as torch
import pytest
from ferrograd import nn
from ferrograd.train import Callback, EarlyStopping, Model, ModelCheckpoint


class ScriptedMetric:
    """An epoch metric (update/compute/reset) whose validation value follows a script.

    fit computes it twice an epoch, training pass then validation pass; the training value
    is 0 and the validation value of epoch k is script[k - 1].
    """

    def __init__(self, script):
        self.script = list(script)
        self.computed = 0

    def reset(self):
        pass

    def update(self, y_pred, y_true):
        pass

    def compute(self):
        self.computed += 1
        if self.computed % 2 == 1:
            return 0.0
        return self.script[self.computed // 2 - 1]


class WeightsRecorder(Callback):
    """Keeps a copy of the weights after every epoch (listed before the callback under test)."""

    def __init__(self):
        self.weights = {}

    def on_epoch_end(self, epoch, logs=None):
        self.weights[epoch] = self.model.get_weights()


def _model_and_data():
    torch.manual_seed(0)
    x = torch.randn(20, 3)
    y = x.sum(1, keepdim=True)
    batches = [(x[:10], y[:10]), (x[10:], y[10:])]
    model = Model(nn.Linear(3, 1))
    return model, batches


def _fit(model, batches, script, callbacks, epochs=10):
    model.compile(
        nn.MSELoss(),
        torch.optim.SGD(model.parameters(), lr=0.05),
        metrics_dict={"score": ScriptedMetric(script)},
    )
    return model.fit(epochs, batches, dl_val=batches, callbacks=callbacks, verbose=0)


def test_early_stopping_stops_after_patience_epochs_without_improvement():
    # Best 0.7 at epoch 3; epochs 4, 5, 6 do not beat it: with patience 3, stop after 6.
    model, batches = _model_and_data()
    stopper = EarlyStopping(monitor="val_score", patience=3, mode="max")
    script = [0.5, 0.6, 0.7, 0.65, 0.69, 0.68, 0.9, 0.95, 0.99, 1.0]
    history = _fit(model, batches, script, [stopper])
    assert list(history["epoch"]) == [1, 2, 3, 4, 5, 6]
    assert list(history["val_score"]) == script[:6]
    assert (stopper.stopped_epoch, stopper.best_epoch, stopper.best) == (6, 3, 0.7)
    assert model.stop_training


def test_early_stopping_restores_the_best_weights():
    model, batches = _model_and_data()
    recorder = WeightsRecorder()
    stopper = EarlyStopping(monitor="val_score", patience=2, restore_best_weights=True)
    # 'auto' mode: a name without 'acc'/'auc' is minimised. Best 0.2 at epoch 2; stop at 4.
    history = _fit(model, batches, [0.5, 0.2, 0.3, 0.25, 0.1], [recorder, stopper])
    assert len(history) == 4 and stopper.mode == "min"
    final = model.state_dict()
    for name, value in recorder.weights[2].items():
        assert torch.equal(final[name], value)
    assert not torch.equal(final["net.weight"], recorder.weights[4]["net.weight"])


def test_early_stopping_min_delta_and_auto_mode():
    stopper = EarlyStopping(monitor="val_acc", patience=2, min_delta=0.05)
    assert stopper.mode == "max"  # 'acc' in the name
    model = Model(nn.Linear(1, 1))
    stopper.set_model(model)
    model.stop_training = False
    # 0.6 beats 0.5 by more than 0.05; 0.62 and 0.64 do not (wait 1, 2): stop at epoch 4.
    for epoch, value in enumerate([0.5, 0.6, 0.62, 0.64], start=1):
        stopper.on_epoch_end(epoch, {"val_acc": value})
    assert model.stop_training and stopper.stopped_epoch == 4 and stopper.best == 0.6
    # A new fit starts afresh.
    stopper.on_train_begin()
    assert (stopper.wait, stopper.stopped_epoch, stopper.best) == (0, 0, float("-inf"))


def test_early_stopping_warns_when_the_monitored_value_is_missing():
    model, batches = _model_and_data()
    stopper = EarlyStopping(monitor="val_accuracy", patience=0)
    message = (
        r"Early stopping conditioned on metric `val_accuracy` which is not available\. "
        r"Available metrics are: loss,score,val_loss,val_score"
    )
    with pytest.warns(UserWarning, match=message):
        history = _fit(model, batches, [0.1, 0.2], [stopper], epochs=2)
    assert len(history) == 2
    with pytest.raises(ValueError, match="mode 'best' is unknown"):
        EarlyStopping(mode="best")


def test_checkpoint_saves_the_best_model_only(tmp_path):
    model, batches = _model_and_data()
    recorder = WeightsRecorder()
    checkpoint = ModelCheckpoint(
        tmp_path / "ckpt" / "best-{epoch:02d}.pt", monitor="val_score", save_best_only=True
    )
    # Minimised: improvements at epochs 1, 2 and 4.
    _fit(model, batches, [0.5, 0.4, 0.45, 0.3, 0.35], [recorder, checkpoint], epochs=5)
    written = sorted(p.name for p in (tmp_path / "ckpt").iterdir())
    assert written == ["best-01.pt", "best-02.pt", "best-04.pt"]
    assert checkpoint.best_path == str(tmp_path / "ckpt" / "best-04.pt")
    assert checkpoint.best == 0.3
    # The file holds the network's state_dict: it loads into a fresh model or a bare layer.
    clone = Model(nn.Linear(3, 1)).load(checkpoint.best_path)
    assert torch.equal(clone.net.weight, recorder.weights[4]["net.weight"])
    layer = nn.Linear(3, 1)
    layer.load_state_dict(torch.load(checkpoint.best_path))
    assert torch.equal(layer.bias, recorder.weights[4]["net.bias"])


def test_checkpoint_every_epoch_formats_the_logs_into_the_name(tmp_path):
    model, batches = _model_and_data()
    checkpoint = ModelCheckpoint(str(tmp_path / "e{epoch}-{val_score:.2f}.pt"))
    _fit(model, batches, [0.5, 0.4, 0.45], [checkpoint], epochs=3)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["e1-0.50.pt", "e2-0.40.pt", "e3-0.45.pt"]


def test_checkpoint_warns_when_the_monitored_value_is_missing(tmp_path):
    model, batches = _model_and_data()
    checkpoint = ModelCheckpoint(tmp_path / "best.pt", monitor="val_auc", save_best_only=True)
    with pytest.warns(UserWarning, match="^Can save best model only with val_auc available"):
        _fit(model, batches, [0.5], [checkpoint], epochs=1)
    assert not (tmp_path / "best.pt").exists()
