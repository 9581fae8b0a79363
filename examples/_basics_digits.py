"""Stand-ins for MNIST and CIFAR-10 made from scikit-learn's bundled digits (1797 images of 8x8).

When the real datasets are not on disk, the examples write these stand-ins in the datasets'
own file formats (IDX files for MNIST, pickled batches for CIFAR-10) and read them back through
`ferrograd.vision.datasets`, so that the code path is the one a real dataset takes.

- MNIST format: each digit upscaled to 20x20 and centred in a 28x28 black image, as MNIST's
  digits are.
- CIFAR-10 format: each digit upscaled to 24x24, placed at a random spot of a 32x32 image, in a
  random light colour on a random darker background: the network has to learn the
  shape, not the colours. The training images are drawn three times (different spots and
  colours each time) to give the convolutional network more to learn from.
"""

from __future__ import annotations

import importlib.util
import os
import pickle
from pathlib import Path

import numpy as np
from PIL import Image

DIGIT_NAMES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def _load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1797 digits as (images [N, 8, 8] of 0..16, labels [N]).

    Read straight from the CSV file that scikit-learn ships, which is what its `load_digits`
    does too: importing scikit-learn takes seconds, reading the file a few milliseconds.
    """
    spec = importlib.util.find_spec("sklearn")  # finds the package without importing it
    folder = spec.submodule_search_locations[0] if spec and spec.submodule_search_locations else ""
    path = os.path.join(folder, "datasets", "data", "digits.csv.gz")
    if not os.path.isfile(path):  # another layout: ask scikit-learn itself
        from sklearn.datasets import load_digits

        digits = load_digits()
        return digits.images, digits.target
    table = np.loadtxt(path, delimiter=",")  # 64 pixel values then the label, a row a digit
    return table[:, :-1].reshape(-1, 8, 8), table[:, -1].astype(np.int64)


def digits_split(test_fraction: float = 0.2, seed: int = 0):
    """(train_images, train_labels, test_images, test_labels): 8x8 uint8 images (0..255)."""
    images16, labels = _load_digits()
    images = np.round(images16 * (255.0 / 16.0)).astype(np.uint8)
    order = np.random.default_rng(seed).permutation(len(images))
    n_test = int(len(images) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return images[train], labels[train], images[test], labels[test]


def _upscale(image: np.ndarray, size: int) -> np.ndarray:
    return np.asarray(Image.fromarray(image).resize((size, size), Image.BILINEAR))


# ----------------------------------------------------------------- MNIST's IDX files


def _write_idx(path: Path, array: np.ndarray) -> None:
    """IDX: magic (0, 0, 0x08 = uint8, ndim), each dimension as a big-endian int32, the bytes."""
    header = bytes([0, 0, 0x08, array.ndim])
    header += b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def _mnist_images(images8: np.ndarray) -> np.ndarray:
    out = np.zeros((len(images8), 28, 28), dtype=np.uint8)
    for i, image in enumerate(images8):
        out[i, 4:24, 4:24] = _upscale(image, 20)
    return out


def write_mnist_format(root: os.PathLike, name: str = "MNIST") -> Path:
    """Writes the digits as `root/<name>/raw/*-ubyte` (skipped if there); returns `root`."""
    raw = Path(root) / name / "raw"
    if (raw / "t10k-labels-idx1-ubyte").exists():
        return Path(root)
    raw.mkdir(parents=True, exist_ok=True)
    x_train, y_train, x_test, y_test = digits_split()
    for prefix, images, labels in (("train", x_train, y_train), ("t10k", x_test, y_test)):
        _write_idx(raw / f"{prefix}-images-idx3-ubyte", _mnist_images(images))
        _write_idx(raw / f"{prefix}-labels-idx1-ubyte", labels.astype(np.uint8))
    return Path(root)


# ----------------------------------------------------------------- CIFAR-10's pickled batches


def _colours(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n background and n foreground RGB colours, the foreground at least 120 brighter (pairs
    too close are drawn again; the brighter of a pair is the foreground)."""
    first, second = rng.uniform(0, 255, size=(2, n, 3))
    swap = first.mean(1) > second.mean(1)
    background = np.where(swap[:, None], second, first)
    foreground = np.where(swap[:, None], first, second)
    close = foreground.mean(1) - background.mean(1) < 120
    if close.any():
        background[close], foreground[close] = _colours(rng, int(close.sum()))
    return background, foreground


def _cifar_images(images8: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """[N, 3072] uint8 rows, CIFAR's layout: the red plane, then green, then blue."""
    n = len(images8)
    alpha = np.zeros((n, 32, 32))
    for i, (top, left) in enumerate(rng.integers(0, 9, size=(n, 2))):
        alpha[i, top : top + 24, left : left + 24] = _upscale(images8[i], 24) / 255.0
    background, foreground = _colours(rng, n)
    alpha = alpha[:, None]  # [N, 1, 32, 32] against colours [N, 3, 1, 1]
    pixels = background[..., None, None] * (1 - alpha) + foreground[..., None, None] * alpha
    pixels += rng.normal(0, 8, size=pixels.shape)  # a little texture, as photographs have
    return np.clip(pixels, 0, 255).astype(np.uint8).reshape(n, 3072)


def _pickle(path: Path, entry: dict) -> None:
    with open(path, "wb") as f:
        pickle.dump(entry, f)


def write_cifar_format(root: os.PathLike, train_copies: int = 3, seed: int = 0) -> Path:
    """Writes `root/cifar-10-batches-py/` (five training batches, a test batch, the class
    names), skipped if there; returns `root`."""
    folder = Path(root) / "cifar-10-batches-py"
    if (folder / "batches.meta").exists():
        return Path(root)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    x_train, y_train, x_test, y_test = digits_split()
    train = np.concatenate([_cifar_images(x_train, rng) for _ in range(train_copies)])
    labels = np.tile(y_train, train_copies)
    order = rng.permutation(len(train))
    for k, part in enumerate(np.array_split(order, 5), start=1):
        _pickle(
            folder / f"data_batch_{k}",
            {"data": train[part], "labels": labels[part].tolist()},
        )
    _pickle(folder / "test_batch", {"data": _cifar_images(x_test, rng), "labels": y_test.tolist()})
    _pickle(folder / "batches.meta", {"label_names": DIGIT_NAMES})
    return Path(root)
