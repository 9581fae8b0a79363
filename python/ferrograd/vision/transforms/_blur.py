"""`gaussian_blur`: a separable Gaussian kernel convolved over each channel, as torchvision's
`functional.gaussian_blur`.

The image is reflect-padded by half the kernel so the output keeps its size. A PIL image goes
through a tensor and back (as torchvision does), so both give the same pixels.
"""

from __future__ import annotations

from typing import Any

from ... import Tensor, exp, float32, linspace, mm
from ...nn import functional as nnF
from . import _pil
from ._conversion import pil_to_tensor, to_pil_image
from ._tensor_core import assert_image_tensor, cast_squeeze_in, cast_squeeze_out

__all__ = ["gaussian_blur"]


def _kernel1d(kernel_size: int, sigma: float, dtype: Any) -> Tensor:
    """exp(-x^2 / (2 sigma^2)) at the integer offsets -k//2..k//2, normalised to sum 1."""
    ksize_half = (kernel_size - 1) * 0.5
    x = linspace(-ksize_half, ksize_half, steps=kernel_size, dtype=dtype)
    # exp in float64, rounded once to `dtype`: PyTorch's exp on a few elements is the correctly
    # rounded libm one, ferrograd's fast float32 exp can be an ulp off, and an ulp in the
    # kernel can flip the rounding of an integer image's pixel.
    pdf = exp((-0.5 * (x / sigma).pow(2)).double()).to(dtype)
    return pdf / pdf.sum()


def _kernel2d(kernel_size: list[int], sigma: list[float], dtype: Any) -> Tensor:
    """The outer product [ky, kx] of the y and x kernels (kernel_size and sigma are (x, y))."""
    kernel_x = _kernel1d(kernel_size[0], sigma[0], dtype)
    kernel_y = _kernel1d(kernel_size[1], sigma[1], dtype)
    return mm(kernel_y[:, None], kernel_x[None, :])


def _tensor_blur(img: Tensor, kernel_size: list[int], sigma: list[float]) -> Tensor:
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be Tensor. Got {type(img)}")
    assert_image_tensor(img)
    dtype = img.dtype if img.is_floating_point() else float32
    # Built on the CPU (it takes a float64 step) and moved to the image.
    kernel = _kernel2d(kernel_size, sigma, dtype=dtype).to(img.device)
    # One kernel per channel, applied with groups=C (a depthwise convolution).
    kernel = kernel.expand(img.shape[-3], 1, kernel.shape[0], kernel.shape[1])
    img, cast, squeeze, out_dtype = cast_squeeze_in(img, [kernel.dtype])
    padding = [kernel_size[0] // 2, kernel_size[0] // 2, kernel_size[1] // 2, kernel_size[1] // 2]
    img = nnF.pad(img, padding, mode="reflect")
    img = nnF.conv2d(img, kernel, groups=img.shape[-3])
    return cast_squeeze_out(img, cast, squeeze, out_dtype)


def _check_kernel_size(kernel_size: Any) -> list[int]:
    if not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError(
            f"kernel_size should be int or a sequence of integers. Got {type(kernel_size)}"
        )
    if isinstance(kernel_size, int):
        kernel_size = [kernel_size, kernel_size]
    if len(kernel_size) != 2:
        raise ValueError(
            f"If kernel_size is a sequence its length should be 2. Got {len(kernel_size)}"
        )
    for ksize in kernel_size:
        if ksize % 2 == 0 or ksize < 0:
            raise ValueError(
                f"kernel_size should have odd and positive integers. Got {kernel_size}"
            )
    return kernel_size


def _check_sigma(sigma: Any, kernel_size: list[int]) -> list[float]:
    if sigma is None:
        # torchvision's default, 0.3 * ((k - 1) * 0.5 - 1) + 0.8 simplified.
        sigma = [ksize * 0.15 + 0.35 for ksize in kernel_size]
    if not isinstance(sigma, (int, float, list, tuple)):
        raise TypeError(f"sigma should be either float or sequence of floats. Got {type(sigma)}")
    if isinstance(sigma, (int, float)):
        sigma = [float(sigma), float(sigma)]
    if len(sigma) == 1:
        sigma = [sigma[0], sigma[0]]
    if len(sigma) != 2:
        raise ValueError(f"If sigma is a sequence, its length should be 2. Got {len(sigma)}")
    for s in sigma:
        if s <= 0.0:
            raise ValueError(f"sigma should have positive values. Got {sigma}")
    return sigma


def gaussian_blur(img: Any, kernel_size: Any, sigma: Any = None) -> Any:
    """Blurs with a (kx, ky) Gaussian kernel (an int: square) of standard deviation `sigma`
    (a number or (sx, sy); None: 0.15 * k + 0.35), reflect-padding the borders."""
    kernel_size = _check_kernel_size(kernel_size)
    sigma = _check_sigma(sigma, kernel_size)
    if isinstance(img, Tensor):
        return _tensor_blur(img, kernel_size, sigma)
    if not _pil.is_pil_image(img):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")
    output = _tensor_blur(pil_to_tensor(img), kernel_size, sigma)
    return to_pil_image(output, mode=img.mode)
