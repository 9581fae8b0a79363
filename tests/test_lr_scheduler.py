"""Learning-rate schedulers: sequences against their closed forms and against values recorded
from torch.optim.lr_scheduler, composition, ReduceLROnPlateau, state_dict round trips, errors."""

from __future__ import annotations

import math
import warnings
from bisect import bisect_right

import ferrograd as torch
import pytest
from ferrograd import optim
from ferrograd.optim import lr_scheduler as S


def make_optimizer(kind: str = "sgd", lr: float = 0.1, two_groups: bool = False):
    w, b = torch.zeros(2, requires_grad=True), torch.zeros(1, requires_grad=True)
    params = [{"params": [w]}, {"params": [b], "lr": lr * 2}] if two_groups else [w]
    if kind == "adam":
        return optim.Adam(params, lr=lr)
    return optim.SGD(params, lr=lr, momentum=0.9)


def run(make_scheduler, steps: int = 25, kind: str = "sgd", two_groups: bool = False):
    """(lr, momentum) of every group after each of `steps` optimizer+scheduler steps."""
    optimizer = make_optimizer(kind, two_groups=two_groups)
    scheduler = make_scheduler(optimizer)
    history = []
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        history.append(
            [
                (g["lr"], g["betas"][0] if "betas" in g else g["momentum"])
                for g in optimizer.param_groups
            ]
        )
    return history


def lrs(history, group: int = 0):
    return [entry[group][0] for entry in history]


# ----- closed forms (epoch e = 1, 2, ...; base lr 0.1) -------------------------------------

CLOSED_FORMS = {
    "step": (lambda o: S.StepLR(o, step_size=3, gamma=0.5), lambda e: 0.1 * 0.5 ** (e // 3)),
    "multistep": (
        lambda o: S.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3),
        lambda e: 0.1 * 0.3 ** bisect_right([2, 5, 5, 9], e),
    ),
    "constant": (
        lambda o: S.ConstantLR(o, factor=0.25, total_iters=4),
        lambda e: 0.1 * (0.25 if e < 4 else 1.0),
    ),
    "linear": (
        lambda o: S.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=7),
        lambda e: 0.1 * (0.2 + 0.7 * min(e, 7) / 7),
    ),
    "exponential": (lambda o: S.ExponentialLR(o, gamma=0.9), lambda e: 0.1 * 0.9**e),
    "poly": (
        lambda o: S.PolynomialLR(o, total_iters=8, power=2.0),
        lambda e: 0.1 * (1 - min(e, 8) / 8) ** 2,
    ),
    "cosine": (
        lambda o: S.CosineAnnealingLR(o, T_max=7, eta_min=0.001),
        lambda e: 0.001 + (0.1 - 0.001) * (1 + math.cos(math.pi * e / 7)) / 2,
    ),
    "lambda": (lambda o: S.LambdaLR(o, lambda e: 0.95**e), lambda e: 0.1 * 0.95**e),
    "multiplicative": (lambda o: S.MultiplicativeLR(o, lambda e: 0.9), lambda e: 0.1 * 0.9**e),
    "cyclic": (
        lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4),
        # A triangle: up 4 steps from 0.01 to 0.1, down 4 steps.
        lambda e: 0.01 + 0.09 * (1 - abs((e % 8) / 4 - 1)),
    ),
}


def warm_restarts_closed_form(e: int) -> float:
    # T_0 = 3, T_mult = 2: cycles of 3, 6, 12 epochs starting at epochs 0, 3, 9.
    start, length = 0, 3
    while e >= start + length:
        start, length = start + length, length * 2
    return 0.01 + (0.1 - 0.01) * (1 + math.cos(math.pi * (e - start) / length)) / 2


CLOSED_FORMS["warm_restarts"] = (
    lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.01),
    warm_restarts_closed_form,
)


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_sequence_follows_closed_form(name):
    make, closed_form = CLOSED_FORMS[name]
    steps = 14 if name == "cosine" else 25  # the recursive cosine holds to one period
    expected = [closed_form(e) for e in range(1, steps + 1)]
    assert lrs(run(make, steps)) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_initial_lr_is_set_at_construction():
    optimizer = make_optimizer()
    scheduler = S.LinearLR(optimizer, start_factor=0.5, total_iters=2)
    assert optimizer.param_groups[0]["initial_lr"] == 0.1
    assert scheduler.get_last_lr() == [0.05] and scheduler.last_epoch == 0
    assert scheduler.base_lrs == [0.1]


