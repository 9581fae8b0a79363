"""Random indexing keys for `x[key]` / `x[key] = v`, mirrored for numpy: ints, slices with
positive steps, None, Ellipsis, int tensors and lists, bool masks over one or several dims."""

from __future__ import annotations

from dataclasses import dataclass

import ferrograd
import numpy as np

BASIC = ("int", "slice", "none", "ellipsis")


@dataclass(frozen=True)
class Part:
    """One item of a key: kind in int/slice/none/ellipsis/ints/list/mask, and its value."""

    kind: str
    value: object = None

    def numpy(self):
        return {"none": None, "ellipsis": Ellipsis}.get(self.kind, self.value)

    def ferrograd(self):
        if self.kind in ("ints", "mask"):
            return ferrograd.tensor(self.value)
        return self.numpy()

    def __repr__(self) -> str:
        shown = self.value.tolist() if isinstance(self.value, np.ndarray) else self.value
        return f"{self.kind}:{shown!r}"


@dataclass(frozen=True)
class Key:
    parts: tuple[Part, ...]

    def numpy(self):
        return tuple(p.numpy() for p in self.parts)

    def ferrograd(self):
        return tuple(p.ferrograd() for p in self.parts)

    @property
    def basic(self) -> bool:
        return all(p.kind in BASIC for p in self.parts)


def random_key(rng: np.random.Generator, shape: tuple[int, ...], unique=False) -> Key:
    """A key valid for `shape`. Advanced parts always broadcast together: int tensors/lists
    share one shape, and a bool mask (whose count is data-dependent) only joins int parts
    of shape () or (1,). With `unique`, no element is selected twice (for setitem with a
    tensor value): one advanced part at most, without repeated positions."""
    parts: list[Part] = []
    dims = list(shape)
    advanced = None  # None, "ints" or "mask"
    if dims and rng.random() < 0.2:  # a mask over the leading dims
        k = int(rng.integers(1, len(dims) + 1))
        parts.append(Part("mask", rng.random(dims[:k]) < 0.5))
        del dims[:k]
        advanced = "mask"
    int_shape = () if advanced else [(), (1,), (2,), (3,), (2, 2)][int(rng.integers(0, 5))]
    while dims and rng.random() < 0.8:
        n = dims.pop(0)
        kind = str(rng.choice(["int", "slice", "slice", "none", "ints", "list", "mask"]))
        if kind == "none":
            parts.append(Part("none"))
            dims.insert(0, n)
            continue
        kind = _allowed(kind, n, advanced, int_shape, unique)
        parts.append(_part(rng, kind, n, int_shape, unique))
        if kind == "mask":
            advanced, int_shape = "mask", ()
        elif kind in ("ints", "list"):
            advanced = advanced or "ints"
    if rng.random() < 0.3:
        parts.insert(int(rng.integers(0, len(parts) + 1)), Part("ellipsis"))
    return Key(tuple(parts))


def _allowed(kind: str, n: int, advanced, int_shape, unique: bool) -> str:
    """`kind`, or a slice where it could not broadcast with what the key already holds."""
    if kind == "int" and n == 0:
        return "slice"
    if kind in ("ints", "list") and n == 0 and int_shape not in ((), (1,)):
        return "slice"  # an empty index only broadcasts with () and (1,)
    if kind in ("ints", "list", "mask") and unique and advanced:
        return "slice"
    if kind == "mask" and (advanced == "mask" or (advanced and int_shape not in ((), (1,)))):
        return "slice"
    return kind


def _part(rng, kind: str, n: int, int_shape, unique: bool) -> Part:
    if kind == "int":
        return Part("int", int(rng.integers(-n, n)))
    if kind == "slice":
        start, stop = (int(v) for v in rng.integers(-n - 1, n + 2, size=2))
        return Part("slice", slice(start, stop, int(rng.integers(1, 4))))
    if kind == "mask":
        return Part("mask", rng.random(n) < 0.5)
    if n == 0:
        values = np.zeros((0,), np.int64)
    elif unique:
        size = int(np.prod(int_shape))
        values = (rng.permutation(n)[: min(size, n)] - n * int(rng.integers(0, 2))).astype(np.int64)
    else:
        values = rng.integers(-n, n, size=int_shape).astype(np.int64)
    if kind == "list" and values.ndim:
        return Part("list", values.tolist())
    return Part("ints", values)
