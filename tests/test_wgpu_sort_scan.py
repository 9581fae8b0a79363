"""The GPU's ordering kernels run on the GPU and agree with the CPU: sorting along a dim
(`sort`, `argsort`, `topk`; stable, NaN greatest), scans (`cumsum`, `cumprod`, `cummax`,
`cummin`, `logcumsumexp`), order statistics (`median`, `nanmedian`, `kthvalue`), triangles
(`tril`, `triu`), and the extremes of integer tensors (so `one_hot`)."""

from __future__ import annotations

import ferrograd as torch
import numpy as np
import pytest
from device_support import assert_matches, on_gpu_only, require_gpu
from sort_support import assert_picks, assert_same, int64_with_ties, with_ties_and_specials


@pytest.fixture(scope="module")
def gpu():
    return require_gpu()


# Lane lengths: one element, shorter than a chunk of workgroup memory (1024 pairs of 4-byte
# keys, 512 of 8-byte ones), exactly one, and longer (the merge steps through global memory).
@pytest.mark.parametrize("n", [1, 7, 512, 600, 1024, 1500, 3000])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("make", [with_ties_and_specials, int64_with_ties], ids=["f32", "i64"])
def test_sort_is_stable_and_puts_nan_greatest_as_on_the_cpu(gpu, n, descending, make):
    base = make((3, n), seed=n)
    values, indices = on_gpu_only(lambda: base.to(gpu).sort(1, descending=descending))
    want_values, want_indices = base.sort(1, descending=descending)
    assert_same(values, want_values)
    assert_same(indices, want_indices)


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_sort_along_any_dim_of_a_strided_view(gpu, dim):
    base = torch.tensor(np.random.default_rng(1).integers(-5, 5, (6, 5, 8)).astype(np.float32))

    def view(t):
        return t.transpose(0, 2)[::2]  # transposed and stepped

    on = base.to(gpu)
    values, indices = on_gpu_only(lambda: view(on).sort(dim))
    want_values, want_indices = view(base).sort(dim)
    assert_same(values, want_values)
    assert_same(indices, want_indices)
    # The results keep the input's memory layout, as the CPU's (and PyTorch's) do.
    assert values.stride() == want_values.stride()
    assert_same(
        on_gpu_only(lambda: view(on).argsort(dim, descending=True)),
        view(base).argsort(dim, descending=True),
    )


def test_sort_of_int32_and_the_ends_of_its_range(gpu):
    base = torch.tensor([[5, -(2**31), 2**31 - 1, 0, -1, 5, 3]], dtype=torch.int32)
    for descending in (False, True):
        values, indices = on_gpu_only(lambda d=descending: base.to(gpu).sort(1, descending=d))
        want_values, want_indices = base.sort(1, descending=descending)
        assert_same(values, want_values)
        assert_same(indices, want_indices)


def test_sort_of_empty_and_zero_dim_tensors(gpu):
    for base in (torch.zeros(3, 0), torch.zeros(0, 4), torch.tensor(2.5)):
        values, indices = base.to(gpu).sort(-1)
        want_values, want_indices = base.sort(-1)
        assert_same(values, want_values)
        assert_same(indices, want_indices)


@pytest.mark.parametrize("largest", [True, False])
def test_topk_values_match_the_cpu_and_indices_point_at_them(gpu, largest):
    base = with_ties_and_specials((4, 300), seed=2)
    on = base.to(gpu)
    values, indices = on_gpu_only(lambda: on.topk(5, 1, largest=largest))
    want_values, _ = base.topk(5, 1, largest=largest)
    assert_same(values, want_values)
    # Ties may come out in another order than the CPU's (as on CUDA); each index must hold
    # its value, and no index may repeat.
    np.testing.assert_array_equal(base.gather(1, indices.cpu()).numpy(), want_values.numpy())
    assert all(len(set(row)) == 5 for row in indices.cpu().tolist())


def test_topk_of_a_classifiers_scores_as_in_an_accuracy_count(gpu):
    scores = torch.randn(64, 10).to(gpu)
    labels = torch.randint(0, 10, (64,)).to(gpu)

    def hits():
        _, top = scores.topk(3, 1)
        return (top == labels[:, None]).any(1).sum()

    count = on_gpu_only(hits)
    _, want = scores.cpu().topk(3, 1)
    assert count.item() == (want == labels.cpu()[:, None]).any(1).sum().item()