# ----- values recorded from torch.optim.lr_scheduler (exact) --------------------------------

TORCH_SEQUENCES = {
    "cosine": (
        lambda o: S.CosineAnnealingLR(o, T_max=7, eta_min=0.001),
        [
            0.09509795896116975,
            0.08136274519200731,
            0.061514786230837566,
            0.03948521376916245,
            0.019637254807992697,
            0.005902041038830259,
            0.001,
            0.005902041038830253,
            0.019637254807992683,
            0.03948521376916243,
            0.061514786230837525,
            0.08136274519200731,
            0.09509795896116978,
            0.10000000000000002,
        ],
    ),
    "onecycle": (
        lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=26),
        [
            0.04516081007478501,
            0.11536768726897845,
            0.21590011572402312,
            0.3256791176172999,
            0.42168695447517374,
            0.48379333505704536,
            0.4998510357336271,
            0.4946559027004635,
            0.48218913127508545,
            0.46282125911164623,
            0.4371279385320271,
            0.4058728269748815,
            0.36998488955246867,
            0.33053078832918087,
        ],
    ),
    "cyclic_exp_range": (
        lambda o: S.CyclicLR(
            o, base_lr=0.01, max_lr=0.1, step_size_up=3, mode="exp_range", gamma=0.9
        ),
        [
            0.03700000000000001,
            0.0586,
            0.07561000000000001,
            0.04936600000000002,
            0.027714699999999988,
            0.01,
            0.02434890700000003,
            0.03582803259999999,
            0.04486784401000001,
            0.03092070640599999,
            0.019414317882700018,
            0.01,
            0.017625597484986995,
            0.023726075472976615,
        ],
    ),
    "sequential": (
        lambda o: S.SequentialLR(
            o,
            [S.LinearLR(o, start_factor=0.1, total_iters=4), S.CosineAnnealingLR(o, T_max=10)],
            milestones=[5],
        ),
        [
            0.03250000000000001,
            0.055000000000000014,
            0.07750000000000003,
            0.10000000000000003,
            0.1,
            0.09755282581475769,
            0.09045084971874738,
            0.07938926261462367,
            0.06545084971874739,
            0.05000000000000001,
            0.03454915028125264,
            0.020610737385376353,
            0.009549150281252635,
            0.002447174185242324,
        ],
    ),
    "chained": (
        lambda o: S.ChainedScheduler(
            [S.ConstantLR(o, factor=0.5, total_iters=3), S.ExponentialLR(o, gamma=0.9)]
        ),
        [
            0.045000000000000005,
            0.04050000000000001,
            0.07290000000000002,
            0.06561000000000002,
            0.05904900000000002,
            0.05314410000000002,
            0.04782969000000002,
            0.043046721000000024,
            0.03874204890000002,
            0.03486784401000002,
            0.03138105960900001,
            0.028242953648100012,
            0.025418658283290013,
            0.022876792454961013,
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(TORCH_SEQUENCES))
def test_sequence_matches_pytorch(name):
    make, expected = TORCH_SEQUENCES[name]
    assert lrs(run(make, len(expected))) == expected


def test_onecycle_cycles_momentum_and_adams_beta1():
    # torch's momentum (SGD) and beta1 (Adam) under OneCycleLR(max_lr=0.5, total_steps=26).
    expected = [
        0.9447581645677531,
        0.9301317318189628,
        0.9091874758908285,
        0.8863168504963959,
        0.8663152178176721,
        0.8533763885297821,
    ]
    make = lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=26)
    for kind in ("sgd", "adam"):
        history = run(make, 6, kind=kind)
        assert [entry[0][1] for entry in history] == expected


