"""The tutorials' image workflow: an ImageFolder tree -> DataLoader with worker processes ->
the tutorial's CNN (Conv2d, MaxPool2d, Dropout2d, AdaptiveMaxPool2d, Flatten, Linear) ->
training with the Keras-like `ferrograd.train.Model` -> evaluation, prediction, save/load.

The tutorial classifies two CIFAR-10 classes read from `./cifar2/train/<class>/*.png`. Offline,
this example writes such a tree itself from scikit-learn's bundled digits (8x8, upscaled and
centred on 32x32 RGB canvases), with ten classes, so the last layer has ten outputs and the
loss is CrossEntropyLoss instead of the tutorial's one Sigmoid output with BCELoss; Adam with
a cosine learning-rate schedule (a small callback) replaces the tutorial's plain SGD.

    python examples/images_cnn.py [--fast] [--out FOLDER]

With `torch` for `ferrograd` and `torchvision` for `ferrograd.vision` the same lines run under
PyTorch, except the trainer: `ferrograd.train` stands in for the tutorials' torchkeras.
"""

from __future__ import annotations

import time

import ferrograd as torch
from _example_options import parse_options
from _workflow_data import write_digit_folders
from ferrograd.train import Callback, Model, accuracy, plot_metric
from ferrograd.utils.data import DataLoader
from ferrograd.vision import datasets, transforms
from ferrograd.vision.utils import make_grid, save_image

nn = torch.nn


class Net(nn.Module):
    """The tutorial's CNN, with ten outputs (logits) instead of one sigmoid probability."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels=3, out_channels=32, kernel_size=3)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.conv2 = nn.Conv2d(in_channels=32, out_channels=64, kernel_size=5)
        self.dropout = nn.Dropout2d(p=0.1)
        self.adaptive_pool = nn.AdaptiveMaxPool2d((1, 1))
        self.flatten = nn.Flatten()
        self.linear1 = nn.Linear(64, 32)
        self.relu = nn.ReLU()
        self.linear2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.conv1(x)  # [B, 32, 30, 30]
        x = self.pool(x)  # [B, 32, 15, 15]
        x = self.conv2(x)  # [B, 64, 11, 11]
        x = self.pool(x)  # [B, 64, 5, 5]
        x = self.dropout(x)  # drops whole channels while training
        x = self.adaptive_pool(x)  # [B, 64, 1, 1]: each channel's strongest response
        x = self.flatten(x)
        x = self.linear1(x)
        x = self.relu(x)
        return self.linear2(x)


class LRScheduler(Callback):
    """Steps a learning-rate scheduler at the end of every epoch (Keras's callback of that
    name): `fit` calls `on_epoch_end` after each epoch's validation."""

    def __init__(self, scheduler) -> None:
        self.scheduler = scheduler

    def on_epoch_end(self, epoch, logs=None) -> None:
        self.scheduler.step()


def load_data(root, fast: bool):
    """The tutorial's pipeline: ImageFolder + ToTensor, batches of 50 from worker processes."""
    transform_train = transforms.Compose([transforms.ToTensor()])
    transform_valid = transforms.Compose([transforms.ToTensor()])
    ds_train = datasets.ImageFolder(str(root / "train"), transform=transform_train)
    ds_valid = datasets.ImageFolder(str(root / "test"), transform=transform_valid)
    print(ds_train.class_to_idx)
    # Workers decode the PNG files in parallel (the tutorial uses 3); in fast mode the cost of
    # starting the processes would exceed the whole run, so the main process loads.
    workers = 0 if fast else 2
    dl_train = DataLoader(ds_train, batch_size=50, shuffle=True, num_workers=workers)
    # Not shuffled (the tutorial shuffles it too): predictions then line up with `targets`.
    dl_valid = DataLoader(ds_valid, batch_size=50, shuffle=False, num_workers=workers)
    return ds_valid, dl_train, dl_valid


def main() -> None:
    args = parse_options(__doc__.splitlines()[0])
    start = time.perf_counter()
    torch.manual_seed(0)
    root = write_digit_folders(args.out / "digits_png", limit=1000 if args.fast else None)
    ds_valid, dl_train, dl_valid = load_data(root, args.fast)
    for x, y in dl_train:
        print(x.shape, y.shape)  # [50, 3, 32, 32] images, [50] class indices
        save_image(make_grid(x[:32], nrow=8, padding=2), args.out / "images_cnn_batch.png")
        break

    net = Net()
    print(net)
    model = Model(net)
    model.summary(input_shape=(3, 32, 32))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.002)
    model.compile(
        loss_func=nn.CrossEntropyLoss(), optimizer=optimizer, metrics_dict={"accuracy": accuracy}
    )
    epochs = 3 if args.fast else 15
    # The learning rate falls from 0.002 to 0 along half a cosine over the epochs.
    schedule = LRScheduler(torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs))
    dfhistory = model.fit(epochs, dl_train, dl_val=dl_valid, callbacks=[schedule], verbose=2)
    print(dfhistory)
    plot_metric(dfhistory, "loss", path=args.out / "images_cnn_loss.png")
    plot_metric(dfhistory, "accuracy", path=args.out / "images_cnn_accuracy.png")
    print(model.evaluate(dl_valid))

    # Using the model: class probabilities, then the most probable class of each image.
    y_pred_probs = torch.softmax(model.predict(dl_valid), dim=1)
    y_pred = y_pred_probs.argmax(dim=1)
    targets = torch.tensor(ds_valid.targets)
    test_accuracy = (y_pred == targets).float().mean().item()
    print(y_pred[:20])

    # Saving the weights and loading them into a fresh network gives the same predictions.
    print(net.state_dict().keys())
    torch.save(net.state_dict(), args.out / "images_cnn.pt")
    net_clone = Net()
    net_clone.load_state_dict(torch.load(args.out / "images_cnn.pt"))
    same = torch.equal(Model(net_clone).predict(dl_valid).argmax(dim=1), y_pred)
    print(f"reloaded weights give the same predictions: {same}")
    print(f"run_time_s={time.perf_counter() - start:.1f}")
    print(f"test_accuracy={test_accuracy:.4f}")


if __name__ == "__main__":
    main()
