"""Utilities, as in ``torch.utils``."""

from . import safetensors
