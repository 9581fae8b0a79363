"""`ferrograd.Size`: the type of `tensor.shape`, a tuple of ints that prints like PyTorch's."""

import operator


def _as_size(value):
    """An int, or anything with `__index__` (a 0-dim integer tensor); floats are refused."""
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(
            f"ferrograd.Size() takes an iterable of 'int' (item 0 is '{type(value).__name__}')"
        ) from None


class Size(tuple):
    """A tuple of dimension sizes. Slicing gives a Size; `numel()` multiplies the sizes."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        return super().__new__(cls, (_as_size(s) for s in sizes))

    def __repr__(self):
        return f"ferrograd.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__

    def __getitem__(self, key):
        item = super().__getitem__(key)
        return Size(item) if isinstance(key, slice) else item

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(other) + tuple(self))

    def __mul__(self, n):
        return Size(tuple(self) * n)

    __rmul__ = __mul__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __reduce__(self):
        return (Size, (tuple(self),))
