"""Collation: turning a list of samples into one batch (``default_collate``), and converting
numpy data to tensors without batching (``default_convert``).

Mirrors ``torch.utils.data._utils.collate``, including its dispatch table
``default_collate_fn_map`` (type -> function) that ``collate`` consults first, so users can
extend the default rules for their own types.
"""

from __future__ import annotations

import collections.abc
import copy
import re
from collections.abc import Callable
from typing import Any, Union

import numpy as np

# From the extension module: see the note in dataset.py about import order.
from ..._C import Tensor, as_tensor, float64, stack, tensor

__all__ = ["collate", "default_collate", "default_collate_fn_map", "default_convert"]

# numpy dtype kinds that cannot become tensors: bytes (S, a), unicode (U) and objects (O).
np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)

# (`Union`, not `|`: this alias is evaluated at import time on every supported Python.)
CollateFnMap = dict[Union[type, tuple[type, ...]], Callable[..., Any]]


def _rebuild_mapping(elem: Any, values: dict[Any, Any]) -> Any:
    """A mapping of ``elem``'s own type holding ``values`` (a plain dict if that type cannot be
    built from a dict): keeps OrderedDicts, defaultdicts and custom mappings intact."""
    try:
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(values)
            return clone
        return type(elem)(values)
    except TypeError:
        return values


def _rebuild_sequence(elem: Any, values: list[Any]) -> Any:
    """A sequence of ``elem``'s own type holding ``values`` (a list if that fails)."""
    try:
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            for i, value in enumerate(values):
                clone[i] = value
            return clone
        return type(elem)(values)
    except TypeError:
        return values


def default_convert(data: Any) -> Any:
    """numpy arrays and scalars -> tensors, recursively through mappings and sequences; used by
    the DataLoader when automatic batching is off (``batch_size=None``)."""
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if elem_type.__name__ == "ndarray" and np_str_obj_array_pattern.search(data.dtype.str):
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]  # a list, as PyTorch returns
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def collate(batch: Any, *, collate_fn_map: CollateFnMap | None = None) -> Any:
    """The general rule: look the first element's type up in ``collate_fn_map`` (exact type,
    then ``isinstance``); otherwise recurse into mappings, namedtuples and sequences, pairing
    up the samples' fields."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)

    def again(samples: Any) -> Any:
        return collate(samples, collate_fn_map=collate_fn_map)

    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {key: again([d[key] for d in batch]) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(again(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        # Sample i's field j goes to batch field j: all samples need the same length.
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = [again(samples) for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return transposed  # a list, as PyTorch returns
        return _rebuild_sequence(elem, transposed)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch: Any, *, collate_fn_map: CollateFnMap | None = None) -> Any:
    """Tensors are stacked along a new first dimension (stack's own errors on unequal shapes)."""
    return stack(list(batch), 0)


def collate_numpy_array_fn(batch: Any, *, collate_fn_map: CollateFnMap | None = None) -> Any:
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch: Any, *, collate_fn_map: CollateFnMap | None = None) -> Any:
    return as_tensor(np.array(batch))


def collate_float_fn(batch: Any, *, collate_fn_map: CollateFnMap | None = None) -> Any:
    # float64, not the default float32: a Python float is a double (PyTorch's choice).
    return tensor(batch, dtype=float64)


def collate_int_fn(batch: Any, *, collate_fn_map: CollateFnMap | None = None) -> Any:
    return tensor(batch)  # int64 (and bool for bools, since bool is an int subclass)


def collate_str_fn(batch: Any, *, collate_fn_map: CollateFnMap | None = None) -> Any:
    return batch  # strings and bytes stay a list


default_collate_fn_map: CollateFnMap = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch: Any) -> Any:
    """The DataLoader's default ``collate_fn``: tensors stacked, numbers to tensors (floats
    float64, ints int64), numpy to tensors, strings kept; dicts, namedtuples, tuples and lists
    collated field by field."""
    return collate(batch, collate_fn_map=default_collate_fn_map)
