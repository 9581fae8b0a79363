"""The GPU kernels really run on the GPU (no op falls back to the CPU inside them) and agree
with the CPU: elementwise ops on strided and broadcast views and in place, copies, casts and
fills, and matrix products on every layout and batch shape."""

from __future__ import annotations

import copy

import ferrograd as torch
import numpy as np
import pytest
from device_support import assert_matches, on_gpu_only, require_gpu


@pytest.fixture(scope="module")
def gpu():
    return require_gpu()


KERNEL_UNARY = ["abs", "neg", "exp", "square", "sigmoid", "relu"]
KERNEL_UNARY += ["floor", "ceil", "trunc", "reciprocal", "sqrt"]
# Computed by shaders/math.wgsl's functions, within 3 ulps of the CPU.
KERNEL_UNARY += ["exp2", "expm1", "log", "log2", "log10", "log1p", "tanh", "sinh", "cosh"]
KERNEL_UNARY += ["sign", "round", "frac", "rsqrt"]
# shaders/trig.wgsl and erf.wgsl: argument reductions exact at any size, within 3 ulps.
TRIG = ["sin", "cos", "tan", "asin", "acos", "atan", "asinh", "acosh", "atanh", "erf", "erfc"]
KERNEL_UNARY += TRIG
# erf.wgsl's erfinv and gamma.wgsl's lgamma and digamma.
SPECIAL_FUNCTIONS = ["erfinv", "lgamma", "digamma"]
KERNEL_UNARY += SPECIAL_FUNCTIONS
KERNEL_BINARY = ["add", "sub", "mul", "div"]
SPECIALS = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-30, 1e30, -2.5, 30.0, -30.0]


def float32_values(shape, seed=0):
    """Normal values times 4, with NaN, infinities, zeros and extremes in the first row."""
    a = (np.random.default_rng(seed).standard_normal(shape) * 4).astype(np.float32)
    flat = a.reshape(-1)
    n = min(len(flat), len(SPECIALS))
    flat[:n] = SPECIALS[:n]
    return torch.tensor(a)


@pytest.mark.parametrize("name", KERNEL_UNARY)
def test_unary_kernels_run_on_the_gpu_on_strided_views(gpu, name):
    fn = getattr(torch, name)
    base = float32_values((6, 7))
    if name == "erfinv":
        base = base / 8  # mostly inside (-1, 1), where it is defined
    on_gpu = base.to(gpu)

    def view(t):
        return t.t()[1:, ::2]  # transposed, offset and stepped

    result = on_gpu_only(lambda: fn(view(on_gpu)))
    assert_matches(result, fn(view(base)))


def test_math_functions_are_accurate_across_the_float_range(gpu):
    # Where WGSL's own functions lose digits: near 1 for log, near 0 for tanh and log1p, large
    # arguments for exp; and the ends of the range (overflow, subnormal results).
    rng = np.random.default_rng(3)
    values = np.concatenate(
        [
            np.exp(rng.uniform(-100, 88, 400)) * rng.choice([-1, 1], 400),
            1 + rng.standard_normal(200) * 1e-3,
            rng.standard_normal(200) * 1e-4,
            [88.7, 89.0, -103.0, -87.0, 127.9, -149.0, 8.0, 1000.0, 0.5, 1e-40, -1e-40],
            # Near multiples of pi/2 (where sin, cos and tan need the reduction's every bit),
            # the inverse functions' domain, erf's intervals, the largest floats.
            np.arange(-300, 300) * np.pi / 2 + rng.standard_normal(600) * 1e-3,
            rng.uniform(-1.1, 1.1, 300),
            rng.uniform(-11, 11, 300),
            [0.7853982, 0.7071068, 0.41421357, 2.4142137, 4096.5, 3.4e38, -3.4e38, 1.0, -1.0],
        ]
    ).astype(np.float32)
    x = torch.tensor(values)
    x_gpu = x.to(gpu)
    exps = ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "tanh", "sinh", "cosh"]
    for name in exps + TRIG:
        fn = getattr(torch, name)
        expected = fn(x)
        tiny = expected.abs() < 1e-37  # subnormal results may be flushed to zero on a GPU
        result = on_gpu_only(lambda: fn(x_gpu)).cpu()  # noqa: B023
        np.testing.assert_allclose(
            result[~tiny].numpy(), expected[~tiny].numpy(), rtol=4e-7, equal_nan=True, err_msg=name
        )
        assert (result[tiny].abs() < 1e-37).all()


# lgamma's zeros (|Gamma(x)| = 1) and digamma's: 1, 2 and 1.4616 for x > 0, and one or two
# between each pair of poles below 0.
LGAMMA_ZEROS = [1.0, 2.0, -2.4570247, -2.7476826, -3.1435809, -3.9552943, -4.0393618, -4.9915446]
LGAMMA_ZEROS += [-5.0082182, -5.9986075, -6.0013853, -6.9998015]
DIGAMMA_ZEROS = [1.4616321, -0.50408301, -1.5734985, -2.6107209, -3.6352934, -4.6532378]


def test_special_functions_are_accurate_across_the_float_range(gpu):
    rng = np.random.default_rng(5)
    # erfinv: (-1, 1) uniformly, up to the floats next to +-1 (1 - 2^-24 = 1 - e^-16.6), and
    # tiny arguments, down to subnormal ones.
    near_one = (1 - np.exp(rng.uniform(-16.6, 0, 300))) * rng.choice([-1, 1], 300)
    erfinv_values = [rng.uniform(-1, 1, 600), near_one, np.exp(rng.uniform(-100, 0, 300))]
    erfinv_values.append([1 - 2**-24, -1 + 2**-24, 0.5, 0.9966, 1e-40, -1e-40])
    # lgamma and digamma: the whole float range (lgamma overflows from 4.1e36 on), uniformly
    # across the poles, next to the poles, and next to the zeros, to within a few ulps.
    poles = -np.arange(30.0)[:, None]
    next_to_poles = poles + np.exp(rng.uniform(-15, -1, (30, 20))) * rng.choice([-1, 1], (30, 20))
    zeros = np.array(LGAMMA_ZEROS + DIGAMMA_ZEROS, dtype=np.float32)[:, None]
    next_to_zeros = zeros * (1 + rng.uniform(-1e-3, 1e-3, (len(zeros), 30)))
    within_ulps = zeros * (1 + rng.integers(-40, 40, (len(zeros), 30)) * 2.0**-24)
    gamma_values = [np.exp(rng.uniform(-100, 88, 600)), rng.uniform(-30, 30, 600)]
    gamma_values += [next_to_poles.ravel(), next_to_zeros.ravel(), within_ulps.ravel()]
    gamma_values.append([0.5, 1.5, 2.5, 3.0, 8.0, 4e36, 4.2e36, 3.4e38, -2.5, -1e6 - 0.5, 1e-40])
    # Below 0, lgamma and digamma reflect: lgamma(x) = ln(pi / |x sin(pi x)|) - lgamma(-x) and
    # digamma(x) = digamma(1 - x) - pi cot(pi x). The terms cancel near the negative zeros, where
    # no float32 algorithm keeps the result's relative accuracy (the CPU's float32 lgamma does
    # not either): there the tolerance is an absolute one, relative to the terms. Everywhere
    # else, and at the zeros above 0, it is relative to the result.
    reflected = {"lgamma": lambda x: torch.lgamma(-x), "digamma": lambda x: torch.digamma(1 - x)}
    inputs = {"erfinv": erfinv_values, "lgamma": gamma_values, "digamma": gamma_values}
    for name, values in inputs.items():
        x = torch.tensor(np.concatenate(values).astype(np.float32))
        fn = getattr(torch, name)
        expected = fn(x).numpy()
        result = on_gpu_only(lambda: fn(x.to(gpu))).cpu().numpy()  # noqa: B023
        scale = np.abs(expected)
        if name in reflected:
            negative = x.numpy() < 0
            terms = np.abs(reflected[name](x[negative]).numpy())
            scale[negative] = np.maximum(scale[negative], 1 + terms)
        finite = np.isfinite(expected)
        np.testing.assert_array_equal(result[~finite], expected[~finite], err_msg=name)
        tiny = np.abs(expected) < 1e-37  # subnormal results may be flushed to zero on a GPU
        assert (np.abs(result[tiny]) < 1e-37).all()
        rest = finite & ~tiny
        args, result, expected = x.numpy()[rest], result[rest], expected[rest]
        bad = ~(np.abs(result - expected) <= 4e-7 * scale[rest])
        assert not bad.any(), f"{name}({args[bad]}) = {result[bad]}, not {expected[bad]}"


