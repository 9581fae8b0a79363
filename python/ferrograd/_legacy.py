"""The legacy tensor types (`FloatTensor`, `LongTensor`, ...): constructors that fix a dtype,
and `isinstance` checks by dtype, as in PyTorch."""

from . import _C


class _LegacyTensorType(type):
    """Metaclass: calling the class builds a Tensor of its dtype; `isinstance` checks dtype."""

    def __call__(cls, *args):
        return _C._legacy_new(cls.dtype, *args)

    def __instancecheck__(cls, obj):
        return isinstance(obj, _C.Tensor) and obj.dtype is cls.dtype

    def __repr__(cls):
        return f"<class 'ferrograd.{cls.__name__}'>"


def _legacy_type(name, dtype):
    return _LegacyTensorType(name, (), {"dtype": dtype, "__module__": "ferrograd"})


FloatTensor = _legacy_type("FloatTensor", _C.float32)
DoubleTensor = _legacy_type("DoubleTensor", _C.float64)
HalfTensor = _legacy_type("HalfTensor", _C.float16)
BFloat16Tensor = _legacy_type("BFloat16Tensor", _C.bfloat16)
ByteTensor = _legacy_type("ByteTensor", _C.uint8)
CharTensor = _legacy_type("CharTensor", _C.int8)
ShortTensor = _legacy_type("ShortTensor", _C.int16)
IntTensor = _legacy_type("IntTensor", _C.int32)
LongTensor = _legacy_type("LongTensor", _C.int64)
BoolTensor = _legacy_type("BoolTensor", _C.bool)
