"""`Tensor.untyped_storage()`: a light handle naming the bytes a tensor and its views share."""


class UntypedStorage:
    """The storage behind a tensor. Two views of one tensor report the same `data_ptr()`."""

    __slots__ = ("_data_ptr", "_nbytes")

    def __init__(self, *, data_ptr, nbytes):
        self._data_ptr = data_ptr
        self._nbytes = nbytes

    def data_ptr(self):
        return self._data_ptr

    def nbytes(self):
        return self._nbytes

    def size(self):
        return self._nbytes

    def __len__(self):
        return self._nbytes

    def __repr__(self):
        return f"<ferrograd.UntypedStorage of {self._nbytes} bytes at 0x{self._data_ptr:x}>"
