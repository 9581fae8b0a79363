"""The 16-bit dtypes on the GPU: casts into and out of float16, bfloat16 and int16, copies and
fills of their views, float16/bfloat16 elementwise arithmetic and reductions (computed in
float32 and rounded once), and sorts of every 1- and 2-byte dtype (sorted widened), all run
on the GPU and agree with the CPU."""

from __future__ import annotations

import ferrograd as torch
import numpy as np
import pytest
from device_support import assert_matches, on_gpu_only, require_gpu
from sort_support import assert_picks, assert_same, with_ties_and_specials


@pytest.fixture(scope="module")
def gpu():
    return require_gpu()


HALF_TYPES = [torch.float16, torch.bfloat16]
SIXTEEN_BIT = HALF_TYPES + [torch.int16]


def awkward_floats():
    """float32 values that test a narrowing: specials, float16's largest and just past it,
    ties, subnormals of both types, values whose rounding hangs on their last bits, and
    values out of int16's range."""
    rng = np.random.default_rng(0)
    values = [np.nan, np.inf, -np.inf, 0.0, -0.0, 65504.0, 65519.99, 65520.0, 70000.0]
    values += [2049.0, 2051.0, 1 + 2**-11, 1 + 3 * 2**-11, 6e-8, 3e-8, 2.98e-8, 1e-40, -1e-5]
    values += [-28.312506, 40000.0, -33000.5, 1e10, -1e30, 3.4e38]
    values += list(rng.standard_normal(300) * 100) + list(rng.standard_normal(100) * 1e-6)
    return np.array(values, np.float32)


def assert_bits_equal(gpu_result, cpu_result):
    """Equal to the CPU's value for value: NaN at NaN, -0 where the CPU has -0."""
    assert gpu_result.device.type == "wgpu" and gpu_result.dtype == cpu_result.dtype
    got, want = gpu_result.cpu().float().numpy(), cpu_result.float().numpy()
    np.testing.assert_array_equal(got, want)
    assert (np.signbit(got) == np.signbit(want)).all()


@pytest.mark.parametrize("target", SIXTEEN_BIT, ids=str)
def test_casts_into_16_bits_round_as_on_the_cpu(gpu, target):
    base = torch.tensor(awkward_floats()[:420]).reshape(21, 20)

    def view(t):
        return t.t()[::2]  # transposed and stepped: the output is written dense

    on = base.to(gpu)
    assert_bits_equal(on_gpu_only(lambda: view(on).to(target)), view(base).to(target))
    ints = torch.tensor([0, 1, -1, 2049, 70000, -(2**40) + 3, 2**62], dtype=torch.int64)
    for source in (torch.int64, torch.int32, torch.uint8, torch.bool):
        t = ints.to(source)
        assert_bits_equal(on_gpu_only(lambda t=t: t.to(gpu).to(target)), t.to(target))


@pytest.mark.parametrize("source", SIXTEEN_BIT, ids=str)
def test_casts_out_of_16_bits_are_exact(gpu, source):
    base = torch.tensor(awkward_floats()).to(source)
    on = base.to(gpu)
    for target in (torch.float32, torch.int32, torch.int64, torch.bool, torch.uint8, torch.int8):
        got = on_gpu_only(lambda target=target: on[1::3].to(target))
        want = base[1::3].to(target)
        np.testing.assert_array_equal(got.cpu().numpy(), want.numpy())
    for other in SIXTEEN_BIT:
        assert_bits_equal(on_gpu_only(lambda other=other: on.to(other)), base.to(other))


@pytest.mark.parametrize("dtype", SIXTEEN_BIT, ids=str)
def test_copies_and_fills_of_16_bit_views(gpu, dtype):
    base = torch.tensor(awkward_floats()[:60]).to(dtype).reshape(6, 10)
    on = base.to(gpu)
    assert_bits_equal(on_gpu_only(lambda: on.t().contiguous()), base.t().contiguous())
    assert_bits_equal(on_gpu_only(lambda: on.flip(1)[:, ::3].clone()), base.flip(1)[:, ::3])
    assert_bits_equal(on_gpu_only(lambda: torch.cat([on, on[:2]])), torch.cat([base, base[:2]]))
    # Writes into views share their words with elements they do not own.
    target, want = on.clone(), base.clone()
    on_gpu_only(lambda: target[:, 1::2].fill_(3))
    want[:, 1::2].fill_(3)
    on_gpu_only(lambda: target[2].copy_(on[4]))
    want[2].copy_(base[4])
    on_gpu_only(lambda: target[3:, :5].zero_())
    want[3:, :5].zero_()
    assert_bits_equal(target, want)
    mask = base.float() > 0
    got = on_gpu_only(lambda: torch.where(mask.to(gpu), on, on.flip(0)))
    assert_bits_equal(got, torch.where(mask, base, base.flip(0)))