def test_special_functions_give_the_special_values_on_the_gpu(gpu):
    inf, nan = np.inf, np.nan
    cases = {
        # +-inf at +-1, NaN outside [-1, 1], signed zeros kept.
        "erfinv": [(1, inf), (-1, -inf), (0.0, 0.0), (-0.0, -0.0), (1 + 2**-23, nan), (-2, nan)],
        # +inf at the poles (every float below -2^23 is one), at both infinities and from 4.1e36
        # on (overflow); +0 at the zeros 1 and 2.
        "lgamma": [(0.0, inf), (-0.0, inf), (-1, inf), (-8388608.0, inf), (-3e38, inf), (1, 0.0)],
        # -inf at +0, +inf at -0, NaN at the poles below 0 and at -inf.
        "digamma": [(0.0, -inf), (-0.0, inf), (-1, nan), (-8388608.0, nan), (-inf, nan)],
    }
    cases["erfinv"] += [(inf, nan), (-inf, nan), (nan, nan)]
    cases["lgamma"] += [(2, 0.0), (inf, inf), (-inf, inf), (nan, nan), (5e36, inf), (3.4e38, inf)]
    cases["digamma"] += [(inf, inf), (nan, nan), (-3e38, nan)]
    for name, pairs in cases.items():
        x, want = (np.array(v, dtype=np.float32) for v in zip(*pairs))
        fn = getattr(torch, name)
        got = on_gpu_only(lambda: fn(torch.tensor(x).to(gpu))).cpu().numpy()  # noqa: B023
        np.testing.assert_array_equal(got, want, err_msg=name)
        signed = ~np.isnan(want)
        np.testing.assert_array_equal(np.signbit(got[signed]), np.signbit(want[signed]), name)
        np.testing.assert_array_equal(fn(torch.tensor(x)).numpy(), want, err_msg=name)


@pytest.mark.parametrize("name", ["erfinv", "lgamma"])
def test_special_function_gradients_run_on_the_gpu(gpu, name):
    # erfinv's gradient is sqrt(pi)/2 e^(erfinv(x)^2) and lgamma's is digamma(x), both from
    # kernels. (digamma's own, polygamma of order 1, is not implemented on either device.)
    rng = np.random.default_rng(6)
    low, high = (-0.99, 0.99) if name == "erfinv" else (-6.0, 12.0)
    values = torch.tensor(rng.uniform(low, high, (4, 25)).astype(np.float32))
    weights = torch.tensor(rng.uniform(-1, 1, (4, 25)).astype(np.float32))
    assert_weighted_backward_matches(gpu, getattr(torch, name), values, weights, 1e-6, 1e-5)


def assert_weighted_backward_matches(gpu, fn, values, weights, rtol, grad_rtol):
    """fn(x) and the gradient of (fn(x) * weights).sum() run on the GPU with no op on the
    CPU, and agree with the CPU's."""
    x_cpu, x_gpu = values.clone().requires_grad_(), values.to(gpu).requires_grad_()
    w_gpu = weights.to(gpu)

    def forward_backward(x, w):
        y = fn(x)
        (y * w).sum().backward()
        return y

    got = on_gpu_only(lambda: forward_backward(x_gpu, w_gpu))
    want = forward_backward(x_cpu, weights)
    assert_matches(got.detach(), want.detach(), rtol=rtol, atol=1e-6)
    assert_matches(x_gpu.grad, x_cpu.grad, rtol=grad_rtol, atol=1e-6)


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit"])
def test_classifications_write_bools_on_the_gpu(gpu, name):
    fn = getattr(torch, name)
    base = float32_values((5, 3))
    assert_matches(on_gpu_only(lambda: fn(base.to(gpu).t())), fn(base.t()))


@pytest.mark.parametrize("name", KERNEL_BINARY)
def test_binary_kernels_broadcast_and_write_in_place_on_the_gpu(gpu, name):
    fn = getattr(torch, name)
    a, b = float32_values((4, 1, 3), 1), float32_values((3, 5), 2)
    a_gpu, b_gpu = a.to(gpu), b.to(gpu)
    result = on_gpu_only(lambda: fn(a_gpu, b_gpu.t()[:, ::1]))
    assert_matches(result, fn(a, b.t()))
    for other in (2.5, torch.tensor(-1.5)):  # a Python number, a 0-dim CPU tensor
        assert_matches(on_gpu_only(lambda: fn(a_gpu, other)), fn(a, other))  # noqa: B023
    target, cpu_target = a.expand(4, 2, 3).clone(), a.expand(4, 2, 3).clone()
    on_gpu = target.to(gpu)
    on_gpu_only(lambda: getattr(on_gpu[:, 1], name + "_")(b_gpu[:3, 0]))
    getattr(cpu_target[:, 1], name + "_")(b[:3, 0])
    assert_matches(on_gpu, cpu_target)


# Dense runs of 32-bit elements from a multiple of 4 are read and written in vec4s; others an
# element at a time. Each op on both sides of that line, as views of one buffer.
QUAD_VIEWS = {
    "aligned": lambda t: t[4:36],
    "starts 1 in": lambda t: t[1:33],
    "not a multiple of 4": lambda t: t[4:35],
}
QUAD_OPS = {
    "add": lambda a, b: a + b,
    "exp": lambda a, b: a.exp(),
    "where": lambda a, b: torch.where(a > 0, a, b),
    "to int32": lambda a, b: (a * 10).int(),
    "int32 mul": lambda a, b: (a * 10).int() * (b * 10).int(),
    "copy": lambda a, b: a.clone(),
}


@pytest.mark.parametrize("op", QUAD_OPS, ids=list(QUAD_OPS))
@pytest.mark.parametrize("view", QUAD_VIEWS, ids=list(QUAD_VIEWS))
def test_dense_ops_in_vec4s_and_not(gpu, op, view):
    a, b = float32_values((40,), 1), float32_values((40,), 2)
    a_gpu, b_gpu = a.to(gpu), b.to(gpu)
    cut, fn = QUAD_VIEWS[view], QUAD_OPS[op]
    assert_matches(on_gpu_only(lambda: fn(cut(a_gpu), cut(b_gpu))), fn(cut(a), cut(b)))
    # In place: each element reads back its own, the rest of the buffer stays.
    on_gpu_only(lambda: cut(a_gpu).mul_(cut(b_gpu)))
    cut(a).mul_(cut(b))
    assert_matches(a_gpu, a)


MORE_BINARY = ["pow", "maximum", "minimum", "fmax", "fmin", "copysign", "xlogy"]
# atan2 and hypot within 2 ulps; fmod exact (long division), and remainder and floor_divide
# from it in the CPU's order of operations.
MORE_BINARY += ["atan2", "hypot", "fmod", "remainder", "floor_divide"]


@pytest.mark.parametrize("name", MORE_BINARY)
def test_more_binary_kernels_follow_the_cpus_special_values(gpu, name):
    fn = getattr(torch, name)
    # Every pair of special values (NaN, infinities, signed zeros, integers odd and even,
    # halves, a fraction above an odd integer), then random bases against integer and
    # fractional exponents.
    specials = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 2.0, -3.0, 0.5, -2.5, 65.0]
    specials += [1e30, -7e-30, 3.75]
    pairs = np.array([(p, q) for p in specials for q in specials], dtype=np.float32)
    rng = np.random.default_rng(4)
    bases = np.abs(rng.standard_normal(200)) * 3 * rng.choice([-1, 1], 200)
    powers = np.where(
        np.arange(200) % 2 == 0,
        np.round(rng.standard_normal(200) * 5),
        rng.standard_normal(200) * 2,
    )
    both = np.concatenate([pairs, np.stack([bases, powers], 1).astype(np.float32)])
    x, y = torch.tensor(both[:, 0]), torch.tensor(both[:, 1])
    result = on_gpu_only(lambda: fn(x.to(gpu), y.to(gpu)))
    # pow: its general case is exp(y ln x), whose error grows as |y ln x| 2^-24.
    assert_matches(result, fn(x, y), rtol=2e-6 if name == "pow" else 1e-6)
    expected = fn(x, y)
    zeros = expected == 0
    assert torch.equal(result.cpu()[zeros].signbit(), expected[zeros].signbit())


@pytest.mark.parametrize("name", ["maximum", "minimum", "fmax", "fmin"])
def test_extremes_of_two_compare_subnormals_and_keep_y_of_equal_zeros(gpu, name):
    # Compared as bits: a GPU that flushes subnormals would take 1e-40 for 0.
    x = torch.tensor([1e-40, -1e-40, 0.0, -0.0, 0.0, 1e-40, np.nan, 2e-45])
    y = torch.tensor([0.0, -0.0, -0.0, 0.0, 0.0, -1e-40, 1e-40, np.nan])
    fn = getattr(torch, name)
    got, want = on_gpu_only(lambda: fn(x.to(gpu), y.to(gpu))).cpu(), fn(x, y)
    assert got.numpy().tobytes() == want.numpy().tobytes()


