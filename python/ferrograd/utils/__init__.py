"""Utilities, as in ``torch.utils``."""
