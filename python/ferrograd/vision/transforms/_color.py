"""Colour transforms: `ColorJitter` (random brightness, contrast, saturation and hue, applied
in a random order), `Grayscale` and `RandomGrayscale`."""

from __future__ import annotations

import numbers
from typing import Any

from ... import empty, rand, randperm
from ...nn import Module
from . import functional as F

__all__ = ["ColorJitter", "Grayscale", "RandomGrayscale"]


def _uniform(bounds: tuple[float, float] | None) -> float | None:
    return None if bounds is None else float(empty(1).uniform_(bounds[0], bounds[1]))


class ColorJitter(Module):
    """Each of brightness, contrast, saturation is a number j (factor drawn from
    [max(0, 1 - j), 1 + j]) or a (min, max) range; hue is h in [0, 0.5] (shift drawn from
    [-h, h]) or a range within [-0.5, 0.5]. A range that can only give "unchanged" is None."""

    def __init__(
        self, brightness: Any = 0, contrast: Any = 0, saturation: Any = 0, hue: Any = 0
    ) -> None:
        super().__init__()
        self.brightness = self._check_input(brightness, "brightness")
        self.contrast = self._check_input(contrast, "contrast")
        self.saturation = self._check_input(saturation, "saturation")
        self.hue = self._check_input(
            hue, "hue", center=0, bound=(-0.5, 0.5), clip_first_on_zero=False
        )

    @staticmethod
    def _check_input(
        value: Any,
        name: str,
        center: float = 1,
        bound: tuple[float, float] = (0, float("inf")),
        clip_first_on_zero: bool = True,
    ) -> tuple[float, float] | None:
        if isinstance(value, numbers.Number):
            if value < 0:
                raise ValueError(f"If {name} is a single number, it must be non negative.")
            value = [center - float(value), center + float(value)]
            if clip_first_on_zero:
                value[0] = max(value[0], 0.0)
        elif isinstance(value, (tuple, list)) and len(value) == 2:
            value = [float(value[0]), float(value[1])]
        else:
            raise TypeError(f"{name} should be a single number or a list/tuple with length 2.")
        if not bound[0] <= value[0] <= value[1] <= bound[1]:
            raise ValueError(f"{name} values should be between {bound}, but got {value}.")
        if value[0] == value[1] == center:
            return None
        return tuple(value)

    @staticmethod
    def get_params(
        brightness: Any, contrast: Any, saturation: Any, hue: Any
    ) -> tuple[Any, float | None, float | None, float | None, float | None]:
        """A random order of the four adjustments, then one factor per enabled adjustment."""
        fn_idx = randperm(4)
        b = _uniform(brightness)
        c = _uniform(contrast)
        s = _uniform(saturation)
        h = _uniform(hue)
        return fn_idx, b, c, s, h

    def forward(self, img: Any) -> Any:
        fn_idx, b, c, s, h = self.get_params(
            self.brightness, self.contrast, self.saturation, self.hue
        )
        for fn_id in fn_idx.tolist():
            if fn_id == 0 and b is not None:
                img = F.adjust_brightness(img, b)
            elif fn_id == 1 and c is not None:
                img = F.adjust_contrast(img, c)
            elif fn_id == 2 and s is not None:
                img = F.adjust_saturation(img, s)
            elif fn_id == 3 and h is not None:
                img = F.adjust_hue(img, h)
        return img

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}(brightness={self.brightness}, contrast={self.contrast}"
            f", saturation={self.saturation}, hue={self.hue})"
        )


class Grayscale(Module):
    """Converts to gray with 1 channel, or 3 equal channels (`num_output_channels=3`)."""

    def __init__(self, num_output_channels: int = 1) -> None:
        super().__init__()
        self.num_output_channels = num_output_channels

    def forward(self, img: Any) -> Any:
        return F.rgb_to_grayscale(img, num_output_channels=self.num_output_channels)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(num_output_channels={self.num_output_channels})"


class RandomGrayscale(Module):
    """Converts to gray with probability `p`, keeping the number of channels."""

    def __init__(self, p: float = 0.1) -> None:
        super().__init__()
        self.p = p

    def forward(self, img: Any) -> Any:
        num_output_channels, _, _ = F.get_dimensions(img)
        if bool(rand(1) < self.p):
            return F.rgb_to_grayscale(img, num_output_channels=num_output_channels)
        return img

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(p={self.p})"
