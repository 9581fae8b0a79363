"""numpy's names for two of PyTorch's arguments: `axis` for `dim` and `keepdims` for `keepdim`.

PyTorch's argument parser accepts them in every native op, and refuses an alias given together
with the name it stands for. The native ops here take them in the Rust binding; the few ops
written in Python whose PyTorch counterparts are native resolve them with `alias`.
"""

from __future__ import annotations

from typing import Any


def alias(op: str, name: str, value: Any, default: Any, alias_name: str, alias_value: Any) -> Any:
    """`value`, or `alias_value` when the alias was given (`None` is "not given"). A `value`
    other than its default means both were given: PyTorch's TypeError. (A value equal to its
    default cannot be told from a missing one, so that case takes the alias.)"""
    if alias_value is None:
        return value
    if value is not default and value != default:
        raise TypeError(f"{op}() got an unexpected keyword argument '{alias_name}'")
    return alias_value