UNARY = ["neg", "abs", "exp", "log", "sqrt", "sin", "tanh", "sigmoid", "relu", "floor", "round"]
BINARY = ["add", "sub", "mul", "div", "maximum", "pow", "atan2"]
# One unit in the last place of each type: results are float32's rounded once, so they may
# differ from the CPU's only where float32's own result sits on a rounding boundary.
ULP = {torch.float16: 2**-10, torch.bfloat16: 2**-7}


@pytest.mark.parametrize("dtype", HALF_TYPES, ids=str)
def test_half_arithmetic_runs_on_the_gpu(gpu, dtype):
    rng = np.random.default_rng(1)
    a = torch.tensor(rng.standard_normal((5, 8)).astype(np.float32) * 3).to(dtype)
    b = torch.tensor(rng.uniform(0.5, 2.0, (8,)).astype(np.float32)).to(dtype)
    a_gpu, b_gpu = a.to(gpu), b.to(gpu)
    for name in UNARY:
        fn = getattr(torch, name)
        got = on_gpu_only(lambda fn=fn: fn(a_gpu.t()))
        assert_matches(got.float(), fn(a.t()).float(), rtol=ULP[dtype], atol=1e-6)
        assert got.dtype == dtype
    for name in BINARY:
        fn = getattr(torch, name)
        got = on_gpu_only(lambda fn=fn: fn(a_gpu, b_gpu))  # b broadcast over the rows
        assert_matches(got.float(), fn(a, b).float(), rtol=ULP[dtype], atol=1e-6)
    assert_bits_equal(on_gpu_only(lambda: a_gpu * 2 + 1), a * 2 + 1)
    assert_matches(on_gpu_only(lambda: a_gpu < b_gpu), a < b)
    in_place, want = a_gpu.clone(), a.clone()
    on_gpu_only(lambda: in_place[:, ::2].mul_(b_gpu[::2]))
    want[:, ::2].mul_(b[::2])
    assert_bits_equal(in_place, want)


NARROW = [torch.float16, torch.bfloat16, torch.int16, torch.uint8, torch.int8, torch.bool]


def narrow_values(dtype, shape, seed):
    """Values of `dtype` with many ties (and NaN, infinities and both zeros for floats)."""
    if dtype.is_floating_point:
        return with_ties_and_specials(shape, seed).to(dtype)
    return torch.tensor(np.random.default_rng(seed).integers(-3, 4, shape)).to(dtype)


@pytest.mark.parametrize("dtype", NARROW, ids=str)
def test_sorts_and_uniques_of_narrow_dtypes_run_widened(gpu, dtype):
    base = narrow_values(dtype, (6, 40), seed=3)
    on = base.to(gpu)
    for descending in (False, True):
        values, indices = on_gpu_only(lambda d=descending: on.sort(1, descending=d))
        want_values, want_indices = base.sort(1, descending=descending)
        assert_bits_equal(values, want_values)
        assert_same(indices, want_indices)
    values, inverse, counts = on_gpu_only(
        lambda: torch.unique(on, return_inverse=True, return_counts=True)
    )
    want_values, want_inverse, want_counts = torch.unique(
        base, return_inverse=True, return_counts=True
    )
    assert_bits_equal(values, want_values)
    assert_same(inverse, want_inverse)
    assert_same(counts, want_counts)
    if dtype != torch.bool:
        numbers = base.nan_to_num(7.0, 9.0, -9.0) if dtype.is_floating_point else base
        values, indices = on_gpu_only(lambda: numbers.to(gpu).mode(0))
        assert values.dtype == dtype
        want = numbers.mode(0).values.float()
        assert_picks(values.float(), indices, numbers.float(), 0, want, False)


@pytest.mark.parametrize("dtype", HALF_TYPES, ids=str)
def test_reductions_of_half_types_run_in_float32(gpu, dtype):
    rng = np.random.default_rng(4)
    base = torch.tensor(rng.standard_normal((7, 30)).astype(np.float32)).to(dtype)
    on = base.to(gpu)
    for name, kwargs in (("sum", {}), ("mean", {}), ("sum", {"dim": 1}), ("mean", {"dim": 0})):
        got = on_gpu_only(lambda n=name, k=kwargs: getattr(on, n)(**k))
        want = getattr(base, name)(**kwargs)
        assert got.dtype == dtype
        assert_matches(got.float(), want.float(), rtol=ULP[dtype], atol=ULP[dtype])
    for name in ("amax", "amin"):
        got = on_gpu_only(lambda n=name: getattr(on, n)(1))
        assert_bits_equal(got, getattr(base, name)(1))
    values, indices = on_gpu_only(lambda: on.max(1))
    assert_bits_equal(values, base.max(1).values)
    assert_same(indices, base.max(1).indices)
    assert_same(on_gpu_only(lambda: on.argmin()), base.argmin())
