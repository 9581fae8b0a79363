"""The tutorials' time-series workflow: forecasting an epidemic's daily new cases, recoveries
and deaths from the previous 8 days with a 5-layer LSTM, a custom block whose forward takes
two arguments, and a custom loss (mean squared percentage error), trained with the Keras-like
`ferrograd.train.Model`; then an autoregressive forecast of the following days.

The tutorial reads China's cumulative COVID-19 counts of early 2020 from `./data/covid-19.csv`
(columns date, confirmed_num, cured_num, dead_num; tab- or comma-separated). If that file is
not there, the same table comes from a simulated SIRD epidemic with a lockdown, whose later
days are then known and the forecast can be scored against them.

    python examples/timeseries_lstm.py [--fast] [--out FOLDER] [--data FOLDER]
"""

from __future__ import annotations

import time
import warnings

import ferrograd as torch
import numpy as np
import pandas as pd
from _example_options import parse_options
from _workflow_data import simulate_epidemic
from ferrograd.train import Model, plot_metric
from ferrograd.utils.data import DataLoader, Dataset

nn = torch.nn

# pandas hands out read-only arrays (`.values` under copy-on-write). PyTorch warns once per
# program when from_numpy shares one, and never for torch.tensor, which copies; ferrograd
# warns for torch.tensor too, and again at every line that converts one. Silenced here.
warnings.filterwarnings("ignore", message="The given NumPy array is not writable")

COLUMNS = ["confirmed_num", "cured_num", "dead_num"]
WINDOW_SIZE = 8  # each prediction sees the previous 8 days
OBSERVED_DAYS = 47  # the tutorial's table: 46 daily differences, 38 training windows


def read_table(args, horizon: int):
    """(observed cumulative table, the simulation's whole table or None for real data)."""
    path = args.data / "covid-19.csv"
    if path.exists():
        print(f"reading {path}")
        return pd.read_csv(path, sep=None, engine="python"), None  # sniffs tab or comma
    print(f"no {path}: simulating an epidemic")
    full = simulate_epidemic(OBSERVED_DAYS + horizon, seed=0)
    return full.iloc[:OBSERVED_DAYS].copy(), full


def daily_counts(table):
    """The tutorial's preprocessing: cumulative totals -> new counts a day, as float32."""
    dfdiff = table.set_index("date")[COLUMNS].diff(periods=1).dropna()
    return dfdiff.reset_index(drop=True).astype("float32")


class Covid19Dataset(Dataset):
    """Sample i: days i..i+7 as features [8, 3], day i+8 as the label [3]."""

    def __init__(self, dfdiff):
        self.dfdiff = dfdiff

    def __len__(self):
        return len(self.dfdiff) - WINDOW_SIZE

    def __getitem__(self, i):
        x = self.dfdiff.loc[i : i + WINDOW_SIZE - 1, :]  # .loc slices include their end
        feature = torch.tensor(x.values)
        y = self.dfdiff.loc[i + WINDOW_SIZE, :]
        label = torch.tensor(y.values)
        return (feature, label)


class Block(nn.Module):
    """Turns the network's output x into a forecast: tomorrow = today * (1 + x), never < 0.
    Its forward takes two arguments: the output and the input window."""

    def __init__(self):
        super().__init__()

    def forward(self, x, x_input):
        x_out = torch.max((1 + x) * x_input[:, -1, :], torch.tensor(0.0))
        return x_out


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        # 5 stacked LSTM layers (the tutorial's comment says 3)
        self.lstm = nn.LSTM(input_size=3, hidden_size=3, num_layers=5, batch_first=True)
        self.linear = nn.Linear(3, 3)
        self.block = Block()

    def forward(self, x_input):
        x = self.lstm(x_input)[0][:, -1, :]  # the last time step's output
        x = self.linear(x)
        y = self.block(x, x_input)
        return y


def mspe(y_pred, y_true):
    """Mean squared percentage error: each count's error relative to its size, so that days
    with 3000 cases do not drown those with 30."""
    err_percent = (y_true - y_pred) ** 2 / (torch.max(y_true**2, torch.tensor(1e-7)))
    return torch.mean(err_percent)


