"""nn.init: values recorded from PyTorch after the same seed, bounds, errors and warnings."""

import math
import warnings

import ferrograd as torch
import numpy as np
import pytest
from ferrograd.nn import init

# Each row: (initialiser on a fresh 2x3 / 4x2 tensor after manual_seed(0), PyTorch's values).
RECORDED = [
    (
        lambda: init.trunc_normal_(torch.empty(2, 3), 0, 1, -1, 1),
        [0.40334683656692505, -0.293428897857666, -0.7192575931549072,
         0.5684312582015991, -0.5966353416442871, 0.18203648924827576],
    ),
    (
        lambda: init.trunc_normal_(torch.empty(2, 3), 0, 1, 2, 2.5),
        [2.2481284141540527, 2.0844295024871826, 2.044238805770874,
         2.0660152435302734, 2.1537113189697266, 2.3170392513275146],
    ),
    (
        lambda: init.kaiming_uniform_(torch.empty(2, 3), a=5**0.5),
        [-0.004322517663240433, 0.3097158372402191, -0.4751853346824646,
         -0.4248946011066437, -0.2223689705133438, 0.15482072532176971],
    ),
    (
        lambda: init.kaiming_normal_(torch.empty(2, 3), mode="fan_out", nonlinearity="relu"),
        [1.5409960746765137, -0.293428897857666, -2.1787893772125244,
         0.5684312582015991, -1.0845223665237427, -1.3985954523086548],
    ),
    (
        lambda: init.xavier_uniform_(torch.empty(2, 3), gain=2),
        [-0.016402801498770714, 1.1752890348434448, -1.8032015562057495,
         -1.6123616695404053, -0.843830943107605, 0.5875033736228943],
    ),
    (
        lambda: init.orthogonal_(torch.empty(2, 3), gain=1.5),
        [0.8609713912010193, -0.16394191980361938, -1.217313289642334,
         -0.518122673034668, -1.3963240385055542, -0.1784033179283142],
    ),
    (
        lambda: init.sparse_(torch.empty(4, 2), 0.5),
        [0.0, -0.002934289164841175, 0.0, 0.0,
         -0.010845223441720009, -0.013985954225063324, 0.004033468663692474, 0.0],
    ),
]  # fmt: skip


@pytest.mark.parametrize("fill, expected", RECORDED)
def test_same_numbers_as_pytorch_after_the_same_seed(fill, expected):
    torch.manual_seed(0)
    got = fill().flatten().tolist()
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "args, gain",
    [
        (("linear",), 1),
        (("conv2d",), 1),
        (("sigmoid",), 1),
        (("tanh",), 5 / 3),
        (("relu",), math.sqrt(2)),
        (("leaky_relu",), math.sqrt(2 / (1 + 0.01**2))),
        (("leaky_relu", 0.2), math.sqrt(2 / 1.04)),
        (("selu",), 0.75),
    ],
)
def test_calculate_gain(args, gain):
    assert init.calculate_gain(*args) == pytest.approx(gain, rel=1e-15)


def test_kaiming_uniform_bound_is_gain_times_sqrt_3_over_fan_in():
    # Conv weight 8x4x3x3: fan_in = 4 * 9 = 36; relu gain sqrt(2); bound = sqrt(2) * sqrt(3 / 36).
    w = init.kaiming_uniform_(torch.empty(8, 4, 3, 3), nonlinearity="relu").numpy()
    bound = math.sqrt(2) * math.sqrt(3 / 36)
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > 0.9 * bound  # 288 draws reach near the edge


def test_xavier_normal_std_matches_glorot():
    torch.manual_seed(1)
    w = init.xavier_normal_(torch.empty(200, 300)).numpy()
    assert w.std() == pytest.approx(math.sqrt(2 / 500), rel=0.02)
    assert abs(w.mean()) < 0.002


