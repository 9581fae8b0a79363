"""Random numbers drawn on the GPU from the GPU's own generator (Philox4x32-10).

The GPU's draws are checked bit for bit against an independent Philox written here in Python
(itself checked against Random123's published known answers), their distributions against
their moments, and the random layers (dropout, RReLU, Gumbel softmax, lazy initialisation) by
what their results must satisfy for the mask or slopes they drew. The CPU's stream is
PyTorch's and stays untouched by GPU draws.
"""

from __future__ import annotations

import math

import ferrograd as torch
import numpy as np
import pytest
from device_support import on_gpu_only, require_gpu
from ferrograd import nn

MASK32 = 0xFFFFFFFF


@pytest.fixture(scope="module")
def gpu():
    return require_gpu()


def philox(counter, key):
    """Philox4x32-10 of four counter words and two key words."""
    c, (k0, k1) = list(counter), key
    for _ in range(10):
        p0, p1 = 0xD2511F53 * c[0], 0xCD9E8D57 * c[2]
        c = [(p1 >> 32) ^ c[1] ^ k0, p1 & MASK32, (p0 >> 32) ^ c[3] ^ k1, p0 & MASK32]
        k0, k1 = (k0 + 0x9E3779B9) & MASK32, (k1 + 0xBB67AE85) & MASK32
    return c


def block(seed, offset, b):
    """The words of block b of the op at `offset` after `manual_seed(seed)`."""
    return philox((b, 0, offset & MASK32, offset >> 32), (seed & MASK32, seed >> 32))