@pytest.mark.parametrize("alpha", [-0.25, 3])
def test_add_and_sub_scale_by_alpha_on_the_gpu(gpu, alpha):
    a, b = float32_values((4, 3), 1), float32_values((4, 3), 2)
    for fn in (torch.add, torch.sub):
        result = on_gpu_only(lambda: fn(a.to(gpu), b.to(gpu), alpha=alpha))  # noqa: B023
        assert_matches(result, fn(a, b, alpha=alpha))
    step, cpu_step = a.clone().to(gpu), a.clone()
    on_gpu_only(lambda: step.add_(b.to(gpu), alpha=alpha))
    assert_matches(step, cpu_step.add_(b, alpha=alpha))


INT_BINARY = ["add", "sub", "mul", "maximum", "minimum", "bitwise_and", "bitwise_or"]
INT_BINARY += ["bitwise_xor", "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_xor"]


def integers(dtype, shape, seed):
    """Random integers that make products wrap around, as on the CPU; for int64 they also
    carry across the 32-bit words the GPU computes with, and include the words' edges."""
    rng = np.random.default_rng(seed)
    if dtype == torch.int32:
        return torch.tensor(rng.integers(-70000, 70000, shape), dtype=dtype)
    values = rng.integers(-(2**40), 2**40, shape)
    edges = [0, -1, 2**32 - 1, 2**32, -(2**32), 2**31, -(2**63), 2**63 - 1]
    values.reshape(-1)[: len(edges)] = edges[: values.size]
    return torch.tensor(values, dtype=dtype)


@pytest.mark.parametrize("dtype", [torch.int32, torch.int64], ids=["int32", "int64"])
@pytest.mark.parametrize("name", INT_BINARY)
def test_integer_and_bool_binary_kernels(gpu, name, dtype):
    fn = getattr(torch, name)
    a, b = integers(dtype, (3, 1, 6), 5), integers(dtype, (4, 6), 6)
    a[0, 0, :2] = 0
    b[1] = a[1, 0]  # equal values
    assert_matches(on_gpu_only(lambda: fn(a.to(gpu), b.to(gpu).t().t())), fn(a, b))
    if name in ("add", "sub"):
        result = on_gpu_only(lambda: fn(a.to(gpu), b.to(gpu), alpha=-3))
        assert_matches(result, fn(a, b, alpha=-3))
    if name != "sub" and dtype == torch.int32:  # bool subtraction is refused, as in PyTorch
        p, q = a > 0, b % 3 == 0
        assert_matches(on_gpu_only(lambda: fn(p.to(gpu), q.to(gpu))), fn(p, q))


INT_DIVISION = {
    "floor_divide": torch.floor_divide,
    "remainder": torch.remainder,
    "fmod": torch.fmod,
    "div-trunc": lambda a, b: torch.div(a, b, rounding_mode="trunc"),
    "div-floor": lambda a, b: torch.div(a, b, rounding_mode="floor"),
}


@pytest.mark.parametrize("dtype", [torch.int32, torch.int64], ids=["int32", "int64"])
@pytest.mark.parametrize("name", INT_DIVISION)
def test_integer_division_runs_on_the_gpu_and_refuses_a_zero_divisor(gpu, name, dtype):
    fn = INT_DIVISION[name]
    a, b = integers(dtype, (3, 1, 6), 8), integers(dtype, (4, 6), 9)
    b[b == 0] = 7
    info = torch.iinfo(dtype)
    a[0, 0, :4] = torch.tensor([info.min, info.min, info.max, -7])
    b[0, :4] = torch.tensor([-1, 3, -2, 2])  # the minimum over -1 wraps, as on the CPU
    b[1, :3] = torch.tensor([1, -1, info.min])
    assert_matches(on_gpu_only(lambda: fn(a.to(gpu), b.to(gpu))), fn(a, b))
    assert_matches(on_gpu_only(lambda: fn(a.to(gpu), -5)), fn(a, -5))
    b[2, 3] = 0
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        on_gpu_only(lambda: fn(a.to(gpu), b.to(gpu)))
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        fn(a.to(gpu), 0)


def test_one_byte_views_are_written_on_the_gpu(gpu):
    # A view shares its words with bytes it does not own: each is written alone, atomically.
    x = float32_values((5, 6), 4).nan_to_num(0.0, 1e3, -1e3) * 100
    for make in (
        lambda t, d: t.__setitem__((slice(None), slice(1, None, 2)), x.to(d)[:, 1::2] > 0),
        lambda t, d: t[1:4, 2:5].fill_(1),
        lambda t, d: t.t()[2].copy_(torch.arange(-3, 2).to(d)),
        lambda t, d: t[::2, ::3].copy_(x.to(d)[::2, ::3]),
    ):
        for dtype in (torch.bool, torch.uint8, torch.int8):
            cpu = torch.zeros(5, 6, dtype=dtype)
            make(cpu, "cpu")
            on = torch.zeros(5, 6, dtype=dtype).to(gpu)
            on_gpu_only(lambda: make(on, gpu))  # noqa: B023
            assert on.cpu().tolist() == cpu.tolist()


INT_UNARY = ["abs", "neg", "sign", "square", "relu", "bitwise_not", "logical_not", "signbit"]
INT_UNARY += ["floor", "round"]


@pytest.mark.parametrize("dtype", [torch.int32, torch.int64], ids=["int32", "int64"])
@pytest.mark.parametrize("name", INT_UNARY)
def test_integer_unary_kernels(gpu, name, dtype):
    fn = getattr(torch, name)
    a = integers(dtype, (5, 4), 7)
    assert_matches(on_gpu_only(lambda: fn(a.to(gpu)[:, ::2])), fn(a[:, ::2]))


def test_a_classifiers_accuracy_counts_on_the_gpu(gpu):
    # The tutorials' `(pred.argmax(1) == y).sum().item()`: int64 positions against int64
    # labels, the hits summed into an int64.
    scores = float32_values((6, 4)).nan_to_num(0.0, 1.0, -1.0)
    labels = torch.tensor([0, 1, 2, 3, 0, 1])
    hits = on_gpu_only(lambda: scores.to(gpu).argmax(1) == labels.to(gpu))
    assert_matches(hits, scores.argmax(1) == labels)
    count = on_gpu_only(lambda: hits.sum())
    assert count.dtype == torch.int64 and count.item() == (scores.argmax(1) == labels).sum().item()


@pytest.mark.parametrize("dtype", [torch.bool, torch.uint8, torch.int32, torch.int64])
@pytest.mark.parametrize("dims", [None, 0, (1, 2)], ids=["all", "dim0", "dims12"])
def test_integer_and_bool_sums_run_on_the_gpu_into_int64(gpu, dtype, dims):
    if dtype == torch.bool:
        values = float32_values((5, 3, 40)) > 0
    elif dtype == torch.uint8:
        values = (float32_values((5, 3, 40)).nan_to_num(0.0).abs() * 20).to(torch.uint8)
    else:
        values = integers(dtype, (5, 3, 40), 8) // 1024  # sums that carry but do not wrap
    view = values.transpose(0, 1)  # read through its strides
    result = on_gpu_only(lambda: view.to(gpu).sum(dims) if dims is not None else view.to(gpu).sum())
    expected = view.sum(dims) if dims is not None else view.sum()
    assert result.dtype == torch.int64 and torch.equal(result.cpu(), expected)


def test_logical_ops_count_nan_as_true_on_the_gpu(gpu):
    x = torch.tensor([np.nan, 0.0, -0.0, 2.0, np.inf])
    y = torch.tensor([1.0, np.nan, 0.0, 0.0, -np.inf])
    for fn in (torch.logical_and, torch.logical_or, torch.logical_xor):
        assert_matches(on_gpu_only(lambda: fn(x.to(gpu), y.to(gpu))), fn(x, y))  # noqa: B023
    assert_matches(on_gpu_only(lambda: torch.logical_not(x.to(gpu))), torch.logical_not(x))
    flags = torch.tensor([True, False, True])
    assert_matches(on_gpu_only(lambda: torch.logical_not(flags.to(gpu))), torch.logical_not(flags))


@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge"])
def test_comparisons_write_bools_on_the_gpu(gpu, name):
    fn = getattr(torch, name)
    # NaN against numbers and NaN, infinities, equal values; odd sizes leave a partial word.
    a, b = float32_values((3, 1, 5), 1), float32_values((4, 5), 2)
    b[0] = a[0, 0]
    for x, y in ((a, b), (a, 0.0), (b.t(), b.t()), (a[:, :, :3], torch.tensor(np.nan))):
        x_gpu = x.to(gpu)
        y_gpu = y.to(gpu) if isinstance(y, torch.Tensor) and y.ndim else y
        assert_matches(on_gpu_only(lambda: fn(x_gpu, y_gpu)), fn(x, y))  # noqa: B023


