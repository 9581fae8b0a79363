"""torchvision's weight enums (``ResNet18_Weights.DEFAULT``, ...), so that code written against
them runs up to the builder, which then says how to load saved weights (nothing is downloaded).
Members and their DEFAULT are torchvision's."""

from __future__ import annotations

from enum import Enum


def _weights_enum(name: str, members: tuple[str, ...], default: str) -> type[Enum]:
    # DEFAULT shares its member's value, so it is an alias of that member, as in torchvision.
    values = {m: f"{name}.{m}" for m in members}
    return Enum(name, {**values, "DEFAULT": values[default]}, module=__name__)


AlexNet_Weights = _weights_enum("AlexNet_Weights", ("IMAGENET1K_V1",), "IMAGENET1K_V1")
ResNet18_Weights = _weights_enum("ResNet18_Weights", ("IMAGENET1K_V1",), "IMAGENET1K_V1")
ResNet34_Weights = _weights_enum("ResNet34_Weights", ("IMAGENET1K_V1",), "IMAGENET1K_V1")
_V1_V2 = ("IMAGENET1K_V1", "IMAGENET1K_V2")
ResNet50_Weights = _weights_enum("ResNet50_Weights", _V1_V2, "IMAGENET1K_V2")
ResNet101_Weights = _weights_enum("ResNet101_Weights", _V1_V2, "IMAGENET1K_V2")
ResNet152_Weights = _weights_enum("ResNet152_Weights", _V1_V2, "IMAGENET1K_V2")
VGG11_Weights = _weights_enum("VGG11_Weights", ("IMAGENET1K_V1",), "IMAGENET1K_V1")
VGG11_BN_Weights = _weights_enum("VGG11_BN_Weights", ("IMAGENET1K_V1",), "IMAGENET1K_V1")
VGG13_Weights = _weights_enum("VGG13_Weights", ("IMAGENET1K_V1",), "IMAGENET1K_V1")
VGG13_BN_Weights = _weights_enum("VGG13_BN_Weights", ("IMAGENET1K_V1",), "IMAGENET1K_V1")
VGG16_Weights = _weights_enum(
    "VGG16_Weights", ("IMAGENET1K_V1", "IMAGENET1K_FEATURES"), "IMAGENET1K_V1"
)
VGG16_BN_Weights = _weights_enum("VGG16_BN_Weights", ("IMAGENET1K_V1",), "IMAGENET1K_V1")
VGG19_Weights = _weights_enum("VGG19_Weights", ("IMAGENET1K_V1",), "IMAGENET1K_V1")
VGG19_BN_Weights = _weights_enum("VGG19_BN_Weights", ("IMAGENET1K_V1",), "IMAGENET1K_V1")
