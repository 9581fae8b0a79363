"""Model architectures, as ``torchvision.models``: ResNet, VGG and AlexNet with torchvision's
module names, shapes, printed text and initialisation, so a state_dict saved from torchvision
with torch.save loads into them. Pretrained weights are never downloaded: ``pretrained=True``
or a ``weights`` argument raises an error saying how to load a saved state_dict instead::

    from ferrograd.vision import models
    model = models.resnet18(num_classes=10)
"""

from .alexnet import AlexNet, alexnet
from .resnet import (
    BasicBlock,
    Bottleneck,
    ResNet,
    resnet18,
    resnet34,
    resnet50,
    resnet101,
    resnet152,
)
from .vgg import (
    VGG,
    vgg11,
    vgg11_bn,
    vgg13,
    vgg13_bn,
    vgg16,
    vgg16_bn,
    vgg19,
    vgg19_bn,
)

__all__ = [
    "VGG",
    "AlexNet",
    "BasicBlock",
    "Bottleneck",
    "ResNet",
    "alexnet",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "vgg11",
    "vgg11_bn",
    "vgg13",
    "vgg13_bn",
    "vgg16",
    "vgg16_bn",
    "vgg19",
    "vgg19_bn",
]
