"""`ParametrizationList`: the parametrizations on one tensor and the original tensor(s) they
start from; `module.parametrizations.<name>` is one (see `parametrize`)."""

from __future__ import annotations

import collections.abc
from collections.abc import Sequence
from typing import Any

from ... import _C
from ...autograd.grad_mode import no_grad
from ..modules.container import ModuleList
from ..modules.module import Module
from ..parameter import Parameter

Tensor = _C.Tensor


def _register_parameter_or_buffer(module: Module, name: str, value: Tensor) -> None:
    if isinstance(value, Parameter):
        module.register_parameter(name, value)
    else:
        module.register_buffer(name, value)


def _maybe_set(dest: Tensor, src: Tensor) -> None:
    """Makes `dest` hold `src`'s values while staying the same object, so an optimizer built
    before still holds it. PyTorch calls `dest.set_(src)`; `dest.data = src` is the same here."""
    if dest is not src:
        dest.data = src


class ParametrizationList(ModuleList):
    """The parametrizations registered on one tensor, in order, and the tensor(s) they start from:
    `original`, or `original0`, `original1`, ... when the first `right_inverse` returns a tuple.

    The type of `module.parametrizations[tensor_name]`; made by `register_parametrization`.
    """

    original: Tensor
    unsafe: bool

    def __init__(self, modules: Sequence[Module], original: Tensor, unsafe: bool = False) -> None:
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        original_shape = original.shape
        original_dtype = original.dtype
        # The stored tensor is right_inverse(original); no right_inverse means the identity.
        with no_grad():
            new = original
            for module in reversed(self):
                if hasattr(module, "right_inverse"):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:
                        pass
        if not isinstance(new, (Tensor, collections.abc.Sequence)):
            raise ValueError(  # noqa: TRY004 (PyTorch raises ValueError)
                "'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
                f"Got {type(new).__name__}"
            )
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            self._store_one(original, new)
        else:
            self._store_many(original, new)
        if not self.unsafe:
            self._check_consistency(original_shape, original_dtype)

    def _store_one(self, original: Tensor, new: Tensor) -> None:
        if original.dtype != new.dtype:
            raise ValueError(
                "When `right_inverse` outputs one tensor, it may not change the dtype.\n"
                f"original.dtype: {original.dtype}\n"
                f"right_inverse(original).dtype: {new.dtype}"
            )
        if original.device != new.device:
            raise ValueError(
                "When `right_inverse` outputs one tensor, it may not change the device.\n"
                f"original.device: {original.device}\n"
                f"right_inverse(original).device: {new.device}"
            )
        # The same object is kept, so an optimizer that holds it needs no update.
        with no_grad():
            _maybe_set(original, new)
        _register_parameter_or_buffer(self, "original", original)

    def _store_many(self, original: Tensor, new: Sequence[Any]) -> None:
        for i, originali in enumerate(new):
            if not isinstance(originali, Tensor):
                raise ValueError(  # noqa: TRY004 (PyTorch raises ValueError)
                    "'right_inverse' must return a Tensor or a Sequence of tensors "
                    "(list, tuple...). "
                    f"Got element {i} of the sequence with type {type(originali).__name__}."
                )
            # New tensors: a user who parametrizes after building the optimizer must add them.
            if isinstance(original, Parameter):
                originali = Parameter(originali, original.requires_grad)
            originali.requires_grad_(original.requires_grad)
            _register_parameter_or_buffer(self, f"original{i}", originali)

    def _check_consistency(self, original_shape: Any, original_dtype: Any) -> None:
        """forward(right_inverse(original)) must keep the tensor's dtype and shape."""
        value = self()
        if not isinstance(value, Tensor):
            raise ValueError(  # noqa: TRY004 (PyTorch raises ValueError)
                f"A parametrization must return a tensor. Got {type(value).__name__}."
            )
        if value.dtype != original_dtype:
            raise ValueError(
                "Registering a parametrization may not change the dtype of the tensor, unless "
                "`unsafe` flag is enabled.\n"
                f"unparametrized dtype: {original_dtype}\n"
                f"parametrized dtype: {value.dtype}"
            )
        if value.shape != original_shape:
            raise ValueError(
                "Registering a parametrization may not change the shape of the tensor, unless "
                "`unsafe` flag is enabled.\n"
                f"unparametrized shape: {original_shape}\n"
                f"parametrized shape: {value.shape}"
            )

    def right_inverse(self, value: Tensor) -> None:
        """`module.weight = value`: runs each `right_inverse`, last registered first, and stores
        the result in `original` (or `original0`, `original1`, ...)."""
        with no_grad():
            for module in reversed(self):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(
                        f"parametrization {type(module).__name__} does not implement right_inverse."
                    )
                value = module.right_inverse(value)
            if self.is_tensor:
                self._set_one(value)
            else:
                self._set_many(value)

    def _set_one(self, value: Any) -> None:
        if not isinstance(value, Tensor):
            raise ValueError(  # noqa: TRY004 (PyTorch raises ValueError)
                f"`right_inverse` should return a tensor. Got {type(value).__name__}"
            )
        if value.dtype != self.original.dtype:
            raise ValueError(
                f"The tensor returned by `right_inverse` has dtype {value.dtype} "
                f"while `original` has dtype {self.original.dtype}"
            )
        _maybe_set(self.original, value)

    def _set_many(self, value: Any) -> None:
        if not isinstance(value, collections.abc.Sequence):
            raise ValueError(  # noqa: TRY004 (PyTorch raises ValueError)
                f"'right_inverse' must return a sequence of tensors. Got {type(value).__name__}."
            )
        if len(value) != self.ntensors:
            raise ValueError(
                "'right_inverse' must return a sequence of tensors of length "
                f"{self.ntensors}. Got a sequence of length {len(value)}."
            )
        for i, tensor in enumerate(value):
            original_i = getattr(self, f"original{i}")
            if not isinstance(tensor, Tensor):
                raise ValueError(  # noqa: TRY004 (PyTorch raises ValueError)
                    "'right_inverse' must return a sequence of tensors or reference-type "
                    f"opaques. Got element {i} of type {type(tensor).__name__}."
                )
            if original_i.dtype != tensor.dtype:
                raise ValueError(
                    f"Tensor {i} returned by `right_inverse` has dtype {tensor.dtype} "
                    f"while `original{i}` has dtype {original_i.dtype}"
                )
            _maybe_set(original_i, tensor)

    def forward(self) -> Tensor:
        """The parametrized tensor: the first parametrization applied to the original(s), then
        each following one to the result."""
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        index = 1
        # Children are named "0", "1", ...: walk them by name until one is missing.
        while hasattr(self, str(index)):
            x = self[index](x)
            index += 1
        return x
