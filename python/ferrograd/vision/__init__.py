"""ferrograd.vision: image datasets, transforms and utilities with torchvision's API.

A separate import, as torchvision is a separate package (it needs Pillow, which a plain
``import ferrograd`` does not load)::

    import ferrograd.vision as torchvision
    from ferrograd.vision import datasets, transforms
"""

from . import datasets, models, transforms, utils

__all__ = ["datasets", "models", "transforms", "utils"]
