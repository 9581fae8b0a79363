"""`ferrograd.train`: the Keras-like high-level trainer (Model.compile/fit/evaluate/predict).

PyTorch ships no such layer; the tutorials ferrograd follows used the third-party torchkeras
for it, and this package offers the same workflow:

    from ferrograd.train import Model, EarlyStopping, binary_accuracy, plot_metric

    model = Model(net)
    model.summary(input_shape=(15,))
    model.compile(loss_func=nn.BCELoss(), metrics_dict={"accuracy": binary_accuracy})
    history = model.fit(10, dl_train, dl_val=dl_val, callbacks=[EarlyStopping(patience=3)])
    plot_metric(history, "loss")

pandas (the history) and matplotlib (the plots) are imported only when used.
"""

from . import callbacks, metrics
from .callbacks import Callback, EarlyStopping, ModelCheckpoint
from .metrics import AUROC, EpochMetric, accuracy, binary_accuracy, roc_auc, roc_auc_score
from .model import Model
from .plotting import history_plot, plot_metric
from .progress import ProgressBar
from .summary import summary, summary_string

__all__ = [
    "AUROC",
    "Callback",
    "EarlyStopping",
    "EpochMetric",
    "Model",
    "ModelCheckpoint",
    "ProgressBar",
    "accuracy",
    "binary_accuracy",
    "callbacks",
    "history_plot",
    "metrics",
    "plot_metric",
    "roc_auc",
    "roc_auc_score",
    "summary",
    "summary_string",
]
