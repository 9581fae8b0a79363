"""Chaining transforms: `Compose` (one after another), `RandomApply` (all or none, with a
probability) and `Lambda` (any function as a transform)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable

from ... import rand
from ...nn import Module

__all__ = ["Compose", "Lambda", "RandomApply"]


def _listing(name: str, lines: list[str]) -> str:
    """`Name(` then one indented line per item, then `)`: torchvision's container repr."""
    return name + "(" + "".join(f"\n    {line}" for line in lines) + "\n)"


class Compose:
    """Applies `transforms` in order: `Compose([ToTensor(), Normalize(m, s)])(img)`."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = transforms

    def __call__(self, img: Any) -> Any:
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        return _listing(self.__class__.__name__, [str(t) for t in self.transforms])


class Lambda:
    """Wraps a function (e.g. a lambda) so it can sit in a `Compose`."""

    def __init__(self, lambd: Callable[[Any], Any]) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, img: Any) -> Any:
        return self.lambd(img)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}()"


class RandomApply(Module):
    """Applies all of `transforms` with probability `p`, else none of them."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]], p: float = 0.5) -> None:
        super().__init__()
        self.transforms = transforms
        self.p = p

    def forward(self, img: Any) -> Any:
        if bool(self.p < rand(1)):
            return img
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        lines = [f"p={self.p}"] + [str(t) for t in self.transforms]
        return _listing(self.__class__.__name__, lines)