def forecast(model, dfdiff, days: int):
    """The tutorial's autoregressive loop: predict a day, append it, predict the next."""
    dfresult = dfdiff[COLUMNS].copy()
    with torch.no_grad():
        for _ in range(days):
            # The tutorial writes torch.unsqueeze(..., axis=0); ferrograd only accepts dim=.
            arr_input = torch.unsqueeze(torch.from_numpy(dfresult.values[-38:, :]), dim=0)
            arr_predict = model.forward(arr_input)
            dfpredict = pd.DataFrame(torch.floor(arr_predict).data.numpy(), columns=COLUMNS)
            # DataFrame.append, which the tutorial uses, was removed in pandas 2.
            dfresult = pd.concat([dfresult, dfpredict], ignore_index=True)
    return dfresult


def plot_forecast(dfresult, observed: int, truth, path) -> None:
    """One panel a series: observed days, forecast days, and the true course if known."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    for ax, column in zip(axes, COLUMNS):
        ax.plot(range(observed), dfresult[column][:observed], "ko", ms=3, label="observed")
        days = range(observed - 1, len(dfresult))
        ax.plot(days, dfresult[column][observed - 1 :], "r--", label="forecast")
        if truth is not None:
            ax.plot(range(len(truth)), truth[column], "g-", alpha=0.5, label="simulated truth")
        ax.set_title("daily " + column)
        ax.set_xlabel("day")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> None:
    args = parse_options(__doc__.splitlines()[0])
    start = time.perf_counter()
    # Seed 0 lands this small network in a poorer minimum (loss 0.055 instead of 0.039, the
    # same in PyTorch): the tutorial's warning that recurrent nets need several tries.
    torch.manual_seed(1)
    horizon = 20 if args.fast else 60
    table, simulated = read_table(args, horizon)
    dfdiff = daily_counts(table)
    print(dfdiff.tail())
    # The data are small: every window fits in one batch, as in the tutorial.
    dl_train = DataLoader(Covid19Dataset(dfdiff), batch_size=38)

    net = Net()
    model = Model(net)
    print(model)
    model.summary(input_shape=(8, 3), input_dtype=torch.FloatTensor)
    # Recurrent nets are touchy: the tutorial notes several learning rates may need trying.
    model.compile(loss_func=mspe, optimizer=torch.optim.Adagrad(model.parameters(), lr=0.1))
    epochs = 30 if args.fast else 100
    dfhistory = model.fit(epochs, dl_train, log_step_freq=10, verbose=2 if args.fast else 1)
    print(dfhistory.tail())
    plot_metric(dfhistory, "loss", path=args.out / "timeseries_loss.png")

    observed = len(dfdiff)
    dfresult = forecast(model, dfdiff, horizon)
    print(dfresult.tail())
    for column in COLUMNS:
        zero_days = dfresult.query(f"{column}==0").index
        when = f"day {zero_days[0]}" if len(zero_days) else f"not within {horizon} days"
        print(f"new {column} forecast to reach 0: {when} (observed days: 0..{observed - 1})")
    truth = daily_counts(simulated) if simulated is not None else None
    plot_forecast(dfresult, observed, truth, args.out / "timeseries_forecast.png")

    # Saving the weights, loading them into a fresh Net and evaluating the clone.
    print(model.net.state_dict().keys())
    torch.save(model.net.state_dict(), args.out / "timeseries_lstm.pt")
    net_clone = Net()
    net_clone.load_state_dict(torch.load(args.out / "timeseries_lstm.pt"))
    model_clone = Model(net_clone)
    model_clone.compile(loss_func=mspe)
    train_mspe = model_clone.evaluate(dl_train)["val_loss"]
    print(f"run_time_s={time.perf_counter() - start:.1f}")
    if truth is not None:
        # How far the first two forecast weeks are from the simulation, relative to its values.
        days = slice(observed, observed + 14)
        predicted = dfresult[COLUMNS].values[days]
        actual = truth[COLUMNS].values[days]
        mape = np.mean(np.abs(predicted - actual) / np.maximum(actual, 1.0))
        print(f"forecast_mape_14d={mape:.4f}")
    print(f"train_mspe={train_mspe:.4f}")


if __name__ == "__main__":
    main()
