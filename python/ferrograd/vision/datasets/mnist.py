"""MNIST-format datasets (`MNIST`, `FashionMNIST`, `KMNIST`): 28x28 gray images and labels
0-9 stored in IDX files under `root/<ClassName>/raw/`, gzipped or not.

IDX (the format of the original MNIST distribution): a 4-byte magic number -- two zero bytes,
a type code (0x08 = uint8, ...) and the number of dimensions -- then each dimension as a
big-endian 32-bit integer, then the values in row-major order, big-endian.
"""

from __future__ import annotations

import gzip
import os
import warnings
from typing import Any, Callable, ClassVar

import numpy as np

from ... import Tensor, from_numpy, uint8
from ._offline import download_error, not_found_error
from .vision import VisionDataset

__all__ = ["KMNIST", "MNIST", "FashionMNIST", "read_image_file", "read_label_file"]

# IDX type code -> big-endian numpy dtype.
_IDX_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def _read_bytes(path: str) -> bytes:
    """The file's bytes; a gzip file (by its magic bytes, whatever its name) is inflated."""
    with open(path, "rb") as f:
        data = f.read()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def read_sn3_pascalvincent_tensor(path: str) -> Tensor:
    """An IDX file as a tensor of its own dtype and shape."""
    data = _read_bytes(path)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise AssertionError(f"{path} is not an IDX file (bad magic number {data[:4].hex()})")
    ndim = data[3]
    if not 1 <= ndim <= 3:
        raise AssertionError(f"{path}: IDX files here have 1 to 3 dimensions, not {ndim}")
    header = 4 * (ndim + 1)
    shape = tuple(int.from_bytes(data[4 * (i + 1) : 4 * (i + 2)], "big") for i in range(ndim))
    dtype = _IDX_TYPES[data[2]]
    values = np.frombuffer(data, dtype=dtype, offset=header)
    if values.size != int(np.prod(shape)):
        raise RuntimeError(
            f"{path}: the header announces shape {list(shape)} ({int(np.prod(shape))} values) "
            f"but the file holds {values.size} values"
        )
    # To native byte order (and a writable copy) for the tensor.
    return from_numpy(values.astype(dtype.newbyteorder("="), copy=True).reshape(shape))


def read_label_file(path: str) -> Tensor:
    x = read_sn3_pascalvincent_tensor(path)
    if x.dtype != uint8:
        raise TypeError(f"x should be of dtype {uint8} instead of {x.dtype}")
    if x.ndimension() != 1:
        raise ValueError(f"x should have 1 dimension instead of {x.ndimension()}")
    return x.long()


def read_image_file(path: str) -> Tensor:
    x = read_sn3_pascalvincent_tensor(path)
    if x.dtype != uint8:
        raise TypeError(f"x should be of dtype {uint8} instead of {x.dtype}")
    if x.ndimension() != 3:
        raise ValueError(f"x should have 3 dimension instead of {x.ndimension()}")
    return x


class MNIST(VisionDataset):
    """Handwritten digits. Reads `root/MNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte`
    (or the same names ending in .gz). `data` is a uint8 tensor [N, 28, 28], `targets` an
    int64 tensor [N]; an item is (PIL image of mode "L", int label)."""

    resources: ClassVar[list[str]] = [
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ]
    classes: ClassVar[list[str]] = [
        "0 - zero",
        "1 - one",
        "2 - two",
        "3 - three",
        "4 - four",
        "5 - five",
        "6 - six",
        "7 - seven",
        "8 - eight",
        "9 - nine",
    ]

    def __init__(
        self,
        root: Any,
        train: bool = True,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise not_found_error(
                "Dataset not found. You can use download=True to download it",
                self.raw_folder,
                self.resources,
                " (each may also be gzipped, named with .gz added)",
            )
        self.data, self.targets = self._load_data()

    def _raw_path(self, name: str) -> str | None:
        """The file `name`, or `name.gz`, in the raw folder; None if neither exists."""
        for candidate in (name, name + ".gz"):
            path = os.path.join(self.raw_folder, candidate)
            if os.path.isfile(path):
                return path
        return None

    def _check_exists(self) -> bool:
        return all(self._raw_path(name) is not None for name in self.resources)

    def _load_data(self) -> tuple[Tensor, Tensor]:
        prefix = "train" if self.train else "t10k"
        data = read_image_file(self._raw_path(f"{prefix}-images-idx3-ubyte"))
        targets = read_label_file(self._raw_path(f"{prefix}-labels-idx1-ubyte"))
        return data, targets

    def download(self) -> None:
        """Nothing is downloaded: with the files in place this does nothing, else it says
        which files to place where."""
        if self._check_exists():
            return
        raise download_error(
            self.__class__.__name__,
            self.raw_folder,
            self.resources,
            " (each may also be gzipped, named with .gz added)",
        )

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        from ..transforms._pil import image_from_array

        img, target = self.data[index], int(self.targets[index])
        # A PIL image, like every other dataset, so the same transforms apply.
        img = image_from_array(img.numpy(), "L")
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def processed_folder(self) -> str:
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.classes)}

    @property
    def train_labels(self) -> Tensor:
        warnings.warn("train_labels has been renamed targets", stacklevel=2)
        return self.targets

    @property
    def test_labels(self) -> Tensor:
        warnings.warn("test_labels has been renamed targets", stacklevel=2)
        return self.targets

    @property
    def train_data(self) -> Tensor:
        warnings.warn("train_data has been renamed data", stacklevel=2)
        return self.data

    @property
    def test_data(self) -> Tensor:
        warnings.warn("test_data has been renamed data", stacklevel=2)
        return self.data

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """Zalando's clothing images in MNIST's format, under `root/FashionMNIST/raw/`."""

    classes: ClassVar[list[str]] = [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ]


class KMNIST(MNIST):
    """Kuzushiji (cursive Japanese) characters in MNIST's format, under `root/KMNIST/raw/`."""

    classes: ClassVar[list[str]] = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]
