"""ferrograd.train.Model: compile, fit (history), evaluate, predict, save/load.

The problems are tiny and separable so that a few epochs of Adam reach near-perfect accuracy in
well under a second; each test seeds the generator so it runs the same every time.
"""

from __future__ import annotations

import io

import ferrograd as torch
import pytest
from ferrograd import nn
from ferrograd.train import Model, accuracy, binary_accuracy
from ferrograd.utils.data import DataLoader, TensorDataset


def _binary_data(n: int = 120):
    """Points labelled 1 above the line x0 + x1 = 0: separable by one linear unit."""
    x = torch.randn(n, 2)
    y = (x[:, 0] + x[:, 1] > 0).float().reshape(-1, 1)
    return x, y


def _batches(x, y, size: int = 20):
    return [(x[i : i + size], y[i : i + size]) for i in range(0, x.shape[0], size)]


def _binary_model() -> Model:
    net = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1), nn.Sigmoid())
    return Model(net)


def test_fit_reaches_high_accuracy_and_history_has_a_row_an_epoch():
    torch.manual_seed(0)
    x, y = _binary_data()
    train, val = _batches(x[:100], y[:100]), _batches(x[100:], y[100:])
    model = _binary_model()
    model.compile(
        nn.BCELoss(),
        torch.optim.Adam(model.parameters(), lr=0.05),
        metrics_dict={"accuracy": binary_accuracy},
    )
    history = model.fit(6, train, dl_val=val, verbose=0)
    assert list(history.columns) == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy"]
    assert len(history) == 6 and list(history["epoch"]) == [1, 2, 3, 4, 5, 6]
    assert history["accuracy"].iloc[-1] >= 0.95
    assert history["val_accuracy"].iloc[-1] >= 0.9
    assert history["loss"].iloc[-1] < history["loss"].iloc[0]
    assert model.history is history


def test_history_without_validation_or_metrics_has_epoch_and_loss_only():
    torch.manual_seed(1)
    x, y = _binary_data(40)
    model = _binary_model()
    model.compile(nn.BCELoss())  # the default optimizer: Adam(lr=1e-3) over the parameters
    assert isinstance(model.optimizer, torch.optim.Adam)
    assert model.optimizer.param_groups[0]["lr"] == 1e-3
    history = model.fit(3, _batches(x, y), verbose=0)
    assert list(history.columns) == ["epoch", "loss"]
    assert len(history) == 3


def test_epoch_values_are_batch_means():
    # A metric returning the batch's first label: its epoch value is the mean over batches
    # (each batch counting once), as the tutorials' loops compute it.
    x = torch.zeros(4, 2)
    y = torch.tensor([[1.0], [0.0], [0.0], [0.0]])
    batches = [(x[:1], y[:1]), (x[1:], y[1:])]
    model = _binary_model()
    model.compile(nn.BCELoss(), metrics_dict={"first": lambda p, t: t[0, 0]})
    logs = model.evaluate(batches)
    assert logs["val_first"] == pytest.approx((1.0 + 0.0) / 2)


def test_multiclass_subclassed_model_with_accuracy():
    # Three Gaussian blobs centred at distance 4 from the origin: separable by a linear layer.
    torch.manual_seed(2)
    centres = torch.tensor([[4.0, 0.0], [-2.0, 3.5], [-2.0, -3.5]])
    labels = torch.randint(0, 3, (150,))
    x = centres[labels] + 0.5 * torch.randn(150, 2)

    class Net(Model):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(2, 3)

        def forward(self, x):
            return self.linear(x)

    model = Net()
    model.compile(
        nn.CrossEntropyLoss(),
        torch.optim.Adam(model.parameters(), lr=0.1),
        metrics_dict={"acc": accuracy},
    )
    history = model.fit(5, _batches(x, labels, 30), verbose=0)
    assert history["acc"].iloc[-1] >= 0.95
    logs = model.evaluate(_batches(x, labels, 30))
    assert set(logs) == {"val_loss", "val_acc"} and logs["val_acc"] >= 0.95
    assert model.predict(_batches(x, labels, 30)).shape == (150, 3)