def test_sort_gradient_runs_on_the_gpu(gpu):
    base = torch.randn(4, 9)
    on = base.to(gpu).requires_grad_()
    weights = torch.randn(4, 9)

    def backward():
        values, _ = on.sort(1, descending=True)
        (values * weights.to(gpu)).sum().backward()

    on_gpu_only(backward)
    cpu = base.clone().requires_grad_()
    values, _ = cpu.sort(1, descending=True)
    (values * weights).sum().backward()
    assert_matches(on.grad, cpu.grad)


@pytest.mark.parametrize("op", ["median", "nanmedian"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_medians_along_a_dim_with_nan_and_ties(gpu, op, keepdim):
    base = with_ties_and_specials((5, 9), seed=6)
    base[4] = float("nan")  # a lane of NaNs only
    base[3, :4] = float("nan")  # more NaNs than numbers
    on = base.to(gpu)
    for dim in (0, 1):
        values, indices = on_gpu_only(lambda dim=dim: getattr(on, op)(dim, keepdim=keepdim))
        want_values, _ = getattr(base, op)(dim, keepdim=keepdim)
        assert_picks(values, indices, base, dim, want_values, keepdim)
    assert_same(on_gpu_only(lambda: getattr(on, op)()), getattr(base, op)())
    numbers = torch.randn(7, 6)
    assert_same(on_gpu_only(lambda: getattr(numbers.to(gpu), op)()), getattr(numbers, op)())


@pytest.mark.parametrize("dtype", [torch.float32, torch.int32])
def test_kthvalue_along_a_dim(gpu, dtype):
    base = with_ties_and_specials((4, 8), seed=7)
    if dtype == torch.int32:
        base = base.nan_to_num(0.0, 100.0, -100.0).to(dtype)
    on = base.to(gpu)
    for k, dim, keepdim in ((1, 1, False), (3, 0, True), (8, 1, True), (4, -1, False)):
        values, indices = on_gpu_only(lambda k=k, dim=dim, kd=keepdim: on.kthvalue(k, dim, kd))
        want_values, _ = base.kthvalue(k, dim, keepdim)
        assert_picks(values, indices, base, dim, want_values, keepdim)


def test_median_gradient_runs_on_the_gpu(gpu):
    base = torch.randn(4, 7)
    on = base.to(gpu).requires_grad_()
    on_gpu_only(lambda: on.median(1).values.sum().backward())
    cpu = base.clone().requires_grad_()
    cpu.median(1).values.sum().backward()
    assert_matches(on.grad, cpu.grad)


@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_running_sums_and_products_of_a_strided_view(gpu, op, dim):
    base = torch.tensor(np.random.default_rng(3).uniform(0.5, 1.5, (9, 6, 7)).astype(np.float32))

    def view(t):
        return t.transpose(0, 1)[:, ::2]

    result = on_gpu_only(lambda: getattr(view(base.to(gpu)), op)(dim))
    assert_matches(result, getattr(view(base), op)(dim), rtol=1e-5)


def test_cumsum_of_a_long_lane_and_of_nan_and_inf(gpu):
    long = torch.rand(5000)
    assert_matches(on_gpu_only(lambda: long.to(gpu).cumsum(0)), long.cumsum(0), rtol=1e-5)
    special = torch.tensor([1.0, np.inf, 2.0, -np.inf, 3.0, np.nan, 4.0])
    assert_matches(on_gpu_only(lambda: special.to(gpu).cumsum(0)), special.cumsum(0))
    assert_matches(on_gpu_only(lambda: special.to(gpu).cumprod(0)), special.cumprod(0))


def test_cumsum_of_integers_and_bools_is_int64_and_wraps(gpu):
    ints = torch.tensor([[2**31 - 1, 5, -7], [1, 2**31 - 1, 3]], dtype=torch.int32)
    flags = torch.tensor([True, False, True, True])
    big = torch.tensor([2**62, 2**62, 3, -5])
    for t, dim in ((ints, 0), (ints, 1), (flags, 0), (big, 0)):
        assert_same(on_gpu_only(lambda t=t, dim=dim: t.to(gpu).cumsum(dim)), t.cumsum(dim))
    assert_same(on_gpu_only(lambda: big.to(gpu).cumprod(0)), big.cumprod(0))
    assert_same(
        on_gpu_only(lambda: ints.to(gpu).cumsum(1, dtype=torch.float32)),
        ints.cumsum(1, dtype=torch.float32),
    )


@pytest.mark.parametrize("op", ["cummax", "cummin"])
def test_running_extremes_and_their_positions(gpu, op):
    # Ties: a later equal value takes over; a NaN takes over and holds until the next NaN.
    base = with_ties_and_specials((3, 600), seed=5)
    for dim in (0, 1):
        values, positions = on_gpu_only(lambda dim=dim: getattr(base.to(gpu), op)(dim))
        want_values, want_positions = getattr(base, op)(dim)
        assert_same(values, want_values)
        assert_same(positions, want_positions)


def test_logcumsumexp_with_infinities_and_nan(gpu):
    inf = float("inf")
    base = torch.tensor([[-inf, -inf, 0.5, inf, 2.0], [1.0, float("nan"), 3.0, -inf, 80.0]])
    assert_matches(on_gpu_only(lambda: base.to(gpu).logcumsumexp(1)), base.logcumsumexp(1))
    long = torch.randn(4, 700) * 20
    assert_matches(
        on_gpu_only(lambda: long.to(gpu).logcumsumexp(1)), long.logcumsumexp(1), rtol=1e-5
    )


def test_cumsum_gradient_runs_on_the_gpu(gpu):
    base = torch.randn(3, 8)
    on = base.to(gpu).requires_grad_()
    on_gpu_only(lambda: (on.cumsum(1) * torch.arange(8.0).to(gpu)).sum().backward())
    cpu = base.clone().requires_grad_()
    (cpu.cumsum(1) * torch.arange(8.0)).sum().backward()
    assert_matches(on.grad, cpu.grad, rtol=1e-5)


@pytest.mark.parametrize("diagonal", [-100, -2, 0, 1, 3, 100])
@pytest.mark.parametrize("op", ["tril", "triu"])
def test_triangles_of_batched_strided_matrices(gpu, op, diagonal):
    base = torch.randn(2, 5, 7)

    def view(t):
        return t.transpose(1, 2)[:, 1:]  # transposed and offset

    result = on_gpu_only(lambda: getattr(torch, op)(view(base.to(gpu)), diagonal))
    assert_same(result, getattr(torch, op)(view(base), diagonal))


@pytest.mark.parametrize("dtype", [torch.int64, torch.bool, torch.int32])
def test_triangles_of_other_dtypes_as_in_a_causal_mask(gpu, dtype):
    ones = torch.ones(6, 6, dtype=dtype)
    result = on_gpu_only(lambda: torch.triu(ones.to(gpu), diagonal=1))
    assert_same(result, torch.triu(ones, diagonal=1))


def test_triangles_in_place_write_through_a_view(gpu):
    base = torch.randn(4, 6, 6)
    on = base.to(gpu)
    on_gpu_only(lambda: on[1:3, :, 1:].tril_(1))
    base[1:3, :, 1:].tril_(1)
    assert_same(on, base)
    on_gpu_only(lambda: on.triu_(-1))
    assert_same(on, base.triu_(-1))


@pytest.mark.parametrize("dtype", [torch.int32, torch.int64])
def test_extremes_of_integer_tensors_with_their_first_positions(gpu, dtype):
    base = torch.tensor(
        [[3, -(2**31), 7, 7, 2**31 - 1], [-1, -1, 0, -(2**31), -(2**31)]], dtype=dtype
    )
    if dtype == torch.int64:
        base = base * (2**32) + 5  # values beyond 32 bits
    on = base.to(gpu)
    assert_same(on_gpu_only(lambda: on.max()), base.max())
    assert_same(on_gpu_only(lambda: on.min()), base.min())
    assert_same(on_gpu_only(lambda: on.amax(0)), base.amax(0))
    for got, want in zip(on_gpu_only(lambda: on.max(1)), base.max(1)):
        assert_same(got, want)
    for got, want in zip(on_gpu_only(lambda: on.min(1)), base.min(1)):
        assert_same(got, want)
    assert_same(on_gpu_only(lambda: on.argmin(1)), base.argmin(1))


def test_one_hot_runs_on_the_gpu(gpu):
    labels = torch.tensor([2, 0, 4, 1, 2])
    result = on_gpu_only(lambda: torch.nn.functional.one_hot(labels.to(gpu)))
    assert_same(result, torch.nn.functional.one_hot(labels))
