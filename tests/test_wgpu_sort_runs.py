"""The GPU's sort of 8-byte dtypes (int64) and what is built on sorted lanes run on the GPU
and agree with the CPU: `sort`, `topk`, `kthvalue` and `median` of int64, `mode` along a
dim, `unique` and `unique_consecutive` of whole tensors with their inverse and counts, and
`quantile` and `nanquantile` with every interpolation."""

from __future__ import annotations

import ferrograd as torch
import numpy as np
import pytest
from device_support import assert_matches, on_gpu_only, require_gpu
from sort_support import assert_picks, assert_same, int64_with_ties, with_ties_and_specials


@pytest.fixture(scope="module")
def gpu():
    return require_gpu()


def test_sort_mode_and_unique_of_float64_where_the_adapter_holds_it(gpu):
    base = with_ties_and_specials((4, 600), seed=9).to(torch.float64)
    base[0, :3] = torch.tensor([1e-300, -1e-300, 1.0 + 2**-40], dtype=torch.float64)
    try:
        on = base.to(gpu)
    except TypeError:  # an adapter without 64-bit floats (test_float64_follows_the_adapter)
        return
    for descending in (False, True):
        values, indices = on_gpu_only(lambda d=descending: on.sort(1, descending=d))
        want_values, want_indices = base.sort(1, descending=descending)
        assert_same(values, want_values)
        assert_same(indices, want_indices)
    numbers = base.nan_to_num(7.0, 1e300, -1e300)
    values, indices = on_gpu_only(lambda: numbers.to(gpu).mode(1))
    assert_picks(values, indices, numbers, 1, numbers.mode(1).values, False)
    got = on_gpu_only(lambda: torch.unique(on, return_inverse=True, return_counts=True))
    for g, w in zip(got, torch.unique(base, return_inverse=True, return_counts=True)):
        assert_same(g, w)


def test_int64_sort_topk_and_order_statistics_along_a_strided_dim(gpu):
    base = int64_with_ties((6, 5, 8), seed=2)

    def view(t):
        return t.transpose(0, 2)[::2]

    on = base.to(gpu)
    for dim in (0, 1, -1):
        values, indices = on_gpu_only(lambda d=dim: view(on).sort(d, descending=True))
        want_values, want_indices = view(base).sort(dim, descending=True)
        assert_same(values, want_values)
        assert_same(indices, want_indices)
        top, where = on_gpu_only(lambda d=dim: view(on).topk(2, d))
        assert_picks(top, where, view(base), dim, view(base).topk(2, dim).values, True)
        for op in ("median", "nanmedian"):
            values, indices = on_gpu_only(lambda d=dim, op=op: getattr(view(on), op)(d))
            want_values, _ = getattr(view(base), op)(dim)
            assert_picks(values, indices, view(base), dim, want_values, False)
        values, indices = on_gpu_only(lambda d=dim: view(on).kthvalue(2, d, True))
        assert_picks(values, indices, view(base), dim, view(base).kthvalue(2, dim, True)[0], True)
    assert_same(on_gpu_only(lambda: on.median()), base.median())


def float32_with_ties(shape, seed):
    """The sort tests' float32 levels without NaN, whose place in the CPU's (unstable) sort
    decides the CPU's runs: a NaN there can split a run of equal numbers."""
    return with_ties_and_specials(shape, seed).nan_to_num(7.0, 1e30, -1e30)


@pytest.mark.parametrize("keepdim", [False, True])
def test_mode_along_a_dim_is_the_smallest_most_frequent_value(gpu, keepdim):
    cases = [
        float32_with_ties((5, 9), seed=1),
        float32_with_ties((4, 700), seed=2),  # lanes longer than a chunk
        torch.tensor(np.random.default_rng(3).integers(-3, 3, (6, 11)).astype(np.int32)),
        int64_with_ties((7, 6), seed=4),
    ]
    for base in cases:
        on = base.to(gpu)
        for dim in (0, 1, -1):
            values, indices = on_gpu_only(lambda d=dim, b=on: b.mode(d, keepdim))
            want_values, _ = base.mode(dim, keepdim)
            assert_picks(values, indices, base, dim, want_values, keepdim)
    # A tie between runs goes to the smaller value; the index is the last one holding it.
    ties = torch.tensor([[2.0, 5.0, 2.0, 5.0, 1.0, 2.0, 5.0], [3.0, 1.0, 3.0, 1.0, 2.0, 2.0, 9.0]])
    values, indices = on_gpu_only(lambda: ties.to(gpu).mode(1))
    assert values.tolist() == [2.0, 1.0] and indices.tolist() == [5, 3]