def words(seed, offset, n):
    """The one-word draws of elements 0..n of an op: word i % 4 of block i / 4."""
    return [block(seed, offset, i // 4)[i % 4] for i in range(n)]


def test_the_reference_philox_gives_random123s_known_answers():
    assert philox((0, 0, 0, 0), (0, 0)) == [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]
    assert philox((MASK32,) * 4, (MASK32,) * 2) == [0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]
    assert philox((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0)) == [
        0xD16CFE09,
        0x94FDCCEB,
        0x5001E420,
        0x24126EA1,
    ]


def test_rand_randint_and_random_are_the_reference_draws(gpu):
    seed = 2**40 + 17  # both key words in use
    torch.wgpu.manual_seed(seed)
    u = on_gpu_only(lambda: torch.rand(10, device=gpu))
    ints = on_gpu_only(lambda: torch.randint(-3, 1000, (9,), dtype=torch.int32, device=gpu))
    wide = on_gpu_only(lambda: torch.empty(5, dtype=torch.int64, device=gpu).random_())
    assert u.cpu().tolist() == [(w >> 8) * 2.0**-24 for w in words(seed, 0, 10)]
    assert ints.cpu().tolist() == [w % 1003 - 3 for w in words(seed, 1, 9)]
    # int64's range 2^63 takes two words per element: words 2(i % 2) and 2(i % 2) + 1 of block i / 2.
    pairs = [block(seed, 2, i // 2)[2 * (i % 2) : 2 * (i % 2) + 2] for i in range(5)]
    assert wide.cpu().tolist() == [(hi << 32 | lo) % 2**63 for lo, hi in pairs]


def test_a_wide_integer_range_takes_the_remainder_of_64_bits(gpu):
    torch.wgpu.manual_seed(5)
    low, high = -(2**62) - 3, 2**62 + 11
    got = on_gpu_only(lambda: torch.randint(low, high, (6,), device=gpu))
    pairs = [block(5, 0, i // 2)[2 * (i % 2) : 2 * (i % 2) + 2] for i in range(6)]
    assert got.cpu().tolist() == [(hi << 32 | lo) % (high - low) + low for lo, hi in pairs]


def test_randn_is_box_muller_on_the_reference_words(gpu):
    torch.wgpu.manual_seed(9)
    z = on_gpu_only(lambda: torch.randn(8, device=gpu)).cpu().tolist()
    expected = []
    for i in range(8):
        w = block(9, 0, i // 4)
        first = 2 * ((i // 2) % 2)
        # u1 from all 32 bits, rounded to float32 as the kernel does; u2 from the top 24.
        u1 = float(np.float32(w[first]) + np.float32(1)) * 2.0**-32
        u2 = (w[first + 1] >> 8) * 2.0**-24
        angle = 2 * math.pi * u2
        radius = math.sqrt(-2 * math.log(u1))
        expected.append(radius * (math.sin(angle) if i % 2 else math.cos(angle)))
    np.testing.assert_allclose(z, expected, rtol=1e-5, atol=1e-5)


def test_bernoulli_succeeds_below_the_probability(gpu):
    torch.wgpu.manual_seed(4)
    mask = on_gpu_only(lambda: torch.empty(12, device=gpu).bernoulli_(0.25))
    assert mask.cpu().tolist() == [float((w >> 8) < 2**22) for w in words(4, 0, 12)]
    probs = torch.linspace(0, 1, 12)
    torch.wgpu.manual_seed(4)
    drawn = torch.bernoulli(probs.to(gpu))
    units = [(w >> 8) * 2.0**-24 for w in words(4, 0, 12)]
    assert drawn.cpu().tolist() == [float(u < p) for u, p in zip(units, probs.tolist())]


def test_a_view_takes_the_draws_of_its_row_major_position(gpu):
    torch.wgpu.manual_seed(1)
    fresh = torch.rand(3, 4, device=gpu)
    base = torch.zeros(4, 3, device=gpu)
    torch.wgpu.manual_seed(1)
    on_gpu_only(lambda: base.t().uniform_())
    assert base.t().cpu().tolist() == fresh.cpu().tolist()


# int16 has no GPU cast yet, so it runs on the CPU (and warns).
@pytest.mark.filterwarnings("ignore:.*no wgpu kernel yet")
@pytest.mark.parametrize("dtype", [torch.bool, torch.uint8, torch.int8, torch.int16])
def test_narrow_dtypes_and_views_of_them_get_the_same_integers(gpu, dtype):
    torch.wgpu.manual_seed(2)
    dense = torch.empty(3, 5, dtype=dtype, device=gpu).random_(0, 2)
    view = torch.empty(5, 3, dtype=dtype, device=gpu).t()
    torch.wgpu.manual_seed(2)
    run = (lambda f: f()) if dtype == torch.int16 else on_gpu_only
    run(lambda: view.random_(0, 2))
    assert view.cpu().tolist() == dense.cpu().tolist()
    assert dense.cpu().int().tolist() == [
        [w % 2 for w in words(2, 0, 15)[r * 5 : r * 5 + 5]] for r in range(3)
    ]


@pytest.mark.parametrize(
    "draw, mean, std",
    [
        (lambda g: torch.rand(40000, device=g), 0.5, math.sqrt(1 / 12)),
        (lambda g: torch.randn(40000, device=g) * 2 + 1, 1.0, 2.0),
        (lambda g: torch.empty(40000, device=g).uniform_(-2, 4), 1.0, math.sqrt(3)),
        (lambda g: torch.empty(40000, device=g).exponential_(4.0), 0.25, 0.25),
        (lambda g: torch.empty(40000, device=g).bernoulli_(0.2), 0.2, 0.4),
        (lambda g: torch.randint(0, 10, (40000,), device=g).float(), 4.5, math.sqrt(99 / 12)),
        (
            lambda g: torch.randint(-(2**40), 2**40, (40000,), device=g).float() / 2**40,
            0.0,
            0.57735,
        ),
    ],
    ids=["rand", "randn", "uniform_", "exponential_", "bernoulli_", "randint", "randint-wide"],
)
def test_draws_have_their_distributions_moments(gpu, draw, mean, std):
    torch.wgpu.manual_seed(0)
    x = draw(gpu).cpu().double().numpy()
    # Five standard errors: with a fixed seed this is a check of the formulas, not a coin toss.
    assert abs(x.mean() - mean) < 5 * std / math.sqrt(x.size)
    assert abs(x.std() - std) < 0.02 * std


@pytest.mark.filterwarnings("ignore:.*no wgpu kernel yet")
def test_uniform_and_exponential_stay_in_their_ranges(gpu):
    torch.wgpu.manual_seed(0)
    u = torch.empty(20000, device=gpu).uniform_(1e6, 1e6 + 0.25).cpu()
    assert bool((u >= 1e6).all()) and bool((u < 1e6 + 0.25).all())
    e = torch.empty(20000, device=gpu).exponential_().cpu()
    assert bool((e >= 0).all()) and not bool(e.signbit().any()) and bool(e.isfinite().all())
    h = torch.rand(20000, dtype=torch.float16, device=gpu).cpu()
    assert h.dtype == torch.float16 and bool((h < 1).all()) and bool((h >= 0).all())


def test_seeds_repeat_each_device_and_leave_the_cpu_stream_alone(gpu):
    torch.manual_seed(11)
    cpu_first = torch.rand(4)
    gpu_first = torch.rand(4, device=gpu)
    torch.manual_seed(11)  # seeds both devices
    assert torch.rand(4, device=gpu).tolist() == gpu_first.tolist()
    assert torch.rand(4).tolist() == cpu_first.tolist()
    torch.manual_seed(11)
    torch.rand(100, device=gpu)
    assert torch.rand(4).tolist() == cpu_first.tolist()  # GPU draws take nothing from the CPU
    torch.wgpu.manual_seed(11)
    assert torch.wgpu.initial_seed() == 11
    assert torch.rand(4, device=gpu).tolist() == gpu_first.tolist()


def test_rng_state_round_trips_and_generators_are_per_device(gpu):
    torch.wgpu.manual_seed(3)
    torch.rand(2, device=gpu)
    state = torch.wgpu.get_rng_state()
    assert state.dtype == torch.uint8 and state.shape == (16,)
    after = torch.randn(5, device=gpu).cpu().tolist()
    torch.wgpu.set_rng_state(state)
    assert torch.randn(5, device=gpu).cpu().tolist() == after
    with pytest.raises(RuntimeError, match="RNG state is wrong size"):
        torch.wgpu.set_rng_state(torch.zeros(8, dtype=torch.uint8))

    own = torch.Generator(device=gpu)
    assert own.device.type == "wgpu" and own.initial_seed() == 67280421310721
    a = torch.rand(3, device=gpu, generator=own.manual_seed(5))
    b = torch.rand(3, device=gpu, generator=torch.Generator(device="wgpu:0").manual_seed(5))
    assert a.cpu().tolist() == b.cpu().tolist()
    with pytest.raises(
        RuntimeError, match="Expected a 'wgpu' device type for generator but found 'cpu'"
    ):
        torch.rand(3, device=gpu, generator=torch.Generator())
    with pytest.raises(
        RuntimeError, match="Expected a 'cpu' device type for generator but found 'wgpu'"
    ):
        torch.empty(3).uniform_(generator=own)


def test_bad_arguments_raise_the_cpus_errors(gpu):
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        torch.empty(3, dtype=torch.int64, device=gpu).uniform_()
    with pytest.raises(RuntimeError, match="random_ expects 'from' to be less than 'to'"):
        torch.randint(5, 5, (2,), device=gpu)
    with pytest.raises(RuntimeError, match="p_in >= 0 && p_in <= 1"):
        torch.bernoulli(torch.tensor([0.5, 1.5], device=gpu))
    with pytest.raises(RuntimeError, match="found std -2"):
        torch.normal(torch.zeros(2, device=gpu), torch.tensor([1.0, -2.0], device=gpu))


def test_randperm_and_tensor_normal_on_the_gpu(gpu):
    torch.wgpu.manual_seed(0)
    perm = on_gpu_only(lambda: torch.randperm(300, device=gpu))
    assert perm.device.type == "wgpu" and perm.dtype == torch.int64
    assert sorted(perm.cpu().tolist()) == list(range(300)) and perm.cpu().tolist() != list(
        range(300)
    )
    mean, std = torch.arange(4.0).to(gpu), torch.full((3, 1), 1e-3).to(gpu)
    x = on_gpu_only(lambda: torch.normal(mean, std))
    assert x.shape == (3, 4) and x.device.type == "wgpu"
    np.testing.assert_allclose(x.cpu().numpy(), np.tile(np.arange(4.0), (3, 1)), atol=6e-3)


def grad_of(layer, x):
    x = x.detach().requires_grad_(True)
    out = layer(x)
    out.backward(torch.ones_like(out))
    return out.detach(), x.grad


@pytest.mark.parametrize(
    "layer, channels",
    [(nn.Dropout(0.4), False), (nn.Dropout2d(0.5), True), (nn.Dropout1d(0.5), True)],
    ids=["Dropout", "Dropout2d", "Dropout1d"],
)
def test_dropout_zeroes_and_scales_with_one_mask_for_value_and_gradient(gpu, layer, channels):
    p = layer.p
    x = (
        torch.randn(4, 6, 5, 5)
        if channels and isinstance(layer, nn.Dropout2d)
        else torch.randn(4, 6, 5)
    )
    torch.wgpu.manual_seed(0)
    out, grad = on_gpu_only(lambda: grad_of(layer.to(gpu), x.to(gpu)))
    out, grad = out.cpu(), grad.cpu()
    kept = out != 0
    np.testing.assert_allclose(out.numpy(), (x * kept / (1 - p)).numpy(), rtol=1e-6)
    np.testing.assert_allclose(grad.numpy(), (kept / (1 - p)).float().numpy(), rtol=1e-6)
    if channels:  # whole channels kept or dropped
        flat = kept.flatten(2)
        assert bool((flat.all(2) | ~flat.any(2)).all())
    share = kept.float().mean().item()
    assert abs(share - (1 - p)) < 0.2
    torch.wgpu.manual_seed(0)
    assert layer(x.to(gpu)).cpu().tolist() == out.tolist()  # a seed repeats the mask


@pytest.mark.parametrize("layer", [nn.AlphaDropout(0.3), nn.FeatureAlphaDropout(0.3)])
def test_alpha_dropout_is_one_affine_map_of_kept_or_saturated_units(gpu, layer):
    p, saturation = 0.3, -1.7580993408473766
    a = 1 / math.sqrt((saturation**2 * p + 1) * (1 - p))
    b = -a * saturation * p
    x = torch.randn(6, 8, 3)
    torch.wgpu.manual_seed(1)
    out, grad = on_gpu_only(lambda: grad_of(layer.to(gpu), x.to(gpu)))
    out, grad = out.cpu(), grad.cpu()
    kept = grad != 0
    np.testing.assert_allclose(grad.numpy(), (kept * a).float().numpy(), rtol=1e-6)
    expected = torch.where(kept, a * x + b, torch.full_like(x, a * saturation + b))
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)
    assert 0 < int(kept.sum()) < x.numel()


def test_rrelu_slopes_are_drawn_between_its_bounds(gpu):
    layer = nn.RReLU(0.1, 0.3).train()
    x = torch.randn(5, 40)
    torch.wgpu.manual_seed(2)
    out, grad = on_gpu_only(lambda: grad_of(layer.to(gpu), x.to(gpu)))
    out, grad = out.cpu(), grad.cpu()
    positive = x > 0
    assert bool((out[positive] == x[positive]).all()) and bool((grad[positive] == 1).all())
    slopes = grad[~positive]
    assert (
        bool((slopes >= 0.1).all()) and bool((slopes < 0.3).all()) and slopes.unique().numel() > 10
    )
    np.testing.assert_allclose(out[~positive].numpy(), (x[~positive] * slopes).numpy(), rtol=1e-6)


def test_gumbel_softmax_hard_gives_one_hot_rows(gpu):
    logits = torch.randn(6, 5)
    torch.wgpu.manual_seed(3)
    y = on_gpu_only(lambda: nn.functional.gumbel_softmax(logits.to(gpu), tau=0.5, hard=True))
    y = y.cpu()
    assert bool(((y == 0) | (y == 1)).all()) and y.sum(1).tolist() == [1.0] * 6


def test_a_lazy_layer_initialises_on_the_gpu_within_its_bounds(gpu):
    layer = nn.LazyLinear(3).to(gpu)
    x = torch.randn(2, 4)
    torch.wgpu.manual_seed(4)
    out = on_gpu_only(lambda: layer(x.to(gpu)))
    w, b = layer.weight.detach().cpu(), layer.bias.detach().cpu()
    assert layer.weight.device.type == "wgpu" and w.shape == (3, 4)
    assert bool((w.abs() <= 0.5).all()) and bool((b.abs() <= 0.5).all())  # 1 / sqrt(4)
    np.testing.assert_allclose(
        out.detach().cpu().numpy(), (x @ w.T + b).numpy(), rtol=1e-5, atol=1e-6
    )


def test_a_transformer_layer_trains_with_dropout_on_the_gpu(gpu):
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.3, batch_first=True)
    layer = layer.to(gpu)
    x = torch.randn(2, 5, 8).to(gpu)

    def step(seed):
        torch.wgpu.manual_seed(seed)
        layer.zero_grad()
        out = layer(x)
        out.square().mean().backward()
        return out.detach().cpu(), layer.linear1.weight.grad.cpu()

    first = on_gpu_only(lambda: step(0))
    again, other = step(0), step(1)
    assert first[0].tolist() == again[0].tolist() and first[1].tolist() == again[1].tolist()
    assert first[0].tolist() != other[0].tolist()  # another seed, other masks


def test_multinomial_samples_by_the_exponential_race_on_the_gpu(gpu):
    probs = torch.tensor([0.0, 1.0, 2.0, 0.0, 7.0])  # unnormalised, with impossible categories
    torch.wgpu.manual_seed(0)
    rows = on_gpu_only(lambda: torch.multinomial(probs.expand(20000, 5).to(gpu), 1))
    once = np.bincount(rows.cpu().numpy().ravel(), minlength=5) / 20000
    many = on_gpu_only(lambda: torch.multinomial(probs.to(gpu), 20000, replacement=True))
    assert many.shape == (20000,) and many.dtype == torch.int64
    repeated = np.bincount(many.cpu().numpy(), minlength=5) / 20000
    expected = probs.numpy() / 10
    for frequencies in (once, repeated):
        assert frequencies[0] == 0 and frequencies[3] == 0
        np.testing.assert_allclose(frequencies, expected, atol=5 * math.sqrt(0.25 / 20000))
    # Without replacement: distinct categories, the possible ones first.
    drawn = torch.multinomial(probs.expand(50, 5).to(gpu), 4).cpu()
    assert all(len(set(row)) == 4 and set(row[:3]) == {1, 2, 4} for row in drawn.tolist())


def test_multinomial_on_the_gpu_checks_its_probabilities(gpu):
    for bad in ([0.5, -0.1], [1.0, float("inf")], [float("nan"), 1.0]):
        with pytest.raises(RuntimeError, match="contains either `inf`, `nan` or element < 0"):
            torch.multinomial(torch.tensor(bad, device=gpu), 1)
    with pytest.raises(RuntimeError, match=r"sum of probabilities <= 0"):
        torch.multinomial(torch.tensor([[1.0, 2.0], [0.0, 0.0]], device=gpu), 1)
    with pytest.raises(RuntimeError, match="cannot sample n_sample > prob_dist.size"):
        torch.multinomial(torch.ones(3, device=gpu), 4)
