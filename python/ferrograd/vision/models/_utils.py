"""The model builders' shared argument handling: torchvision's `weights=`/`pretrained=` interface,
where no weights can be fetched (ferrograd never downloads), so asking for them is an error."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

M = TypeVar("M")

# The builders' keyword-only parameters, in the order torchvision's old positional API took them.
_POSITIONAL_NAMES = ("weights", "progress")


def no_weights_error(name: str) -> RuntimeError:
    """What `pretrained=True` or a weights argument gets: how to load weights saved by hand."""
    return RuntimeError(
        f"{name}: pretrained weights are not available, as ferrograd does not download them. "
        f"Build the model without weights, `model = {name}(weights=None)`, then load a "
        f"state_dict you saved yourself: `model.load_state_dict(torch.load(path))`. "
        f"A state_dict saved with torch.save from torchvision's {name} loads too: "
        f"its keys and shapes are the same."
    )


def _positional_to_keywords(name: str, args: tuple, kwargs: dict[str, Any]) -> None:
    """torchvision still accepts `weights` and `progress` by position, with a deprecation warning."""
    if len(args) > len(_POSITIONAL_NAMES):
        raise TypeError(
            f"{name}() takes at most {len(_POSITIONAL_NAMES)} positional arguments "
            f"({len(args)} given)"
        )
    given = _POSITIONAL_NAMES[: len(args)]
    listed = " and ".join(f"'{p}'" for p in given)
    warnings.warn(
        f"Using {listed} as positional parameter(s) is deprecated since 0.13 and may be removed "
        f"in the future. Please use keyword parameter(s) instead.",
        stacklevel=3,
    )
    for param, value in zip(given, args):
        if param in kwargs:
            raise TypeError(f"{name}() got multiple values for argument '{param}'")
        kwargs[param] = value


def _legacy_value(kwargs: dict[str, Any]) -> tuple[bool, Any]:
    """Whether the call uses the pre-0.13 interface, and its pretrained flag if so.

    As in torchvision: `pretrained=` alone, or a `weights` that is neither None nor a weights
    name (a bool, the `"legacy"` marker) is the old interface. `pretrained` next to an explicit
    `weights` is left in kwargs, so the model class rejects it as torchvision's does."""
    if "weights" in kwargs:
        weights = kwargs["weights"]
        if isinstance(weights, bool) or (isinstance(weights, str) and weights == "legacy"):
            return True, weights is True or weights == "legacy"
        return False, None
    if "pretrained" in kwargs:
        warnings.warn(
            "The parameter 'pretrained' is deprecated since 0.13 and may be removed in the "
            "future, please use 'weights' instead.",
            stacklevel=3,
        )
        return True, kwargs.pop("pretrained")
    return False, None


def model_builder(builder: Callable[..., M]) -> Callable[..., M]:
    """Wraps a `name(*, weights=None, progress=True, **kwargs)` builder with torchvision's legacy
    handling, and refuses every request for weights with `no_weights_error`."""
    name = builder.__name__

    @functools.wraps(builder)
    def wrapper(*args: Any, **kwargs: Any) -> M:
        if args:
            _positional_to_keywords(name, args, kwargs)
        legacy, pretrained = _legacy_value(kwargs)
        if legacy:
            if pretrained:
                raise no_weights_error(name)
            warnings.warn(
                "Arguments other than a weight enum or `None` for 'weights' are deprecated since "
                "0.13 and may be removed in the future. The current behavior is equivalent to "
                "passing `weights=None`.",
                stacklevel=2,
            )
            kwargs["weights"] = None
        if kwargs.get("weights") is not None:
            raise no_weights_error(name)
        return builder(**kwargs)

    return wrapper