def test_onecycle_three_phase_linear_on_the_second_group():
    expected = [
        0.14494117647058824,
        0.25788235294117645,
        0.37082352941176466,
        0.483764705882353,
        0.5967058823529413,
        0.7096470588235294,
        0.7774117647058824,
        0.6644705882352941,
        0.5515294117647059,
        0.43858823529411767,
        0.3256470588235294,
        0.2127058823529412,
        0.09976470588235287,
        0.030877305263157896,
        0.02807056842105263,
        0.02526383157894737,
        0.022457094736842105,
        0.01965035789473684,
        0.01684362105263158,
        0.014036884210526318,
        0.011230147368421053,
        0.008423410526315792,
        0.005616673684210528,
        0.0028099368421052665,
        3.2000000000018125e-06,
    ]
    make = lambda o: S.OneCycleLR(
        o, max_lr=[0.5, 0.8], total_steps=26, anneal_strategy="linear", three_phase=True
    )
    assert lrs(run(make, 25, two_groups=True), group=1) == expected


def test_onecycle_refuses_to_step_past_the_end():
    optimizer = make_optimizer()
    scheduler = S.OneCycleLR(optimizer, max_lr=0.5, total_steps=3)
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    with pytest.raises(ValueError, match="^Tried to step 4 times. The specified number of total"):
        scheduler.step()


def test_two_schedulers_on_one_optimizer_multiply():
    # ExponentialLR(0.9) and MultiStepLR([3, 6], 0.1) stepped in turn, as the tutorials do.
    optimizer = make_optimizer()
    first = S.ExponentialLR(optimizer, gamma=0.9)
    second = S.MultiStepLR(optimizer, milestones=[3, 6], gamma=0.1)
    seen = []
    for _ in range(10):
        optimizer.step()
        first.step()
        second.step()
        seen.append(second.get_last_lr()[0])
    assert seen == [
        0.09000000000000001,
        0.08100000000000002,
        0.007290000000000002,
        0.006561000000000002,
        0.005904900000000002,
        0.0005314410000000002,
        0.0004782969000000002,
        0.0004304672100000002,
        0.0003874204890000002,
        0.00034867844010000017,
    ]


# ----- ReduceLROnPlateau -----------------------------------------------------------------


def plateau_run(losses, **options):
    optimizer = make_optimizer()
    scheduler = S.ReduceLROnPlateau(optimizer, **options)
    seen = []
    for loss in losses:
        optimizer.step()
        scheduler.step(loss)
        seen.append(scheduler.get_last_lr()[0])
    return seen


def test_plateau_min_rel_with_cooldown_and_min_lr():
    losses = [1.0, 0.95, 0.93, 0.92, 0.8, 0.79, 0.79, 0.78] + [0.5] * 12
    seen = plateau_run(losses, factor=0.5, patience=2, cooldown=1, min_lr=0.01, threshold=0.1)
    # Recorded from torch: 0.95, 0.93, 0.92 are not 10% better than 1.0, so the third bad
    # epoch halves the rate; the cooldown then skips one epoch; min_lr stops at 0.01.
    assert seen == [
        0.1,
        0.1,
        0.1,
        0.05,
        0.05,
        0.05,
        0.05,
        0.025,
        0.025,
        0.025,
        0.025,
        0.0125,
        0.0125,
        0.0125,
        0.0125,
        0.01,
        0.01,
        0.01,
        0.01,
        0.01,
    ]


def test_plateau_max_abs():
    losses = [0.1, 0.2, 0.22, 0.23, 0.3, 0.31, 0.33, 0.34, 0.35, 0.36]
    seen = plateau_run(
        losses, mode="max", factor=0.3, patience=1, threshold=0.05, threshold_mode="abs"
    )
    assert seen == [
        0.1,
        0.1,
        0.1,
        0.03,
        0.03,
        0.03,
        0.009,
        0.009,
        0.0026999999999999997,
        0.0026999999999999997,
    ]


def test_plateau_state_dict_round_trip():
    optimizer = make_optimizer()
    scheduler = S.ReduceLROnPlateau(optimizer, patience=1)
    for loss in [1.0, 2.0]:
        scheduler.step(loss)
    saved = scheduler.state_dict()
    assert saved["best"] == 1.0 and saved["num_bad_epochs"] == 1 and "optimizer" not in saved
    other = S.ReduceLROnPlateau(make_optimizer(), patience=1)
    other.load_state_dict(saved)
    other.step(3.0)
    assert other.optimizer.param_groups[0]["lr"] == pytest.approx(0.01)


