"""Module-level forms of the view and metadata methods (`ferrograd.reshape(t, ...)` is
`t.reshape(...)`), as PyTorch offers both spellings."""

from . import _C

Tensor = _C.Tensor


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def numel(input):
    return input.numel()


def reshape(input, shape):
    return input.reshape(shape)


def transpose(input, dim0, dim1):
    return input.transpose(dim0, dim1)


swapaxes = swapdims = transpose


def t(input):
    return input.t()


def permute(input, dims):
    return input.permute(dims)


def movedim(input, source, destination):
    return input.movedim(source, destination)


moveaxis = movedim


# The methods behind the next four also take `dim` as numpy's `axis` (and refuse both at
# once), so their arguments pass through untouched: whether `dim` was given at all matters.
def narrow(input, *args, **kwargs):
    return input.narrow(*args, **kwargs)


def select(input, *args, **kwargs):
    return input.select(*args, **kwargs)


def unsqueeze(input, *args, **kwargs):
    return input.unsqueeze(*args, **kwargs)


def squeeze(input, *args, **kwargs):
    return input.squeeze(*args, **kwargs)


def flatten(input, start_dim=0, end_dim=-1):
    return input.flatten(start_dim, end_dim)


def unflatten(input, *args, **kwargs):
    # `ferrograd.unflatten` takes `axis` for `dim`; the method, as `Tensor.unflatten`, does not.
    if "axis" in kwargs:
        if args or "dim" in kwargs:
            raise TypeError("unflatten() got an unexpected keyword argument 'axis'")
        kwargs["dim"] = kwargs.pop("axis")
    return input.unflatten(*args, **kwargs)


def diagonal(input, offset=0, dim1=0, dim2=1):
    return input.diagonal(offset, dim1, dim2)


def as_strided(input, size, stride, storage_offset=None):
    return input.as_strided(size, stride, storage_offset)


def clone(input, *, memory_format=None):
    return input.clone()


def detach(input):
    return input.detach()
