"""`ferrograd.device`: where a tensor lives: `cpu`, or the GPU as `wgpu` (`wgpu:0`)."""

_KNOWN_TYPES = ("cpu", "wgpu")


class device:
    """A device: a type (`"cpu"`) and an optional index, as in `device("wgpu:0")`."""

    __slots__ = ("index", "type")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        if ":" in type:
            if index is not None:
                raise ValueError(
                    "type (string) must not include an index because index was passed explicitly: "
                    + type
                )
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type == "cuda":
            from .cuda import NO_CUDA

            raise RuntimeError(NO_CUDA)
        if type not in _KNOWN_TYPES:
            raise RuntimeError(
                "Expected one of cpu, wgpu device type at start of device string: " + type
            )
        self.type = type
        self.index = index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))