TERNARY = {
    "addcmul": lambda a, b, c: torch.addcmul(a, b, c, value=-0.5),
    "addcdiv": lambda a, b, c: torch.addcdiv(a, b, c, value=2.0),
    "lerp": lambda a, b, c: torch.lerp(a, b, c),
    "where": lambda a, b, c: torch.where(a > 0, b, c),
}


@pytest.mark.parametrize("name", TERNARY)
def test_ternary_kernels_broadcast_and_write_in_place_on_the_gpu(gpu, name):
    fn = TERNARY[name]
    a, b, c = float32_values((4, 1, 3), 1), float32_values((3, 5), 2).t(), float32_values((3,), 3)
    c = c.clamp(-1.5, 1.5) if name == "lerp" else c  # weights near both ends
    a_gpu, b_gpu, c_gpu = a.to(gpu), b.to(gpu), c.to(gpu)
    if name == "where":
        cond = a_gpu > 0  # computed on the GPU or not, where itself must not fall back
        assert_matches(on_gpu_only(lambda: torch.where(cond, b_gpu, c_gpu)), fn(a, b, c))
        return
    assert_matches(on_gpu_only(lambda: fn(a_gpu, b_gpu, c_gpu)), fn(a, b, c), rtol=1e-6)
    target, cpu_target = a.expand(4, 5, 3).clone(), a.expand(4, 5, 3).clone()
    on_gpu = target.to(gpu)
    on_gpu_only(lambda: getattr(on_gpu, name + "_")(b_gpu, c_gpu))
    getattr(cpu_target, name + "_")(b, c)
    assert_matches(on_gpu, cpu_target, rtol=1e-6)


VIEWS = {
    "transposed": lambda t: t.transpose(0, 2),
    "stepped": lambda t: t[::2, 1:, ::3],
    "expanded": lambda t: t[:, :1].expand(4, 5, 6),
    "flipped": lambda t: t.flip(0, 2),
    "permuted": lambda t: t.permute(2, 0, 1),
}


@pytest.mark.parametrize("view", VIEWS, ids=list(VIEWS))
@pytest.mark.parametrize("dtype", ["float32", "int32", "int64"])
def test_copies_run_on_the_gpu_for_every_layout(gpu, view, dtype):
    dtype = getattr(torch, dtype)  # (a copy moves bits: int64 stands for every 8-byte dtype)
    base = (float32_values((4, 5, 6)).nan_to_num() * 1000).to(dtype)
    on_gpu = base.to(gpu)
    make = VIEWS[view]
    for op in (
        lambda t: make(t).contiguous(),
        lambda t: make(t).clone(),
        lambda t: torch.cat([make(t), make(t)], 1),
        lambda t: torch.stack([make(t), make(t)[..., :1].expand_as(make(t))]),
    ):
        assert_matches(on_gpu_only(lambda: op(on_gpu)), op(base))  # noqa: B023
    target, cpu_target = torch.zeros(4, 5, 6, dtype=dtype), torch.zeros(4, 5, 6, dtype=dtype)
    target = target.to(gpu)
    on_gpu_only(lambda: target[1:3].copy_(on_gpu[:2].flip(1)))
    cpu_target[1:3].copy_(base[:2].flip(1))
    assert_matches(target, cpu_target)


CASTS = [
    ("float32", "int32"),
    ("int32", "float32"),
    ("bool", "float32"),
    ("bool", "int32"),
    ("uint8", "float32"),
    ("int8", "float32"),
    ("int8", "int32"),
    ("float32", "bool"),
    ("int32", "bool"),
    ("uint8", "bool"),
    ("bool", "uint8"),
]


@pytest.mark.parametrize("source, target", CASTS, ids=[f"{a}-{b}" for a, b in CASTS])
def test_casts_run_on_the_gpu_with_the_cpus_semantics(gpu, source, target):
    values = float32_values((5, 7)) * 40  # NaN, infinities and values out of int8's range
    if source != "float32":
        values = values.nan_to_num(0.0, 100.0, -100.0)
    base = values.to(getattr(torch, source))
    on_gpu = base.to(gpu)
    to = getattr(torch, target)
    result = on_gpu_only(lambda: on_gpu.t()[::2].to(to))
    assert_matches(result, base.t()[::2].to(to))


@pytest.mark.parametrize("dtype", ["float32", "int32", "int64"])
def test_fills_run_on_the_gpu(gpu, dtype):
    dtype = getattr(torch, dtype)
    value = -7 if dtype != torch.float32 else 2.5
    full = on_gpu_only(lambda: torch.full((3, 4), value, dtype=dtype, device=gpu))
    assert_matches(full, torch.full((3, 4), value, dtype=dtype))
    ones = on_gpu_only(lambda: torch.ones(5, dtype=dtype, device=gpu))
    assert_matches(ones, torch.ones(5, dtype=dtype))
    target = torch.arange(12, dtype=dtype).reshape(3, 4)
    on_gpu = target.to(gpu)
    on_gpu_only(lambda: on_gpu[:, 1::2].fill_(value))
    on_gpu_only(lambda: on_gpu[2].zero_())
    target[:, 1::2].fill_(value)
    target[2].zero_()
    assert_matches(on_gpu, target)


MATMULS = {
    "tiny": ((5, 7), (7, 3)),
    "ragged tiles": ((130, 300), (300, 257)),
    "batched": ((4, 33, 17), (4, 17, 9)),
    "broadcast batch": ((2, 1, 33, 17), (3, 17, 9)),
    "matrix times batch": ((19, 6), (3, 6, 21)),
    "vector": ((9,), (9, 4)),
    "empty rows": ((0, 5), (5, 3)),
    "empty inner": ((4, 0), (0, 3)),
    # Row-major with k and n multiples of 4: both operands read in vec4s.
    "aligned, ragged tiles": ((130, 24), (24, 260)),
    "aligned, batched and broadcast": ((2, 1, 64, 36), (3, 36, 132)),
}