def test_mode_with_nan_counts_each_nan_apart(gpu):
    base = torch.tensor([[np.nan, np.nan, 1.0], [np.nan, np.nan, np.nan], [0.0, -0.0, np.nan]])
    values, indices = on_gpu_only(lambda: base.to(gpu).mode(1))
    np.testing.assert_array_equal(values.cpu().numpy(), [1.0, np.nan, 0.0])
    assert indices.tolist()[:2] == [2, 0] and indices.tolist()[2] in (0, 1)


def test_mode_gradient_runs_on_the_gpu(gpu):
    base = torch.tensor(np.random.default_rng(5).integers(0, 3, (4, 9)).astype(np.float32))
    on = base.to(gpu).requires_grad_()
    on_gpu_only(lambda: on.mode(1).values.sum().backward())
    # One 1 per row, at the index the GPU picked.
    grad = on.grad.cpu()
    assert grad.sum(1).tolist() == [1.0] * 4
    _, indices = base.to(gpu).mode(1)
    assert grad.gather(1, indices.cpu().unsqueeze(1)).flatten().tolist() == [1.0] * 4


def unique_cases():
    rng = np.random.default_rng(6)
    floats = with_ties_and_specials((4, 9), seed=6)  # NaNs (each its own value), -0 and +0
    return [
        floats,
        floats.t(),  # a strided view
        torch.tensor(rng.integers(0, 10, 5000)),  # class labels, longer than a chunk
        int64_with_ties((3, 50), seed=7),
        torch.tensor(rng.integers(-4, 4, (2, 3, 5)).astype(np.int32)),
        torch.tensor([3.5]),
    ]


@pytest.mark.parametrize("case", range(6))
@pytest.mark.parametrize("op", ["unique", "unique_consecutive"])
def test_unique_with_inverse_and_counts_as_on_the_cpu(gpu, case, op):
    # unique sorts first; unique_consecutive merges neighbours only.
    base = unique_cases()[case]
    on = base.to(gpu)
    fn = getattr(torch, op)
    got = on_gpu_only(lambda: fn(on, return_inverse=True, return_counts=True))
    for g, w in zip(got, fn(base, return_inverse=True, return_counts=True)):
        assert_same(g, w)
    assert_same(on_gpu_only(lambda: fn(on)), fn(base))


def test_unique_of_labels_as_a_classifier_counts_its_classes(gpu):
    labels = torch.tensor([2, 0, 2, 1, 0, 2], device=gpu)
    classes, counts = on_gpu_only(lambda: labels.unique(return_counts=True))
    assert classes.device.type == "wgpu" and classes.tolist() == [0, 1, 2]
    assert counts.tolist() == [2, 1, 3]
    empty = torch.tensor([], dtype=torch.int64, device=gpu)
    values, inverse, counts = torch.unique(empty, return_inverse=True, return_counts=True)
    assert values.shape == (0,) and inverse.shape == (0,) and counts.shape == (0,)
    assert values.device.type == "wgpu"


INTERPOLATIONS = ["linear", "lower", "higher", "midpoint", "nearest"]
# Quantiles whose float32 value times (n - 1) lies just above an integer (0.1 and 0.3 of 10
# are 1.0000000149 and 3.0000001192): the CPU ranks in float64, so "higher" goes up there.
QS = [0.0, 0.1, 0.25, 0.3, 0.5, 0.7, 0.999, 1.0]


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
@pytest.mark.parametrize("op", ["quantile", "nanquantile"])
def test_quantiles_along_a_dim_and_of_everything(gpu, interpolation, op):
    base = torch.tensor(np.random.default_rng(8).standard_normal((6, 11)).astype(np.float32))
    base[1, 3] = float("nan")  # a lane with a NaN
    base[2, :] = float("nan")  # a lane of NaNs only
    base[3, :5] = base[3, 5]  # ties
    q = torch.tensor(QS)
    on, q_on = base.to(gpu), q.to(gpu)
    fn = getattr(torch, op)
    exact = interpolation not in ("linear", "midpoint")
    for dim, keepdim in ((1, False), (0, True), (-1, True), (None, False), (None, True)):

        def run(q, dim=dim, keepdim=keepdim):
            return lambda: fn(on, q, dim=dim, keepdim=keepdim, interpolation=interpolation)

        want = fn(base, q, dim=dim, keepdim=keepdim, interpolation=interpolation)
        assert_matches(on_gpu_only(run(q_on)), want, rtol=0 if exact else 1e-6)
        for one in (0.3, 1.0):  # a number, as most programs pass it
            want = fn(base, one, dim=dim, keepdim=keepdim, interpolation=interpolation)
            assert_matches(on_gpu_only(run(one)), want, rtol=0 if exact else 1e-6)


