"""Utilities, as in ``torch.utils``."""

from . import data, safetensors