def test_matmul_of_views_aligned_to_4_elements_and_not(gpu):
    rng = np.random.default_rng(8)
    big_a = torch.tensor(rng.standard_normal((3, 40, 72)).astype(np.float32))
    big_b = torch.tensor(rng.standard_normal((3, 72, 36)).astype(np.float32))
    views = [
        # Starts 4 elements in, rows of 72 and 36: read in vec4s.
        lambda a, b: (a[:, :, 4:68], b[:, 4:68, 4:]),
        # Starts 1 and 109 elements in: read one element at a time.
        lambda a, b: (a[:, :, 1:65], b[:, 3:67, 1:33]),
        # Stepped columns: one element at a time.
        lambda a, b: (a[:, :, ::2], b[:, :36, ::2]),
    ]
    on_a, on_b = big_a.to(gpu), big_b.to(gpu)
    for view in views:
        got = on_gpu_only(lambda view=view: torch.matmul(*view(on_a, on_b)))
        assert_matches(got, torch.matmul(*view(big_a, big_b)), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("case", MATMULS, ids=list(MATMULS))
@pytest.mark.parametrize("layout", ["row-major", "transposed"])
def test_matmul_runs_on_the_gpu(gpu, case, layout):
    rng = np.random.default_rng(3)
    a_shape, b_shape = MATMULS[case]

    def make(shape):
        if layout == "transposed" and len(shape) >= 2:
            flipped = (*shape[:-2], shape[-1], shape[-2])
            return torch.tensor(rng.standard_normal(flipped).astype(np.float32)).transpose(-1, -2)
        return torch.tensor(rng.standard_normal(shape).astype(np.float32))

    a, b = make(a_shape), make(b_shape)
    a_gpu, b_gpu = a.to(gpu), b.to(gpu)
    result = on_gpu_only(lambda: a_gpu @ b_gpu)
    assert_matches(result, a @ b, rtol=1e-4, atol=1e-4)


def test_addmm_and_linear_scale_and_add_on_the_gpu(gpu):
    rng = np.random.default_rng(4)
    x, w, bias, c = (
        torch.tensor(rng.standard_normal(s).astype(np.float32))
        for s in ((6, 20), (9, 20), (9,), (6, 9))
    )
    g = [t.to(gpu) for t in (x, w, bias, c)]
    result = on_gpu_only(lambda: torch.addmm(g[3], g[0], g[1].t(), beta=0.5, alpha=2.0))
    assert_matches(result, torch.addmm(c, x, w.t(), beta=0.5, alpha=2.0), rtol=1e-4, atol=1e-4)
    result = on_gpu_only(lambda: torch.nn.functional.linear(g[0], g[1], g[2]))
    assert_matches(result, torch.nn.functional.linear(x, w, bias), rtol=1e-4, atol=1e-4)
    both = g[0][:, :9]
    assert_matches(on_gpu_only(lambda: both @ both.t()), x[:, :9] @ x[:, :9].t(), 1e-4, 1e-4)


# Few output tiles over a long k: the k range is split in parts, summed by a second kernel.
SPLIT_MATMULS = {
    "one tile": ((6, 1100), (1100, 5)),
    "one tile, aligned": ((8, 1028), (1028, 12)),
    "batched": ((3, 5, 700), (3, 700, 6)),
    "k not a multiple of a part": ((2, 1037), (1037, 3)),
}


@pytest.mark.parametrize("case", SPLIT_MATMULS, ids=list(SPLIT_MATMULS))
def test_matmul_with_a_long_k_split_in_parts(gpu, case):
    rng = np.random.default_rng(5)
    a, b = (torch.tensor(rng.standard_normal(s).astype(np.float32)) for s in SPLIT_MATMULS[case])
    result = on_gpu_only(lambda: a.to(gpu) @ b.to(gpu))
    # Sums of a thousand products: rounding differences grow with k.
    assert_matches(result, a @ b, rtol=1e-4, atol=1e-3)


def test_addmm_split_in_parts_scales_and_adds_once(gpu):
    rng = np.random.default_rng(6)
    c, x, w = (
        torch.tensor(rng.standard_normal(s).astype(np.float32))
        for s in ((6, 9), (6, 900), (9, 900))
    )
    g = [t.to(gpu) for t in (c, x, w)]
    result = on_gpu_only(lambda: torch.addmm(g[0], g[1], g[2].t(), beta=0.5, alpha=2.0))
    assert_matches(result, torch.addmm(c, x, w.t(), beta=0.5, alpha=2.0), rtol=1e-4, atol=1e-3)


REDUCTIONS = {
    "sum": lambda t: t.sum(),
    "sum over a dim": lambda t: t.sum(1),
    "sum over two dims, keepdim": lambda t: t.sum((0, 2), keepdim=True),
    "nansum": lambda t: t.nansum(2),
    "mean of a stepped view": lambda t: t[:, :, ::3].mean(-1),
    "mean over an empty dim": lambda t: t[:, :0].mean(1),
    "sum over an empty dim": lambda t: t[:, :0].sum(1),
    "prod": lambda t: (t[:, :4, :5] * 0.25).prod(2),
    "amax": lambda t: t.amax(2),
    "amin over two dims": lambda t: t.amin((0, 1)),
    "max": lambda t: t.max(),
    "max over a dim": lambda t: t.max(2),
    "min over a transposed dim": lambda t: t.transpose(0, 2).min(1),
    "argmax": lambda t: t.argmax(2),
    "argmin": lambda t: t.argmin(0),
}


@pytest.mark.parametrize("case", REDUCTIONS, ids=list(REDUCTIONS))
@pytest.mark.parametrize("length", [5, 40, 300], ids=["short", "medium", "long"])
def test_reductions_run_on_the_gpu(gpu, case, length):
    # Lengths that give one, sixteen and 256 threads per output; NaN, infinities and ties.
    values = float32_values((3, 4, length)) if case != "prod" else float32_values((3, 4, 5))
    values[1, 2, 1:4] = 7.0
    fn = REDUCTIONS[case]
    on_gpu = values.to(gpu)
    result = on_gpu_only(lambda: fn(on_gpu))
    expected = fn(values)
    pairs = zip(result, expected) if isinstance(expected, tuple) else [(result, expected)]
    for got, want in pairs:
        assert_matches(got, want, rtol=1e-5, atol=1e-5)


# Few outputs over many elements: each output's elements are split in parts (workgroups), and
# the parts' results reduced by a second pass, positions carried.
SPLIT_REDUCTIONS = {
    "sum": lambda t: t.sum(),
    "mean over a dim": lambda t: t.mean(1),
    "sum of a stepped view": lambda t: t[:, ::2].sum(1),
    "nansum, inf and -inf in two parts": lambda t: t.nansum(1),
    "prod": lambda t: (1 + t * 1e-3).prod(1),
    "max": lambda t: t.max(),
    "max over a dim, ties in two parts": lambda t: t.max(1),
    "argmin, ties in two parts": lambda t: t.argmin(1),
    "sum of int32 into int64": lambda t: (t * 100).int().sum(1),
    "count of bools": lambda t: (t > 0).sum(),
    "max of int64": lambda t: (t * 100).long().max(1),
}


@pytest.mark.parametrize("case", SPLIT_REDUCTIONS, ids=list(SPLIT_REDUCTIONS))
def test_long_reductions_split_in_parts(gpu, case):
    rng = np.random.default_rng(9)
    values = torch.tensor(rng.standard_normal((3, 20000)).astype(np.float32))
    values[1, 3] = values[1, 15000] = 50.0  # the first position wins
    values[2, 17] = values[2, 19000] = -50.0
    values[0, 5] = float("inf")
    values[0, 16000] = float("-inf")
    values[0, 100] = float("nan")  # nansum skips it; the sums of row 0 are NaN
    fn = SPLIT_REDUCTIONS[case]
    result = on_gpu_only(lambda: fn(values.to(gpu)))
    expected = fn(values)
    pairs = zip(result, expected) if isinstance(expected, tuple) else [(result, expected)]
    for got, want in pairs:
        # Sums of 20000 terms in another order than the CPU's.
        assert_matches(got, want, rtol=1e-4, atol=1e-2 if "sum" in case else 1e-6)


@pytest.mark.parametrize("largest", [True, False])
def test_extremes_pick_the_first_of_equal_values_and_nan(gpu, largest):
    values = torch.tensor([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [0.0, np.nan, 5.0, np.nan]])
    fn = torch.max if largest else torch.min
    got, want = on_gpu_only(lambda: fn(values.to(gpu), 1)), fn(values, 1)
    assert_matches(got.values, want.values)
    assert got.indices.cpu().tolist() == want.indices.tolist()


CONVOLUTIONS = {
    "conv2d, padding and bias": (
        lambda x, w, b: torch.nn.functional.conv2d(x, w, b, padding=1),
        [(2, 3, 7, 6), (4, 3, 3, 3), (4,)],
    ),
    "conv2d, stride, dilation and groups": (
        lambda x, w: torch.nn.functional.conv2d(x, w, stride=2, dilation=2, padding=2, groups=2),
        [(2, 4, 9, 8), (6, 2, 3, 2)],
    ),
    "conv1d, stride": (
        lambda x, w, b: torch.nn.functional.conv1d(x, w, b, stride=3),
        [(3, 2, 11), (5, 2, 4), (5,)],
    ),
    "conv3d, uneven padding": (
        lambda x, w: torch.nn.functional.conv3d(x, w, padding=(1, 0, 1)),
        [(1, 2, 4, 5, 3), (3, 2, 2, 3, 2)],
    ),
    "conv_transpose2d": (
        lambda x, w, b: torch.nn.functional.conv_transpose2d(
            x, w, b, stride=2, padding=1, output_padding=1
        ),
        [(2, 4, 5, 4), (4, 3, 3, 3), (3,)],
    ),
    "conv2d of a transposed input": (
        lambda x, w: torch.nn.functional.conv2d(x.transpose(2, 3), w),
        [(2, 3, 7, 6), (4, 3, 3, 3)],
    ),
}


@pytest.mark.parametrize("case", CONVOLUTIONS, ids=list(CONVOLUTIONS))
def test_convolutions_and_their_gradients_run_on_the_gpu(gpu, case):
    fn, shapes = CONVOLUTIONS[case]
    rng = np.random.default_rng(5)
    inputs = [torch.tensor(rng.standard_normal(s).astype(np.float32)) for s in shapes]
    on_cpu = [t.clone().requires_grad_() for t in inputs]
    on_gpu = [t.to(gpu).requires_grad_() for t in inputs]

    def forward_backward(args):
        y = fn(*args)
        y.backward(torch.ones_like(y) * 0.5)
        return y

    got = on_gpu_only(lambda: forward_backward(on_gpu))
    want = forward_backward(on_cpu)
    assert_matches(got.detach(), want.detach(), rtol=1e-4, atol=1e-5)
    for g, c in zip(on_gpu, on_cpu):
        assert_matches(g.grad, c.grad, rtol=1e-4, atol=1e-5)


F = torch.nn.functional
POOLINGS = {
    "max_pool2d": (lambda x: F.max_pool2d(x, 2), (2, 3, 8, 8)),
    # Overlapping windows: several outputs send their gradient to one input.
    "max_pool2d, overlapping, padded": (lambda x: F.max_pool2d(x, 3, 1, 1), (2, 3, 7, 6)),
    "max_pool2d, dilated, ceil mode": (
        lambda x: F.max_pool2d(x, 3, 2, 1, dilation=2, ceil_mode=True),
        (1, 2, 9, 10),
    ),
    "max_pool1d": (lambda x: F.max_pool1d(x, 3, stride=2), (2, 3, 11)),
    "max_pool3d": (lambda x: F.max_pool3d(x, 2, stride=(1, 2, 2)), (1, 2, 4, 6, 6)),
    "max_pool2d of a transposed input": (
        lambda x: F.max_pool2d(x.transpose(2, 3), 2),
        (2, 3, 8, 6),
    ),
    "adaptive_max_pool2d": (lambda x: F.adaptive_max_pool2d(x, (3, 4)), (2, 3, 7, 9)),
    "avg_pool2d, padded": (lambda x: F.avg_pool2d(x, 3, 2, 1), (2, 3, 9, 8)),
    "avg_pool2d, ceil mode, padding not counted": (
        lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        (2, 3, 9, 8),
    ),
    "avg_pool2d, divisor override": (lambda x: F.avg_pool2d(x, 2, divisor_override=3), (3, 8, 8)),
    "avg_pool1d": (lambda x: F.avg_pool1d(x, 4, stride=3), (2, 3, 17)),
    "avg_pool3d": (lambda x: F.avg_pool3d(x, 2), (1, 2, 4, 4, 4)),
    "adaptive_avg_pool2d": (lambda x: F.adaptive_avg_pool2d(x, (3, 5)), (2, 3, 7, 9)),
}


@pytest.mark.parametrize("case", POOLINGS, ids=list(POOLINGS))
def test_poolings_and_their_gradients_run_on_the_gpu(gpu, case):
    fn, shape = POOLINGS[case]
    rng = np.random.default_rng(7)
    values = torch.tensor(rng.standard_normal(shape).astype(np.float32))
    values.view(-1)[5] = float("nan")  # the maximum of every window holding it
    on_cpu, on_gpu = values.clone().requires_grad_(), values.to(gpu).requires_grad_()
    weights = None

    def forward_backward(x):
        nonlocal weights
        y = fn(x)
        if weights is None:
            weights = torch.tensor(rng.standard_normal(y.shape).astype(np.float32))
        (y * weights.to(y.device)).sum().backward()
        return y

    want = forward_backward(on_cpu)
    got = on_gpu_only(lambda: forward_backward(on_gpu))
    assert_matches(got.detach(), want.detach(), atol=1e-6)
    assert_matches(on_gpu.grad, on_cpu.grad, rtol=1e-5, atol=1e-6)


def test_max_pooling_indices_match_the_cpus(gpu):
    values = float32_values((2, 3, 7, 9))
    values[0, 0, 1] = 1.0  # ties: the first maximum wins
    want = F.max_pool2d(values, 3, 2, 1, return_indices=True)
    got = on_gpu_only(lambda: F.max_pool2d(values.to(gpu), 3, 2, 1, return_indices=True))
    assert_matches(got[0], want[0])
    assert got[1].dtype == torch.int64 and torch.equal(got[1].cpu(), want[1])


@pytest.mark.parametrize("dtype", ["float32", "int32", "int64"])
@pytest.mark.parametrize("dim", [0, 1, 2])
def test_index_select_runs_on_the_gpu(gpu, dtype, dim):
    values = (float32_values((3, 5, 4)).nan_to_num(0.0) * 10).to(getattr(torch, dtype))
    index = torch.tensor([2, 0, 2, 1])  # repeated, out of order
    view = values.transpose(0, 2)  # read through its strides
    got = on_gpu_only(lambda: view.to(gpu).index_select(dim, index.to(gpu)))
    assert_matches(got, view.index_select(dim, index))


@pytest.mark.parametrize("dim", [0, 1])
def test_index_add_adds_repeated_slices_on_the_gpu(gpu, dim):
    base = float32_values((4, 6), 1).nan_to_num(0.0, 1.0, -1.0)
    index = torch.tensor([3, 1, 3, 3])
    # Four slices, one per index; for dim 1 a transposed view.
    source = float32_values((4, 6) if dim == 0 else (4, 4), 2).nan_to_num(0.0, 1.0, -1.0)
    source = source if dim == 0 else source.t()
    on_gpu = base.to(gpu)
    on_gpu_only(lambda: on_gpu.index_add_(dim, index.to(gpu), source.to(gpu), alpha=-0.5))
    # Atomic adds meet in any order: rounding may differ in the last bit.
    assert_matches(on_gpu, base.clone().index_add_(dim, index, source, alpha=-0.5), rtol=1e-6)


def test_embedding_lookup_and_gradient_run_on_the_gpu(gpu):
    torch.manual_seed(0)
    on_cpu = torch.nn.Embedding(12, 5)
    on_gpu = torch.nn.Embedding(12, 5).to(gpu)
    on_gpu.weight.data.copy_(on_cpu.weight.data.to(gpu))
    tokens = torch.tensor([[1, 4, 4, 11], [0, 4, 7, 1]])  # repeated tokens add up
    weights = float32_values((2, 4, 5), 3).nan_to_num(0.0, 1.0, -1.0)

    def step(module, device):
        y = module(tokens.to(device))
        (y * weights.to(device)).sum().backward()
        return y

    got = on_gpu_only(lambda: step(on_gpu, gpu))
    assert_matches(got.detach(), step(on_cpu, "cpu").detach())
    assert_matches(on_gpu.weight.grad, on_cpu.weight.grad, rtol=1e-6, atol=1e-7)
    with pytest.raises(IndexError, match="index out of range in self"):
        on_gpu(torch.tensor([12]).to(gpu))


RECURRENT = {
    "LSTM": (lambda: torch.nn.LSTM(6, 8, num_layers=2, batch_first=True), (3, 5, 6)),
    "GRU": (lambda: torch.nn.GRU(6, 8, num_layers=2, batch_first=True), (3, 5, 6)),
    "LSTMCell": (lambda: torch.nn.LSTMCell(6, 8), (3, 6)),
    "GRUCell": (lambda: torch.nn.GRUCell(6, 8), (3, 6)),
}


@pytest.mark.parametrize("name", RECURRENT)
def test_recurrent_layers_and_their_gradients_run_on_the_gpu(gpu, name):
    make, shape = RECURRENT[name]
    torch.manual_seed(0)
    on_cpu = make()
    on_gpu = make()
    on_gpu.load_state_dict(on_cpu.state_dict())
    on_gpu.to(gpu)
    x = float32_values(shape).nan_to_num(0.0, 3.0, -3.0) / 4

    def step(module, device):
        y = module(x.to(device))
        y = y[0] if isinstance(y, tuple) else y
        (y * torch.linspace(-1, 1, y.numel()).reshape(y.shape).to(device)).sum().backward()
        return y

    got = on_gpu_only(lambda: step(on_gpu, gpu))
    assert_matches(got.detach(), step(on_cpu, "cpu").detach(), rtol=1e-5, atol=1e-6)
    for p_gpu, p_cpu in zip(on_gpu.parameters(), on_cpu.parameters()):
        assert_matches(p_gpu.grad, p_cpu.grad, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("log", [False, True], ids=["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_and_its_gradient_run_on_the_gpu(gpu, log, dim):
    values = float32_values((3, 4, 70)).nan_to_num(0.0, 80.0, -80.0)
    values[2, 1] = float("nan")  # a NaN spreads over its line only
    fn = torch.log_softmax if log else torch.softmax
    weights = float32_values((3, 4, 70), 7).nan_to_num(0.0, 1.0, -1.0)
    assert_weighted_backward_matches(gpu, lambda x: fn(x, dim), values, weights, 1e-5, 1e-4)


def test_softmax_of_long_rows_of_a_view_and_of_infinite_rows(gpu):
    # 2000 elements a row: all 256 threads of a workgroup share it; the transposed input is
    # read in place.
    base = torch.randn(2000, 3) * 10
    inf = float("inf")
    special = torch.tensor([[-inf] * 4, [inf, 1.0, 2.0, 3.0], [1.0, -inf, 2.0, -inf]])
    for fn in (torch.softmax, torch.log_softmax):
        got = on_gpu_only(lambda fn=fn: fn(base.to(gpu).t(), 1))
        # log_softmax near 0 is x - max - ln(sum): the sum of 2000 terms, added in another
        # order than the CPU's, agrees to a few ulps of 1 (seen: 8 on an NVIDIA GPU).
        assert_matches(got, fn(base.t(), 1), rtol=1e-5, atol=2e-6)
        assert_matches(on_gpu_only(lambda fn=fn: fn(special.to(gpu), 1)), fn(special, 1))


NLL_CASES = {
    "1-D": ((7,), (), {}),
    "2-D, weighted": ((6, 5), (6,), {"weight": True}),
    "2-D, ignored": ((6, 5), (6,), {"ignore_index": 2}),
    "4-D, weighted and ignored": ((2, 3, 4, 5), (2, 4, 5), {"weight": True, "ignore_index": 1}),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("case", NLL_CASES.values(), ids=NLL_CASES.keys())
def test_cross_entropy_and_its_gradient_run_on_the_gpu(gpu, case, reduction):
    shape, target_shape, options = case
    classes = shape[1] if len(shape) > 1 else shape[0]
    logits = float32_values(shape).nan_to_num(0.0, 20.0, -20.0)
    target = torch.randint(0, classes, target_shape, generator=torch.Generator().manual_seed(1))
    weight = torch.rand(classes) + 0.5 if options.get("weight") else None
    kwargs = {"reduction": reduction, "ignore_index": options.get("ignore_index", -100)}
    grad_out = float32_values(target_shape, 2) if reduction == "none" else None

    def loss_and_grad(device):
        x = logits.to(device).requires_grad_()
        w = None if weight is None else weight.to(device)
        loss = torch.nn.functional.cross_entropy(x, target.to(device), weight=w, **kwargs)
        g = None if grad_out is None else grad_out.nan_to_num(0.0, 1.0, -1.0).to(device)
        loss.backward(g)
        return loss.detach(), x.grad

    loss, grad = on_gpu_only(lambda: loss_and_grad(gpu))
    want_loss, want_grad = loss_and_grad("cpu")
    assert_matches(loss, want_loss, rtol=1e-5, atol=1e-6)
    assert_matches(grad, want_grad, rtol=1e-5, atol=1e-6)


def test_nll_loss_checks_its_targets_on_the_gpu(gpu):
    x = torch.randn(4, 3).to(gpu).log_softmax(1)
    with pytest.raises(IndexError, match="Target 3 is out of bounds."):
        torch.nn.functional.nll_loss(x, torch.tensor([0, 1, 3, 2]).to(gpu))
    everything_ignored = torch.nn.functional.nll_loss(
        x, torch.tensor([1, 1, 1, 1]).to(gpu), ignore_index=1
    )
    assert everything_ignored.device.type == "wgpu" and everything_ignored.isnan().item()


@pytest.mark.parametrize("training", [True, False], ids=["training", "eval"])
@pytest.mark.parametrize("affine", [True, False], ids=["affine", "plain"])
def test_batch_norm_and_its_gradient_run_on_the_gpu(gpu, training, affine):
    x = (
        torch.tensor(np.random.default_rng(5).standard_normal((4, 3, 5, 2)), dtype=torch.float32)
        + 2
    )
    norm = torch.nn.BatchNorm2d(3, affine=affine, momentum=0.3)
    norm.running_mean.uniform_(-1, 1)
    norm.running_var.uniform_(0.5, 2)
    if affine:
        norm.weight.data.uniform_(0.5, 2)
        norm.bias.data.uniform_(-1, 1)
    norm.train(training)
    on_gpu = copy.deepcopy(norm).to(gpu)
    weights = torch.tensor(
        np.random.default_rng(7).standard_normal((4, 3, 5, 2)), dtype=torch.float32
    )

    def run(module, device):
        x_here = x.to(device).requires_grad_()
        out = module(x_here)
        (out * weights.to(device)).sum().backward()
        return out.detach(), x_here.grad

    got, got_grad = on_gpu_only(lambda: run(on_gpu, gpu))
    want, want_grad = run(norm, "cpu")
    assert_matches(got, want, rtol=1e-5, atol=1e-5)
    assert_matches(got_grad, want_grad, rtol=1e-4, atol=1e-5)
    for name in ["running_mean", "running_var"] + (["weight", "bias"] if affine else []):
        got_tensor, want_tensor = getattr(on_gpu, name), getattr(norm, name)
        if name in ("weight", "bias"):
            got_tensor, want_tensor = got_tensor.grad, want_tensor.grad
        assert_matches(got_tensor, want_tensor, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["layer", "group"])
def test_layer_and_group_norm_and_their_gradients_run_on_the_gpu(gpu, kind):
    x = torch.tensor(np.random.default_rng(6).standard_normal((3, 4, 6)), dtype=torch.float32)
    norm = torch.nn.LayerNorm((4, 6)) if kind == "layer" else torch.nn.GroupNorm(2, 4)
    norm.weight.data.uniform_(0.5, 2)
    norm.bias.data.uniform_(-1, 1)
    on_gpu = copy.deepcopy(norm).to(gpu)

    def run(module, device):
        x_here = x.to(device).requires_grad_()
        out = module(x_here)
        (out * out).sum().backward()
        return out.detach(), x_here.grad, module.weight.grad, module.bias.grad

    got = on_gpu_only(lambda: run(on_gpu, gpu))
    for g, w in zip(got, run(norm, "cpu")):
        assert_matches(g, w, rtol=1e-4, atol=1e-5)


def test_masked_fill_runs_on_the_gpu_with_its_gradient(gpu):
    x = float32_values((4, 3))
    mask = torch.tensor([[True], [False], [True], [False]])
    for value in (0.0, float("-inf")):
        x_cpu, x_gpu = x.clone().requires_grad_(), x.to(gpu).requires_grad_()
        got = on_gpu_only(lambda: x_gpu.masked_fill(mask.to(gpu), value))  # noqa: B023
        want = x_cpu.masked_fill(mask, value)
        assert_matches(got.detach(), want.detach())
        on_gpu_only(lambda: (got * 2).sum().backward())  # noqa: B023
        (want * 2).sum().backward()
        assert_matches(x_gpu.grad, x_cpu.grad)
    counts = torch.tensor([[5, -7], [2**40, 3]])
    on_gpu = counts.to(gpu)
    on_gpu_only(lambda: on_gpu.masked_fill_(torch.tensor([False, True]).to(gpu), -(2**35)))
    assert_matches(on_gpu, counts.masked_fill(torch.tensor([False, True]), -(2**35)))


@pytest.mark.parametrize("dtype", [torch.float32, torch.int32, torch.int64, torch.bool])
@pytest.mark.parametrize("dims", [None, 0, (0, 2)])
def test_all_and_any_run_on_the_gpu(gpu, dtype, dims):
    values = np.random.default_rng(8).integers(0, 3, (4, 3, 5)) * np.arange(1, 6)
    values[1, 2] = 0  # a line of zeros
    values[2] = 1  # a slice without zeros
    base = torch.tensor(values).to(dtype)
    if dtype == torch.float32:
        base[0, 0, 0] = float("nan")  # NaN is true
    for fn in (torch.all, torch.any):
        for keepdim in (False, True):
            if dims is None:
                args, kwargs = (), {}
            else:
                args, kwargs = (dims,), {"keepdim": keepdim}
            got = on_gpu_only(lambda: fn(base.to(gpu), *args, **kwargs))  # noqa: B023
            assert_matches(got, fn(base, *args, **kwargs))


@pytest.mark.parametrize("ord", [2, 1, float("inf"), float("-inf"), 3, 0.5])
def test_vector_norms_run_on_the_gpu(gpu, ord):
    x = float32_values((4, 3, 5)).nan_to_num(0.0, 30.0, -30.0)
    for dims in (None, 1, (0, 2)):
        got = on_gpu_only(lambda: torch.linalg.vector_norm(x.to(gpu), ord, dims))  # noqa: B023
        assert_matches(got, torch.linalg.vector_norm(x, ord, dims), rtol=1e-5)


def test_int64_casts_run_on_the_gpu(gpu):
    # Rounding to nearest (2^24 + 1, ties to even), the int64 range's ends, wrapping to int32.
    big = [0, 1, -1, 2**24 + 1, 2**24 + 3, -(2**40) - 12345, 2**62 + 2**38 + 1]
    big += [2**63 - 1, -(2**63), 2**31 + 5, 123456789012]
    longs = torch.tensor(big)
    for dtype in (torch.float32, torch.int32, torch.bool):
        assert_matches(on_gpu_only(lambda: longs.to(gpu).to(dtype)), longs.to(dtype))  # noqa: B023
    floats = torch.tensor([0.0, -0.0, 1.9, -1.9, 3e9, -3e9, 9.2e18, -9.3e18, 1e30, np.nan, np.inf])
    assert_matches(on_gpu_only(lambda: floats.to(gpu).long()), floats.long())
    for source in (torch.tensor([-5, 7, 2**31 - 1]), torch.tensor([True, False])):
        assert_matches(on_gpu_only(lambda: source.to(gpu).long()), source.long())  # noqa: B023
    small = torch.tensor([-3, 100], dtype=torch.int8)
    assert_matches(on_gpu_only(lambda: small.to(gpu).long()), small.long())


@pytest.mark.parametrize("dtype", [torch.float32, torch.int32, torch.int64])
def test_where_picks_any_4_and_8_byte_dtype_on_the_gpu(gpu, dtype):
    cond = torch.tensor([[True, False, True], [False, False, True]])
    a = torch.tensor([[1, 2**40 + 3, -5]]).to(dtype) if dtype == torch.int64 else torch.arange(3)
    a = a.to(dtype)
    b = torch.tensor([[7], [-9]]).to(dtype)
    got = on_gpu_only(lambda: torch.where(cond.to(gpu), a.to(gpu), b.to(gpu)))
    assert_matches(got, torch.where(cond, a, b))
    labels = on_gpu_only(lambda: torch.where(cond.to(gpu), 1, 0))  # number branches
    assert_matches(labels, torch.where(cond, 1, 0))


@pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0")  # (correction 5 of 5 values)
@pytest.mark.parametrize("name", ["std", "var", "std_mean", "var_mean"])
def test_variances_run_on_the_gpu(gpu, name):
    fn = getattr(torch, name)
    x = torch.tensor(
        np.random.default_rng(9).standard_normal((4, 3, 5)) * 3 + 7, dtype=torch.float32
    )
    x[1, 1, 1] = float("nan")
    for dims, correction, keepdim in [
        (None, 1, False),
        (1, 0, True),
        ((0, 2), 2, False),
        (2, 5, False),
    ]:
        kwargs = {"dim": dims, "correction": correction, "keepdim": keepdim}
        got = on_gpu_only(lambda: fn(x.to(gpu), **kwargs))  # noqa: B023
        want = fn(x, **kwargs)
        for g, w in zip(got, want) if isinstance(want, tuple) else [(got, want)]:
            assert_matches(g, w, rtol=1e-5, atol=1e-6)


def test_logsumexp_runs_on_the_gpu(gpu):
    x = float32_values((3, 4, 5)).nan_to_num(0.0, 80.0, -80.0)
    x[1, 2] = float("-inf")  # a line of -inf gives -inf
    x[2, 0, 1] = float("inf")
    x[0, 3, 3] = float("nan")
    for dims, keepdim in [(1, False), ((0, 2), True), (-1, False)]:
        got = on_gpu_only(lambda: torch.logsumexp(x.to(gpu), dims, keepdim))  # noqa: B023
        assert_matches(got, torch.logsumexp(x, dims, keepdim), rtol=1e-6)


@pytest.mark.parametrize("dtype", [torch.float32, torch.int64])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gather_and_scatter_run_on_the_gpu(gpu, dtype, dim):
    src = (float32_values((4, 5, 6)).nan_to_num(0.0, 9.0, -9.0) * 3).to(dtype)
    size = src.shape[dim]
    rng = np.random.default_rng(10)
    index_shape = list(src.shape)
    index_shape[dim] = 3
    index = torch.tensor(rng.integers(-size, size, index_shape) % size)
    got = on_gpu_only(lambda: src.to(gpu).gather(dim, index.to(gpu)))
    assert_matches(got, src.gather(dim, index))
    # Distinct positions per line along dim, so that no two values meet.
    perm = torch.tensor(
        np.argsort(rng.random(src.shape), axis=dim % 3).take(range(3), axis=dim % 3)
    )
    values = (torch.arange(perm.numel()).reshape(perm.shape) * 7 - 40).to(dtype)
    number = -2.5 if dtype == torch.float32 else -2
    scatters = [
        lambda t, i, v: t.scatter(dim, i, v),
        lambda t, i, v: t.scatter(dim, i, number),
    ]
    if dtype == torch.float32:  # (atomic adds are float32's; int64 adds run on the CPU)
        scatters.append(lambda t, i, v: t.clone().scatter_add_(dim, i, v))
    for fn in scatters:
        got = on_gpu_only(lambda: fn(src.to(gpu), perm.to(gpu), values.to(gpu)))  # noqa: B023
        assert_matches(got, fn(src, perm, values))


def test_gather_gradient_adds_repeated_positions_on_the_gpu(gpu):
    src = float32_values((3, 4))
    index = torch.tensor([[0, 0, 3], [1, 1, 1], [2, 0, 2]])
    x_cpu, x_gpu = src.clone().requires_grad_(), src.to(gpu).requires_grad_()
    on_gpu_only(lambda: (x_gpu.gather(1, index.to(gpu)) * 3).sum().backward())
    (x_cpu.gather(1, index) * 3).sum().backward()
    assert_matches(x_gpu.grad, x_cpu.grad)


def test_advanced_indexing_and_index_put_run_on_the_gpu(gpu):
    base = float32_values((5, 4, 3))
    rows, cols = torch.tensor([4, 0, 2]), torch.tensor([[1], [3]])
    mask = base[:, 0, 0] > 0
    reads = [
        lambda t, d: t[rows.to(d)],
        lambda t, d: t[:, cols.to(d)],
        lambda t, d: t[rows.to(d), 1:, cols.to(d)[:, :1] - 1],
        lambda t, d: t[mask.to(d)],
        lambda t, d: torch.take(t, rows.to(d) * 5),
        lambda t, d: torch.take_along_dim(t, cols.to(d).reshape(1, 2, 1), 1),
    ]
    for read in reads:
        assert_matches(on_gpu_only(lambda: read(base.to(gpu), gpu)), read(base, "cpu"))  # noqa: B023

    def writes(t, d):
        t[rows.to(d)] = torch.full((3, 4, 3), 2.5).to(d)
        t[mask.to(d), 0] = -1.0
        t.index_put_((rows.to(d), cols.to(d)[0]), torch.tensor(7.0).to(d), accumulate=True)
        t.index_put_((torch.tensor([1, 1]).to(d),), torch.ones(2, 4, 3).to(d), accumulate=True)
        return t

    got = on_gpu_only(lambda: writes(base.clone().to(gpu), gpu))
    assert_matches(got, writes(base.clone(), "cpu"))


def test_a_kernel_with_several_host_inputs_reads_each_of_them(gpu):
    # A number's tensor and the index positions both come from the host: each gets its own
    # buffer (a pooled one, released before the kernel ran, was reused by the next upload).
    cond = torch.tensor([True, False, True])
    got = on_gpu_only(lambda: torch.where(cond.to(gpu), torch.tensor(1.5), torch.tensor(-2.0)))
    assert_matches(got, torch.where(cond, torch.tensor(1.5), torch.tensor(-2.0)))
    rows = torch.tensor([0, 1, 3])[:, None]
    target = torch.zeros(3, 5).to(gpu).clone()
    on_gpu_only(lambda: target.scatter_(1, rows.to(gpu), 2.0))
    assert_matches(target, torch.zeros(3, 5).scatter_(1, rows, 2.0))


def test_integer_arange_on_the_gpu_matches_the_cpu(gpu):
    cases = [((10,), torch.int64), ((-5, 20, 3), torch.int64), ((2**40, 2**40 + 7), torch.int64)]
    cases += [((30, -4, -7), torch.int32), ((0,), torch.int64), ((5,), torch.int32)]
    for args, dtype in cases:
        got = on_gpu_only(lambda a=args, d=dtype: torch.arange(*a, dtype=d, device=gpu))
        want = torch.arange(*args, dtype=dtype)
        assert got.device.type == "wgpu" and got.dtype == want.dtype
        assert got.tolist() == want.tolist()


def cuda_arange(start, step, n):
    """PyTorch's CUDA float arange, start + i * step in float32: with the multiply-add fused,
    as CUDA fuses it (the float64 sum of these float32 terms is exact, so rounding it once is
    the fma), and unfused, as a Vulkan driver may compute WGSL's fma (Mesa's does)."""
    i = np.arange(n).astype(np.float32)
    start, step = np.float32(start), np.float32(step)
    fused = (np.float64(start) + i.astype(np.float64) * np.float64(step)).astype(np.float32)
    return fused, (i * step + start).astype(np.float32)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_float_arange_is_made_on_the_gpu_as_cuda_makes_it(gpu, dtype):
    for start, end, step in [
        (0.0, 1.0, 0.1),
        (-3.0, 5.0, 0.3),
        (2.5, -1.0, -0.25),
        (0.0, 0.0, 1.0),
    ]:
        got = on_gpu_only(lambda a=(start, end, step): torch.arange(*a, dtype=dtype, device=gpu))
        want = torch.arange(start, end, step, dtype=dtype)  # the CPU's: same length
        assert got.device.type == "wgpu" and got.dtype == dtype and got.shape == want.shape
        fused, unfused = (
            torch.tensor(r).to(dtype).float().numpy()
            for r in cuda_arange(start, step, want.numel())
        )
        values = got.cpu().float().numpy()
        assert ((values == fused) | (values == unfused)).all()
        # Near the CPU's float64 formula, to an ulp of the range (-3 + 10 * 0.3 is 1.2e-7 in
        # float32, 4.4e-16 in float64, on CUDA and the CPU too).
        atol = 1e-6 if dtype == torch.float32 else 2e-2
        assert_matches(got.float(), want.float(), rtol=1e-2, atol=atol)