def test_trunc_normal_stays_inside_bounds():
    torch.manual_seed(2)
    w = init.trunc_normal_(torch.empty(1000), mean=0.5, std=2.0, a=-1.0, b=1.0).numpy()
    assert w.min() >= -1.0 and w.max() <= 1.0


def test_orthogonal_rows_or_columns_are_orthonormal():
    tall = init.orthogonal_(torch.empty(6, 3)).numpy()
    np.testing.assert_allclose(tall.T @ tall, np.eye(3), atol=1e-5)
    wide = init.orthogonal_(torch.empty(2, 3, 2), gain=2).reshape(2, 6).numpy()
    np.testing.assert_allclose(wide @ wide.T, 4 * np.eye(2), atol=1e-5)


def test_constant_ones_zeros_eye_dirac():
    assert init.constant_(torch.empty(2, 2), 0.3).tolist() == [[pytest.approx(0.3)] * 2] * 2
    assert init.ones_(torch.empty(3)).tolist() == [1.0, 1.0, 1.0]
    assert init.zeros_(torch.ones(3)).tolist() == [0.0, 0.0, 0.0]
    assert init.eye_(torch.empty(2, 3)).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    w = init.dirac_(torch.empty(4, 2, 3, 3), groups=2).numpy()
    expected = np.zeros((4, 2, 3, 3), np.float32)
    for out_channel, in_channel in [(0, 0), (1, 1), (2, 0), (3, 1)]:
        expected[out_channel, in_channel, 1, 1] = 1
    np.testing.assert_array_equal(w, expected)


def test_sparse_zeroes_the_fraction_of_each_column():
    w = init.sparse_(torch.empty(10, 4), sparsity=0.3).numpy()
    assert ((w == 0).sum(axis=0) == 3).all()


def test_works_in_place_without_recording_on_a_leaf_that_requires_grad():
    x = torch.randn(2, 3, requires_grad=True)
    assert init.uniform_(x) is x
    assert x.requires_grad and x.is_leaf and x.grad_fn is None


def test_generator_argument_makes_draws_reproducible():
    g = torch.Generator().manual_seed(7)
    a = init.normal_(torch.empty(5), generator=g).tolist()
    g.manual_seed(7)
    assert init.normal_(torch.empty(5), generator=g).tolist() == a


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: init.calculate_gain("foo"), "Unsupported nonlinearity foo"),
        (lambda: init.calculate_gain("leaky_relu", "x"), "negative_slope x not a valid number"),
        (lambda: init.eye_(torch.empty(2, 2, 2)), "Only tensors with 2 dimensions are supported"),
        (
            lambda: init.dirac_(torch.empty(2, 2)),
            "Only tensors with 3, 4, or 5 dimensions are supported",
        ),
        (lambda: init.dirac_(torch.empty(3, 2, 2), groups=2), "dim 0 must be divisible by groups"),
        (
            lambda: init.kaiming_uniform_(torch.empty(3)),
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions",
        ),
        (
            lambda: init.kaiming_uniform_(torch.empty(3, 3), mode="fan"),
            "Mode fan not supported, please use one of ['fan_in', 'fan_out']",
        ),
        (
            lambda: init.orthogonal_(torch.empty(3)),
            "Only tensors with 2 or more dimensions are supported",
        ),
        (lambda: init.sparse_(torch.empty(3), 0.1), "Only tensors with 2 dimensions are supported"),
    ],
)
def test_errors(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value) == message


def test_warnings():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        init.kaiming_uniform_(torch.empty(0, 3))
        init.uniform(torch.empty(2))
        init.trunc_normal_(torch.empty(2), mean=10)
    assert [(w.category, str(w.message)) for w in caught] == [
        (UserWarning, "Initializing zero-element tensors is a no-op"),
        (FutureWarning, "`nn.init.uniform` is now deprecated in favor of `nn.init.uniform_`."),
        (
            UserWarning,
            (
                "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                "The distribution of values may be incorrect."
            ),
        ),
    ]
