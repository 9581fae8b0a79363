"""Image datasets, as in ``torchvision.datasets``: folder trees of images (`ImageFolder`) and
the classic benchmarks read from their standard files (`MNIST`, `FashionMNIST`, `CIFAR10`).
Nothing is downloaded: the files must already be on disk (the errors say which and where).
"""

from .cifar import CIFAR10, CIFAR100
from .folder import DatasetFolder, ImageFolder
from .mnist import KMNIST, MNIST, FashionMNIST
from .vision import StandardTransform, VisionDataset

__all__ = [
    "CIFAR10",
    "CIFAR100",
    "KMNIST",
    "MNIST",
    "DatasetFolder",
    "FashionMNIST",
    "ImageFolder",
    "StandardTransform",
    "VisionDataset",
]