def test_quantiles_of_long_lanes_and_a_strided_view(gpu):
    base = torch.rand(3, 3000)
    q = torch.tensor([0.05, 0.5, 0.95])
    on = base.to(gpu)
    for interpolation in INTERPOLATIONS:
        got = on_gpu_only(lambda i=interpolation: on.t().quantile(q.to(gpu), 0, interpolation=i))
        assert_matches(got, base.t().quantile(q, 0, interpolation=interpolation), rtol=1e-6)


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
@pytest.mark.parametrize("op", ["quantile", "nanquantile"])
def test_quantile_gradients_run_on_the_gpu(gpu, interpolation, op):
    # The backward forms its ranks in float64 on the host (a GPU may have no 64-bit floats):
    # nothing falls back to the CPU, as float64 arithmetic on the GPU would.
    base = torch.tensor(np.random.default_rng(9).standard_normal((6, 11)).astype(np.float32))
    base[1, 3] = float("nan")
    base[2, :] = float("nan")
    base[3, :5] = base[3, 5]
    q = torch.tensor([0.1, 0.3, 0.7])
    fn = getattr(torch, op)
    for dim in (1, None):
        x, q_cpu = base.clone().requires_grad_(), q.clone().requires_grad_()
        x_gpu, q_gpu = base.to(gpu).requires_grad_(), q.to(gpu).requires_grad_()
        want = fn(x, q_cpu, dim=dim, interpolation=interpolation)
        got = on_gpu_only(lambda: fn(x_gpu, q_gpu, dim=dim, interpolation=interpolation))  # noqa: B023
        g = torch.rand(want.shape)
        want.backward(g)
        on_gpu_only(lambda: got.backward(g.to(gpu)))  # noqa: B023
        assert_matches(x_gpu.grad, x.grad, rtol=1e-6, atol=1e-6)
        if interpolation == "linear":  # the one whose weights depend on q
            assert_matches(q_gpu.grad, q_cpu.grad, rtol=1e-5, atol=1e-5)


# Slices along a dim: equal ones repeated, some of them next to each other.
REPEATS = [0, 0, 1, 0, 2, 2, 3, 1]


@pytest.mark.parametrize(
    "dtype", [torch.int64, torch.int32, torch.float32, torch.float16, torch.bool]
)
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("op", ["unique", "unique_consecutive"])
def test_unique_slices_along_a_dim_run_on_the_gpu(gpu, dtype, dim, op):
    slices = np.random.default_rng(10).integers(-2, 3, (4, 3, 2))[REPEATS]
    base = torch.tensor(np.moveaxis(slices, 0, dim)).to(dtype)
    if dtype.is_floating_point:
        base[(slice(None),) * (dim % 3) + (0,)] *= -0.5  # halves, and -0 where 0
    fn = getattr(torch, op)
    on = base.to(gpu)
    got = on_gpu_only(lambda: fn(on, dim=dim, return_inverse=True, return_counts=True))
    want = fn(base, dim=dim, return_inverse=True, return_counts=True)
    for g, w in zip(got, want):
        assert g.device.type == "wgpu" and g.dtype == w.dtype and torch.equal(g.cpu(), w)


def test_unique_slices_with_nan_keep_the_cpus_order(gpu):
    # NaN slices go where PyTorch's std::sort leaves them: the CPU kernel replays it.
    base = torch.tensor([[1.0, float("nan")], [0.0, 2.0], [1.0, float("nan")], [0.0, 2.0]])
    got = torch.unique(base.to(gpu), dim=0, return_inverse=True, return_counts=True)
    want = torch.unique(base, dim=0, return_inverse=True, return_counts=True)
    for g, w in zip(got, want):
        assert g.device.type == "wgpu"
        np.testing.assert_array_equal(g.cpu().numpy(), w.numpy())
