"""`finfo` and `iinfo`: the numerical limits of floating and integer dtypes."""

from . import _C

# (bits, eps, max, tiny, resolution) per floating dtype; bfloat16 has 8 mantissa bits and
# float32's exponent range.
_FLOAT_LIMITS = {
    "float16": (16, 2.0**-10, 65504.0, 2.0**-14, 0.001),
    "bfloat16": (16, 2.0**-7, 3.3895313892515355e38, 2.0**-126, 0.01),
    "float32": (32, 2.0**-23, 3.4028234663852886e38, 2.0**-126, 1e-06),
    "float64": (64, 2.0**-52, 1.7976931348623157e308, 2.0**-1022, 1e-15),
}

_INT_BITS = {"uint8": 8, "int8": 8, "int16": 16, "int32": 32, "int64": 64}


def _name(dtype):
    return str(dtype).rpartition(".")[2]


class finfo:
    """Limits of a floating dtype (the default dtype when none is given)."""

    def __init__(self, type=None):
        name = _name(type if type is not None else _C.get_default_dtype())
        if name not in _FLOAT_LIMITS:
            raise TypeError(
                "ferrograd.finfo() requires a floating point input type. "
                "Use ferrograd.iinfo to handle 'ferrograd.finfo'"
            )
        self.bits, self.eps, self.max, self.tiny, self.resolution = _FLOAT_LIMITS[name]
        self.min = -self.max
        self.smallest_normal = self.tiny
        self.dtype = name

    def __repr__(self):
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
            f"dtype={self.dtype})"
        )


class iinfo:
    """Limits of an integer dtype."""

    def __init__(self, type):
        name = _name(type)
        if name not in _INT_BITS:
            raise TypeError(f"ferrograd.{name} is not supported by ferrograd.iinfo")
        self.bits = _INT_BITS[name]
        signed = name != "uint8"
        self.min = -(2 ** (self.bits - 1)) if signed else 0
        self.max = 2 ** (self.bits - 1) - 1 if signed else 2**self.bits - 1
        self.dtype = name

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