def test_evaluate_and_predict_shapes_and_modes():
    torch.manual_seed(3)
    x, y = _binary_data(50)
    model = _binary_model()
    model.compile(nn.BCELoss(), metrics_dict={"accuracy": binary_accuracy})
    logs = model.evaluate(_batches(x, y, 20))
    assert list(logs) == ["val_loss", "val_accuracy"]
    assert all(isinstance(v, float) for v in logs.values())
    assert not model.training  # evaluate leaves evaluation mode, as torchkeras does
    # Batches of (features, labels), of features alone, of (features,), or one tensor.
    with_labels = model.predict(_batches(x, y, 20))
    assert with_labels.shape == (50, 1) and not with_labels.requires_grad
    assert torch.equal(model.predict([b for b, _ in _batches(x, y, 20)]), with_labels)
    assert torch.equal(model.predict([(b,) for b, _ in _batches(x, y, 20)]), with_labels)
    # One batch of 50 instead of three: the matmul may sum in another order (last bits).
    assert torch.allclose(model.predict(x), with_labels)
    assert torch.allclose(with_labels, model.net(x))


def test_fit_with_a_data_loader():
    torch.manual_seed(4)
    x, y = _binary_data(96)
    dl_train = DataLoader(TensorDataset(x[:64], y[:64]), batch_size=16, shuffle=True)
    dl_val = DataLoader(TensorDataset(x[64:], y[64:]), batch_size=16)
    model = _binary_model()
    model.compile(
        nn.BCELoss(),
        torch.optim.Adam(model.parameters(), lr=0.05),
        metrics_dict={"accuracy": binary_accuracy},
    )
    out = io.StringIO()
    history = model.fit(8, dl_train, dl_val=dl_val, file=out)
    assert len(history) == 8 and history["val_accuracy"].iloc[-1] >= 0.9
    # len(dl_train) = 64 / 16 = 4 steps an epoch, shown in each epoch's line.
    assert out.getvalue().splitlines()[0].startswith("Epoch 1/8: 4/4 steps [")
    # predict over a loader of features only: TensorDataset(x) yields 1-tuples.
    preds = model.predict(DataLoader(TensorDataset(x), batch_size=32))
    assert preds.shape == (96, 1)
    assert model.evaluate(dl_val)["val_accuracy"] >= 0.9


def test_several_inputs_and_a_custom_loss_function():
    # (x1, x2, y) batches: every element but the last is an input of forward.
    class TwoInputs(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(2, 1)

        def forward(self, a, b):
            return self.linear(a) + b

    def mse(y_pred, y_true):
        return ((y_pred - y_true) ** 2).mean()

    torch.manual_seed(5)
    a, b = torch.randn(40, 2), torch.randn(40, 1)
    y = a @ torch.tensor([[2.0], [-1.0]]) + b
    batches = [(a[i : i + 10], b[i : i + 10], y[i : i + 10]) for i in range(0, 40, 10)]
    model = Model(TwoInputs())
    model.compile(mse, torch.optim.SGD(model.parameters(), lr=0.1))
    history = model.fit(20, batches, verbose=0)
    assert history["loss"].iloc[-1] < 1e-2 * history["loss"].iloc[0]
    assert model.predict(batches).shape == (40, 1)


def test_save_and_load_round_trip_the_wrapped_network(tmp_path):
    torch.manual_seed(6)
    model = _binary_model()
    path = tmp_path / "weights.pt"
    model.save(path)
    # The file is the network's own state_dict: it loads into a bare network too.
    state = torch.load(path)
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    clone = _binary_model()
    assert clone.load(path) is clone
    x = torch.randn(5, 2)
    assert torch.equal(clone.net(x), model.net(x))


def test_errors_before_compile_and_without_forward():
    model = _binary_model()
    with pytest.raises(RuntimeError, match=r"^fit\(\): call compile\(loss_func, \.\.\.\) first$"):
        model.fit(1, [], verbose=0)
    with pytest.raises(RuntimeError, match=r"^evaluate\(\): call compile"):
        model.evaluate([])
    with pytest.raises(
        NotImplementedError, match=r'^Module \[Model\] is missing the required "forward" function$'
    ):
        Model()(torch.zeros(1))
    model.compile(nn.BCELoss())
    with pytest.raises(ValueError, match="got a batch without labels"):
        model.fit(1, [torch.zeros(2, 2)], verbose=0)
    with pytest.raises(ValueError, match="yielded no batches"):
        model.evaluate([])
    with pytest.raises(ValueError, match="yielded no batches"):
        model.predict([])


def test_loss_module_is_not_registered_as_a_submodule():
    model = _binary_model()
    model.compile(nn.BCELoss())
    assert [name for name, _ in model.named_children()] == ["net"]
    assert list(model.state_dict()) == ["net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias"]
