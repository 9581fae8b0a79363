"""Image transforms, as in ``torchvision.transforms``: classes to build a preprocessing
pipeline (``Compose([ToTensor(), Normalize(mean, std)])``) and, in `functional`, the
operations they apply. Each works on PIL images and on tensor images [..., C, H, W].
"""

from . import functional
from ._affine_blur import GaussianBlur, RandomAffine
from ._color import ColorJitter, Grayscale, RandomGrayscale
from ._compose import Compose, Lambda, RandomApply
from ._convert import ConvertImageDtype, Normalize, PILToTensor, ToPILImage, ToTensor
from ._geometry import (
    CenterCrop,
    Pad,
    RandomCrop,
    RandomHorizontalFlip,
    RandomResizedCrop,
    RandomRotation,
    RandomVerticalFlip,
    Resize,
)
from ._modes import InterpolationMode

__all__ = [
    "CenterCrop",
    "ColorJitter",
    "Compose",
    "ConvertImageDtype",
    "GaussianBlur",
    "Grayscale",
    "InterpolationMode",
    "Lambda",
    "Normalize",
    "PILToTensor",
    "Pad",
    "RandomAffine",
    "RandomApply",
    "RandomCrop",
    "RandomGrayscale",
    "RandomHorizontalFlip",
    "RandomResizedCrop",
    "RandomRotation",
    "RandomVerticalFlip",
    "Resize",
    "ToPILImage",
    "ToTensor",
    "functional",
]
