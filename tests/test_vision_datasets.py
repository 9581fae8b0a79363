"""ferrograd.vision.datasets read small files written here in each real format: MNIST's IDX
files (gzipped, real magic numbers), CIFAR-10's pickled batches (real keys), and a folder
tree of PNG images for ImageFolder."""

from __future__ import annotations

import gzip
import os
import pickle
import struct

import ferrograd as torch
import numpy as np
import pytest
from ferrograd.utils.data import Dataset
from ferrograd.vision import datasets, transforms
from PIL import Image

# --- MNIST-format files ----------------------------------------------------------------------


def write_idx(path: str, array: np.ndarray, gz: bool = True) -> None:
    """IDX: magic 0x0000 0x08 (uint8) ndim, the dims as big-endian uint32, then the bytes."""
    header = struct.pack(">HBB", 0, 0x08, array.ndim)
    header += b"".join(struct.pack(">I", d) for d in array.shape)
    data = header + array.astype(np.uint8).tobytes()
    if gz:
        with gzip.open(path + ".gz", "wb") as f:
            f.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)


def make_mnist(root, name: str = "MNIST", gz: bool = True) -> dict[str, np.ndarray]:
    raw = os.path.join(root, name, "raw")
    os.makedirs(raw)
    rng = np.random.default_rng(0)
    arrays = {}
    for split, n in (("train", 5), ("t10k", 3)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        write_idx(os.path.join(raw, f"{split}-images-idx3-ubyte"), images, gz)
        write_idx(os.path.join(raw, f"{split}-labels-idx1-ubyte"), labels, gz)
        arrays[split] = (images, labels)
    return arrays


def test_idx_header_has_the_real_magic_numbers(tmp_path):
    # 0x00000803 for 3-d uint8 images, 0x00000801 for 1-d uint8 labels.
    write_idx(str(tmp_path / "x"), np.zeros((2, 28, 28)), gz=False)
    assert (tmp_path / "x").read_bytes()[:8] == bytes.fromhex("00000803") + struct.pack(">I", 2)


@pytest.mark.parametrize("gz", [True, False])
def test_mnist_reads_idx_files(tmp_path, gz):
    arrays = make_mnist(tmp_path, gz=gz)
    train = datasets.MNIST(str(tmp_path), train=True)
    test = datasets.MNIST(str(tmp_path), train=False)
    assert isinstance(train, Dataset)
    assert len(train) == 5 and len(test) == 3
    assert train.data.dtype == torch.uint8 and tuple(train.data.shape) == (5, 28, 28)
    assert train.targets.dtype == torch.int64
    np.testing.assert_array_equal(train.data.numpy(), arrays["train"][0])
    np.testing.assert_array_equal(test.targets.numpy(), arrays["t10k"][1])
    img, label = test[2]
    assert img.mode == "L" and img.size == (28, 28)
    assert type(label) is int and label == int(arrays["t10k"][1][2])
    np.testing.assert_array_equal(np.asarray(img), arrays["t10k"][0][2])


def test_mnist_transforms_classes_and_repr(tmp_path):
    make_mnist(tmp_path, name="FashionMNIST")
    ds = datasets.FashionMNIST(
        str(tmp_path), train=False, transform=transforms.ToTensor(), target_transform=float
    )
    img, label = ds[0]
    assert tuple(img.shape) == (1, 28, 28) and img.dtype == torch.float32
    assert isinstance(label, float)
    assert ds.classes[0] == "T-shirt/top" and ds.class_to_idx["Ankle boot"] == 9
    assert datasets.MNIST.classes[3] == "3 - three"
    assert repr(ds) == (
        "Dataset FashionMNIST\n"
        "    Number of datapoints: 3\n"
        f"    Root location: {tmp_path}\n"
        "    Split: Test\n"
        "    StandardTransform\n"
        "Transform: ToTensor()\n"
        f"Target transform: {float!r}"
    )


def test_mnist_missing_files(tmp_path):
    with pytest.raises(RuntimeError) as info:
        datasets.MNIST(str(tmp_path))
    message = str(info.value)
    assert message.startswith("Dataset not found. You can use download=True to download it")
    assert os.path.join(str(tmp_path), "MNIST", "raw") in message
    assert "t10k-labels-idx1-ubyte" in message
    with pytest.raises(RuntimeError, match=r"download=True is not supported") as info:
        datasets.FashionMNIST(str(tmp_path), download=True)
    assert "train-images-idx3-ubyte" in str(info.value)


def test_mnist_download_with_files_present_is_a_no_op(tmp_path):
    make_mnist(tmp_path)
    assert len(datasets.MNIST(str(tmp_path), download=True)) == 5


def test_mnist_corrupt_files(tmp_path):
    make_mnist(tmp_path, gz=False)
    images = tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte"
    good = images.read_bytes()
    images.write_bytes(good[:-10])  # truncated
    with pytest.raises(RuntimeError, match=r"announces shape \[5, 28, 28\]"):
        datasets.MNIST(str(tmp_path))
    images.write_bytes(b"\x01\x02" + good[2:])  # not an IDX magic number
    with pytest.raises(AssertionError, match=r"not an IDX file"):
        datasets.MNIST(str(tmp_path))


# --- CIFAR-10 batches ----------------------------------------------------------------------

CIFAR_NAMES = [b"airplane", b"automobile", b"bird", b"cat", b"deer"]


def make_cifar(root, rows_per_batch: int = 2) -> list[np.ndarray]:
    """Batches as pickled by the dataset's authors: bytes keys, data rows of 3072 uint8
    (1024 red, 1024 green, 1024 blue, each plane row by row)."""
    folder = os.path.join(root, "cifar-10-batches-py")
    os.makedirs(folder)
    rng = np.random.default_rng(1)
    written = []
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for name in names:
        data = rng.integers(0, 256, (rows_per_batch, 3072), dtype=np.uint8)
        labels = rng.integers(0, 5, rows_per_batch).tolist()
        entry = {b"batch_label": name.encode(), b"labels": labels, b"data": data}
        with open(os.path.join(folder, name), "wb") as f:
            pickle.dump(entry, f)
        written.append((data, labels))
    with open(os.path.join(folder, "batches.meta"), "wb") as f:
        pickle.dump({b"label_names": CIFAR_NAMES, b"num_vis": 3072}, f)
    return written


def test_cifar10_reads_pickled_batches(tmp_path):
    written = make_cifar(tmp_path)
    train = datasets.CIFAR10(str(tmp_path), train=True)
    test = datasets.CIFAR10(str(tmp_path), train=False, transform=transforms.ToTensor())
    assert len(train) == 10 and len(test) == 2
    assert train.data.shape == (10, 32, 32, 3) and train.data.dtype == np.uint8
    assert train.classes == ["airplane", "automobile", "bird", "cat", "deer"]
    assert train.class_to_idx["cat"] == 3
    assert train.targets == [label for _, labels in written[:5] for label in labels]
    # Row 1 of batch 2 is item 3; its red plane is values 0..1023 of the row, as 32x32.
    row = written[1][0][1]
    img, label = train[3]
    assert img.mode == "RGB" and img.size == (32, 32) and label == written[1][1][1]
    np.testing.assert_array_equal(np.asarray(img)[..., 0], row[:1024].reshape(32, 32))
    np.testing.assert_array_equal(np.asarray(img)[..., 2], row[2048:].reshape(32, 32))
    tensor, _ = test[0]
    assert tuple(tensor.shape) == (3, 32, 32)
    np.testing.assert_allclose(tensor.numpy() * 255, written[5][0][0].reshape(3, 32, 32), atol=1e-4)


def test_cifar10_missing_files(tmp_path):
    with pytest.raises(RuntimeError) as info:
        datasets.CIFAR10(str(tmp_path))
    message = str(info.value)
    assert message.startswith("Dataset not found or corrupted. You can use download=True")
    assert "data_batch_5" in message and "batches.meta" in message
    with pytest.raises(RuntimeError, match=r"CIFAR10: download=True is not supported"):
        datasets.CIFAR10(str(tmp_path), download=True)


# --- ImageFolder ---------------------------------------------------------------------------


def make_folder(root) -> None:
    """root/cat: 2 PNGs, one in a sub-folder with an upper-case extension, and a text file;
    root/dog: 1 gray PNG."""
    rng = np.random.default_rng(2)
    os.makedirs(os.path.join(root, "cat", "more"))
    os.makedirs(os.path.join(root, "dog"))
    for path in ("cat/b.png", "cat/more/a.PNG"):
        Image.fromarray(rng.integers(0, 256, (4, 5, 3), dtype=np.uint8)).save(root / path)
    Image.fromarray(rng.integers(0, 256, (4, 5), dtype=np.uint8)).save(root / "dog" / "x.png")
    (root / "cat" / "notes.txt").write_text("not an image")


def test_image_folder_classes_and_samples(tmp_path):
    make_folder(tmp_path)
    ds = datasets.ImageFolder(
        str(tmp_path),
        transform=transforms.ToTensor(),
        target_transform=lambda t: torch.tensor([t]).float(),
    )
    assert ds.classes == ["cat", "dog"]
    assert ds.class_to_idx == {"cat": 0, "dog": 1}
    # Sorted walk: the files of cat/, then cat/more/, then dog/; text files skipped.
    expected = [
        (os.path.join(str(tmp_path), "cat", "b.png"), 0),
        (os.path.join(str(tmp_path), "cat", "more", "a.PNG"), 0),
        (os.path.join(str(tmp_path), "dog", "x.png"), 1),
    ]
    assert ds.samples == ds.imgs == expected
    assert ds.targets == [0, 0, 1]
    image, target = ds[2]
    assert tuple(image.shape) == (3, 4, 5)  # the gray PNG is loaded as RGB
    assert target.tolist() == [1.0]


def read_text(path: str) -> str:
    with open(path) as f:
        return f.read()


def test_dataset_folder_with_loader_and_filters(tmp_path):
    make_folder(tmp_path)
    texts = datasets.DatasetFolder(
        str(tmp_path), loader=read_text, extensions=(".txt",), allow_empty=True
    )
    assert len(texts) == 1 and texts[0] == ("not an image", 0)
    only_b = datasets.ImageFolder(
        str(tmp_path), is_valid_file=lambda p: p.endswith("b.png"), allow_empty=True
    )
    assert [os.path.basename(p) for p, _ in only_b.samples] == ["b.png"]
    assert (
        len(
            datasets.ImageFolder(
                str(tmp_path), is_valid_file=lambda p: "cat" in p, allow_empty=True
            )
        )
        == 3
    )


def test_folder_errors(tmp_path):
    make_folder(tmp_path)
    with pytest.raises(FileNotFoundError) as info:
        datasets.DatasetFolder(str(tmp_path), loader=open, extensions=".txt")
    assert str(info.value) == (
        "Found no valid file for the classes dog. Supported extensions are: .txt"
    )
    os.makedirs(tmp_path / "empty")
    with pytest.raises(FileNotFoundError, match=r"Supported extensions are: \.jpg, \.jpeg, \.png"):
        datasets.ImageFolder(str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"Couldn't find any class folder in"):
        datasets.ImageFolder(str(tmp_path / "dog"))
    with pytest.raises(ValueError, match=r"Both extensions and is_valid_file cannot be None"):
        datasets.DatasetFolder(str(tmp_path), loader=open)
    with pytest.raises(ValueError, match=r"Only transforms or transform/target_transform"):
        datasets.VisionDataset(str(tmp_path), transforms=print, transform=print)
