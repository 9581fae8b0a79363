"""`CIFAR10` and `CIFAR100`: 32x32 colour images in the "python version" of the dataset,
pickled batches under `root/cifar-10-batches-py/` (or `root/cifar-100-python/`).

Each batch is a pickled dict: `data` is a uint8 array [N, 3072] (1024 red, then 1024 green,
then 1024 blue values, each plane row by row) and `labels` (CIFAR-100: `fine_labels`) a list.
The batches were pickled by Python 2, so their keys read as bytes (b"data") or as str
depending on how they are unpickled; both are accepted. Unpickling runs code from the file:
only load files from a source you trust.
"""

from __future__ import annotations

import os
import pickle
from typing import Any, Callable, ClassVar

import numpy as np

from ._offline import download_error, not_found_error
from .vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100"]


def _load_batch(path: str) -> dict[str, Any]:
    """One pickled batch as a dict with str keys."""
    with open(path, "rb") as f:
        entry = pickle.load(f, encoding="latin1")
    return {(k.decode("latin1") if isinstance(k, bytes) else k): v for k, v in entry.items()}


class CIFAR10(VisionDataset):
    """CIFAR-10: 50000 training and 10000 test images in 10 classes. `data` is a uint8
    numpy array [N, 32, 32, 3] (HWC), `targets` a list of ints; an item is
    (RGB PIL image, int label)."""

    base_folder = "cifar-10-batches-py"
    train_list: ClassVar[list[str]] = [
        "data_batch_1",
        "data_batch_2",
        "data_batch_3",
        "data_batch_4",
        "data_batch_5",
    ]
    test_list: ClassVar[list[str]] = ["test_batch"]
    meta: ClassVar[dict[str, str]] = {"filename": "batches.meta", "key": "label_names"}

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
        if not self._check_integrity():
            raise not_found_error(
                "Dataset not found or corrupted. You can use download=True to download it",
                self._folder(),
                self._expected_files(),
            )
        data, self.targets = [], []
        for file_name in self.train_list if self.train else self.test_list:
            entry = _load_batch(os.path.join(self._folder(), file_name))
            data.append(entry["data"])
            self.targets.extend(entry["labels"] if "labels" in entry else entry["fine_labels"])
        # Rows of 3072 values are planes R, G, B of 32x32: to [N, 3, 32, 32], then channels last.
        self.data = np.vstack(data).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))
        self._load_meta()

    def _folder(self) -> str:
        return os.path.join(self.root, self.base_folder)

    def _expected_files(self) -> list[str]:
        return self.train_list + self.test_list + [self.meta["filename"]]

    def _load_meta(self) -> None:
        path = os.path.join(self._folder(), self.meta["filename"])
        if not os.path.isfile(path):
            raise not_found_error(
                "Dataset metadata file not found or corrupted. You can use download=True to "
                "download it",
                self._folder(),
                [self.meta["filename"]],
            )
        names = _load_batch(path)[self.meta["key"]]
        self.classes = [n.decode("latin1") if isinstance(n, bytes) else n for n in names]
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}

    def _check_integrity(self) -> bool:
        # torchvision also compares MD5 checksums of the official files; only presence is
        # checked here, so that small files in the same format (tests, subsets) load too.
        return all(
            os.path.isfile(os.path.join(self._folder(), name))
            for name in self.train_list + self.test_list
        )

    def download(self) -> None:
        if self._check_integrity():
            return
        raise download_error(self.__class__.__name__, self._folder(), self._expected_files())

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        from PIL import Image

        img, target = self.data[index], self.targets[index]
        img = Image.fromarray(img)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"


class CIFAR100(CIFAR10):
    """CIFAR-100: the same images format with 100 fine classes (`fine_labels`)."""

    base_folder = "cifar-100-python"
    train_list: ClassVar[list[str]] = ["train"]
    test_list: ClassVar[list[str]] = ["test"]
    meta: ClassVar[dict[str, str]] = {"filename": "meta", "key": "fine_label_names"}