# ----- state_dict, warnings, errors ----------------------------------------------------------


@pytest.mark.parametrize("name", ["step", "cosine", "cyclic", "warm_restarts"])
def test_state_dict_round_trip_continues_identically(name):
    make, _ = CLOSED_FORMS[name]
    full = lrs(run(make, 12))
    optimizer = make_optimizer()
    scheduler = make(optimizer)
    for _ in range(5):
        optimizer.step()
        scheduler.step()
    saved = scheduler.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 5
    resumed_optimizer = make_optimizer()
    resumed_optimizer.load_state_dict(optimizer.state_dict())
    resumed = make(resumed_optimizer)
    resumed.load_state_dict(saved)
    rest = []
    for _ in range(7):
        resumed_optimizer.step()
        resumed.step()
        rest.append(resumed_optimizer.param_groups[0]["lr"])
    assert rest == full[5:]


def test_sequential_state_dict_holds_the_inner_schedulers():
    optimizer = make_optimizer()
    make, _ = TORCH_SEQUENCES["sequential"]
    scheduler = make(optimizer)
    saved = scheduler.state_dict()
    assert len(saved["_schedulers"]) == 2 and saved["_milestones"] == [5]


def test_stepping_before_the_optimizer_warns():
    optimizer = make_optimizer()
    scheduler = S.StepLR(optimizer, step_size=2)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before"):
        scheduler.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optimizer.step()
        scheduler.step()


def test_get_lr_outside_step_warns():
    scheduler = S.StepLR(make_optimizer(), step_size=2)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        scheduler.get_lr()


BAD_SCHEDULERS = [
    (
        lambda o: S.ConstantLR(o, factor=2),
        ValueError,
        "Constant multiplicative factor expected to be between 0 and 1.",
    ),
    (
        lambda o: S.LinearLR(o, start_factor=0),
        ValueError,
        "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.",
    ),
    (
        lambda o: S.LinearLR(o, end_factor=2),
        ValueError,
        "Ending multiplicative factor expected to be between 0 and 1.",
    ),
    (
        lambda o: S.OneCycleLR(o, max_lr=0.1),
        ValueError,
        "You must define either total_steps OR (epochs AND steps_per_epoch)",
    ),
    (
        lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="square"),
        ValueError,
        "anneal_strategy must be one of 'cos' or 'linear', instead got square",
    ),
    (lambda o: S.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0."),
    (lambda o: S.ReduceLROnPlateau(o, mode="low"), ValueError, "mode low is unknown!"),
    (
        lambda o: S.CosineAnnealingWarmRestarts(o, T_0=0),
        ValueError,
        "Expected positive integer T_0, but got 0",
    ),
    (
        lambda o: S.SequentialLR(o, [S.StepLR(o, 2)], milestones=[3]),
        ValueError,
        (
            "Sequential Schedulers expects number of schedulers provided to be one more than the "
            "number of milestone points, but got number of schedulers 1 and the number of "
            "milestones to be equal to 1"
        ),
    ),
    (lambda o: S.StepLR("sgd", 2), TypeError, "str is not an Optimizer"),
    (
        lambda o: S.CyclicLR(optim.Rprop([torch.zeros(1, requires_grad=True)]), 0.1, 1.0),
        ValueError,
        "optimizer must support momentum or beta1 with `cycle_momentum` option enabled",
    ),
    (
        lambda o: S.LambdaLR(o, [lambda e: 1.0, lambda e: 1.0]),
        ValueError,
        "Expected 1 lr_lambdas, but got 2",
    ),
]


@pytest.mark.parametrize("make, error, message", BAD_SCHEDULERS)
def test_bad_arguments_raise_pytorchs_errors(make, error, message):
    with pytest.raises(error) as info:
        make(make_optimizer())
    assert str(info.value) == message


def test_old_base_name_and_module_exports():
    assert issubclass(S._LRScheduler, S.LRScheduler)
    assert optim.lr_scheduler.StepLR is S.StepLR
    assert isinstance(S.StepLR(make_optimizer(), 2), S.LRScheduler)
