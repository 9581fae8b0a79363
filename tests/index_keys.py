"""Random indexing keys for `x[key]` / `x[key] = v`, and what they select in numpy terms:
ints, slices with positive steps, None, Ellipsis, int tensors and lists, bool masks over one
or several dims.

PyTorch applies integer indices (Python ints and 0-d integer tensors) as plain selections
before any advanced indexing, where numpy counts them as advanced indices when arrays are
present: x[1, :, [0, 1]] has shape (4, 2) in PyTorch for x of shape (3, 4, 5), and (2, 4) in
numpy. PyTorch also spells an Ellipsis out as slices first, so an Ellipsis standing for no
dim does not separate advanced indices. `Key.select` reproduces both rules with numpy.
"""

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

    @property
    def integer(self) -> bool:
        """Selects one position (an int, or a 0-d int tensor): applied first by PyTorch."""
        return self.kind == "int" or (self.kind == "ints" and np.ndim(self.value) == 0)

    @property
    def consumed(self) -> int:
        """How many input dims this part indexes."""
        if self.kind in ("none", "ellipsis"):
            return 0
        return np.ndim(self.value) if self.kind == "mask" else 1

    def __repr__(self) -> str:
        shown = self.value.tolist() if isinstance(self.value, np.ndarray) else self.value
        return f"{self.kind}:{shown!r}"


@dataclass(frozen=True)
class Key:
    parts: tuple[Part, ...]

    def ferrograd(self):
        return tuple(p.ferrograd() for p in self.parts)

    @property
    def basic(self) -> bool:
        return all(p.kind in BASIC for p in self.parts)

    def _steps(self) -> tuple[tuple, tuple]:
        """(integer parts with full slices elsewhere, the remaining parts). The first step
        always holds an Ellipsis, so numpy returns a view even when it selects one element."""
        first, rest = [], []
        for p in self.parts:
            if p.integer:
                first.append(int(p.value))
            elif p.kind == "ellipsis":
                first.append(Ellipsis)
                rest.append(Ellipsis)
            else:
                first.extend([slice(None)] * p.consumed)
                rest.append(p.numpy())
        if Ellipsis not in first:
            first.append(Ellipsis)
        return tuple(first), tuple(rest)

    def _view_and_rest(self, a: np.ndarray):
        """The first step's view of `a`, and the rest of the key with its Ellipsis spelled
        out as full slices: PyTorch does that, so advanced parts around an Ellipsis that
        stands for no dim are adjacent (numpy would move their dims to the front)."""
        first, rest = self._steps()
        view = a[first]
        taken = sum(p.consumed for p in self.parts if not p.integer)
        spelled: list = []
        for item in rest:
            spelled.extend([slice(None)] * (view.ndim - taken) if item is Ellipsis else [item])
        return view, tuple(spelled)

    def select(self, a: np.ndarray) -> np.ndarray:
        """What PyTorch's x[key] holds, with numpy (integer parts first)."""
        view, rest = self._view_and_rest(a)
        return np.asarray(view[rest])

    def assign(self, a: np.ndarray, value) -> None:
        """a[key] = value with PyTorch's meaning (the first step is a numpy view of `a`)."""
        view, rest = self._view_and_rest(a)
        view[rest] = value


def random_key(rng: np.random.Generator, shape: tuple[int, ...], unique=False) -> Key:
    """A key valid for `shape`; advanced parts always broadcast together (each is checked
    against the others, a slice taking its place when it would not). With `unique`, no
    element is selected twice (for setitem with a tensor value): one advanced part at most,
    without repeated positions."""
    parts: list[Part] = []
    dims = list(shape)
    advanced: list[tuple[int, ...]] = []  # the index shapes of the advanced parts so far
    if dims and rng.random() < 0.2:  # a mask over the leading dims
        k = int(rng.integers(1, len(dims) + 1))
        mask = rng.random(dims[:k]) < 0.5
        parts.append(Part("mask", mask))
        advanced.append((int(mask.sum()),))
        del dims[:k]
    int_shape = [(), (1,), (2,), (3,), (2, 2)][int(rng.integers(0, 5))]
    while dims and rng.random() < 0.8:
        kind = str(rng.choice(["int", "slice", "slice", "none", "ints", "list", "mask"]))
        if kind == "none":
            parts.append(Part("none"))
            continue
        n = dims.pop(0)
        part = _part(rng, kind, n, int_shape, unique)
        if part.kind in ("ints", "list", "mask") and not part.integer:
            index_shape = (int(part.value.sum()),) if part.kind == "mask" else np.shape(part.value)
            if (unique and advanced) or not _broadcasts(advanced + [index_shape]):
                part = _part(rng, "slice", n, int_shape, unique)
            else:
                advanced.append(index_shape)
        parts.append(part)
    if rng.random() < 0.3:  # Ellipsis stands for the dims no part took: only then is it free
        at = int(rng.integers(0, len(parts) + 1)) if not dims else len(parts)
        parts.insert(at, Part("ellipsis"))
    return Key(tuple(parts))


def _broadcasts(shapes) -> bool:
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        return False
    return True


def _part(rng, kind: str, n: int, int_shape, unique: bool) -> Part:
    if kind == "int" and n == 0:
        kind = "slice"
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
