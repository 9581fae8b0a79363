"""Named tuples that ops with several results return (`max(dim)`, `sort`, `svd`, ...).

PyTorch calls them `torch.return_types.<op>`: tuples whose fields also have names, printing as
`ferrograd.return_types.max(\\nvalues=tensor(...),\\nindices=tensor(...))`. The Rust binding
builds them by calling these classes with one tuple of results.
"""

from __future__ import annotations

from typing import Any

# op name -> field names, as PyTorch names them.
_FIELDS: dict[str, tuple[str, ...]] = {
    "max": ("values", "indices"),
    "min": ("values", "indices"),
    "median": ("values", "indices"),
    "nanmedian": ("values", "indices"),
    "mode": ("values", "indices"),
    "kthvalue": ("values", "indices"),
    "sort": ("values", "indices"),
    "topk": ("values", "indices"),
    "cummax": ("values", "indices"),
    "cummin": ("values", "indices"),
    "aminmax": ("min", "max"),
    "frexp": ("mantissa", "exponent"),
    "histogram": ("hist", "bin_edges"),
    "slogdet": ("sign", "logabsdet"),
    "svd": ("U", "S", "V"),
    "qr": ("Q", "R"),
    "linalg_slogdet": ("sign", "logabsdet"),
    "linalg_svd": ("U", "S", "Vh"),
    "linalg_qr": ("Q", "R"),
    "linalg_eig": ("eigenvalues", "eigenvectors"),
    "linalg_eigh": ("eigenvalues", "eigenvectors"),
    "linalg_lstsq": ("solution", "residuals", "rank", "singular_values"),
    "linalg_inv_ex": ("inverse", "info"),
    "linalg_cholesky_ex": ("L", "info"),
    "linalg_solve_ex": ("result", "info"),
}


class _StructSeq(tuple):
    """A tuple with named fields, built from one sequence like PyTorch's structseq types."""

    _fields: tuple[str, ...] = ()

    def __new__(cls, sequence: Any) -> _StructSeq:  # noqa: PYI034 (py39 has no Self)
        values = tuple(sequence)
        if len(values) != len(cls._fields):
            raise TypeError(
                f"{cls.__module__}.{cls.__name__}() takes a {len(cls._fields)}-sequence "
                f"({len(values)}-sequence given)"
            )
        return super().__new__(cls, values)

    @property
    def n_fields(self) -> int:
        return len(self._fields)

    @property
    def n_sequence_fields(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        parts = ",\n".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
        return f"{type(self).__module__}.{type(self).__name__}(\n{parts})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (tuple(self),))


def _field_getter(i: int) -> property:
    return property(lambda self: self[i])


def _make(name: str, fields: tuple[str, ...]) -> type:
    namespace: dict[str, Any] = {"_fields": fields, "__slots__": (), "__module__": __name__}
    namespace.update({field: _field_getter(i) for i, field in enumerate(fields)})
    return type(name, (_StructSeq,), namespace)


# With `out=`, PyTorch returns the same fields under `<op>_out` (`torch.return_types.max_out`).
_FIELDS.update({f"{name}_out": fields for name, fields in list(_FIELDS.items())})

for _name, _fields in _FIELDS.items():
    globals()[_name] = _make(_name, _fields)

__all__ = list(_FIELDS)
