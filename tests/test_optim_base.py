"""The Optimizer base: param groups, reprs, state_dict layout and round trips, checks and their
messages (recorded from PyTorch), zero_grad, closures, hooks."""

from __future__ import annotations

import copy
import warnings

import ferrograd as torch
import numpy as np
import pytest
from ferrograd import optim
from ferrograd.optim.optimizer import register_optimizer_step_pre_hook


def leaf(values, dtype=torch.float32):
    return torch.tensor(values, dtype=dtype, requires_grad=True)


# Printed by torch.optim for an optimizer over one tensor with default options.
REPRS = {
    optim.Adam: "Adam (\nParameter Group 0\n    amsgrad: False\n    betas: (0.9, 0.999)\n"
    "    capturable: False\n    decoupled_weight_decay: False\n    differentiable: False\n"
    "    eps: 1e-08\n    foreach: None\n    fused: None\n    lr: 0.001\n    maximize: False\n"
    "    weight_decay: 0\n)",
    optim.SGD: "SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False\n"
    "    foreach: None\n    fused: None\n    lr: 0.001\n    maximize: False\n    momentum: 0\n"
    "    nesterov: False\n    weight_decay: 0\n)",
    optim.AdamW: "AdamW (\nParameter Group 0\n    amsgrad: False\n    betas: (0.9, 0.999)\n"
    "    capturable: False\n    decoupled_weight_decay: True\n    differentiable: False\n"
    "    eps: 1e-08\n    foreach: None\n    fused: None\n    lr: 0.001\n    maximize: False\n"
    "    weight_decay: 0.01\n)",
    optim.LBFGS: "LBFGS (\nParameter Group 0\n    history_size: 100\n    line_search_fn: None\n"
    "    lr: 1\n    max_eval: 25\n    max_iter: 20\n    maximize: False\n"
    "    tolerance_change: 1e-09\n    tolerance_grad: 1e-07\n)",
    optim.Rprop: "Rprop (\nParameter Group 0\n    capturable: False\n    differentiable: False\n"
    "    etas: (0.5, 1.2)\n    foreach: None\n    lr: 0.01\n    maximize: False\n"
    "    step_sizes: (1e-06, 50)\n)",
}


@pytest.mark.parametrize("cls", list(REPRS), ids=lambda c: c.__name__)
def test_repr_matches_pytorch(cls):
    assert repr(cls([leaf([0.0, 0.0])])) == REPRS[cls]


def test_repr_with_two_groups():
    w, b = leaf([0.0, 0.0]), leaf([0.0])
    sgd = optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    group = (
        "    dampening: 0\n    differentiable: False\n    foreach: None\n    fused: None\n"
        "    lr: {lr}\n    maximize: False\n    momentum: 0.9\n    nesterov: False\n"
        "    weight_decay: 0\n"
    )
    expected = (
        "SGD (\nParameter Group 0\n"
        + group.format(lr=0.1)
        + "\nParameter Group 1\n"
        + group.format(lr=0.5)
        + ")"
    )
    assert repr(sgd) == expected


def test_groups_take_defaults_and_keep_their_own_values():
    w, b = leaf([1.0]), leaf([2.0])
    sgd = optim.SGD([{"params": [w]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in sgd.param_groups] == [0.1, 0.5]
    assert sgd.param_groups[1]["params"][0] is b and sgd.param_groups[1]["momentum"] == 0.9
    assert sgd.defaults["lr"] == 0.1


def adam_after_one_step():
    w, b = leaf([0.0, 0.0]), leaf([0.0])
    adam = optim.Adam([w, b], lr=0.1)
    (w.sum() + b.sum()).backward()
    adam.step()
    return adam


def test_state_dict_layout_matches_pytorch():
    state_dict = adam_after_one_step().state_dict()
    # torch.optim.Adam's state_dict for the same run.
    assert state_dict["param_groups"] == [
        {
            "lr": 0.1,
            "betas": (0.9, 0.999),
            "eps": 1e-08,
            "weight_decay": 0,
            "amsgrad": False,
            "maximize": False,
            "foreach": None,
            "capturable": False,
            "differentiable": False,
            "fused": None,
            "decoupled_weight_decay": False,
            "params": [0, 1],
        }
    ]
    assert list(state_dict["param_groups"][0])[-1] == "params"
    assert sorted(state_dict["state"]) == [0, 1]
    first = state_dict["state"][0]
    assert list(first) == ["step", "exp_avg", "exp_avg_sq"]
    assert first["step"].dtype == torch.float32 and first["step"].shape == ()
    assert first["step"].item() == 1.0
    np.testing.assert_allclose(first["exp_avg"].tolist(), [0.1, 0.1], rtol=1e-6)
    np.testing.assert_allclose(first["exp_avg_sq"].tolist(), [0.001, 0.001], rtol=1e-5)


# The state keys torch.optim keeps per parameter (all float32: 0-dim counters and moments).
STATE_KEYS = {
    optim.NAdam: ["step", "mu_product", "exp_avg", "exp_avg_sq"],
    optim.RMSprop: ["step", "square_avg"],
    optim.ASGD: ["step", "eta", "mu", "ax"],
    optim.Rprop: ["step", "prev", "step_size"],
    optim.Adadelta: ["step", "square_avg", "acc_delta"],
    optim.Adamax: ["step", "exp_avg", "exp_inf"],
    optim.RAdam: ["step", "exp_avg", "exp_avg_sq"],
    optim.Adagrad: ["step", "sum"],
}


@pytest.mark.parametrize("cls", list(STATE_KEYS), ids=lambda c: c.__name__)
def test_state_keys_match_pytorch(cls):
    w = leaf([1.0, 2.0])
    optimizer = cls([w])
    w.sum().backward()
    optimizer.step()
    state = optimizer.state_dict()["state"][0]
    assert list(state) == STATE_KEYS[cls]
    assert all(value.dtype == torch.float32 for value in state.values())
    assert state["step"].shape == () and state["step"].item() == 1.0


def test_sgd_momentum_buffer_is_the_only_state():
    w = leaf([1.0, 2.0])
    sgd = optim.SGD([w], lr=0.1, momentum=0.9)
    w.sum().backward()
    sgd.step()
    assert list(sgd.state_dict()["state"][0]) == ["momentum_buffer"]
    assert sgd.state_dict()["state"][0]["momentum_buffer"].tolist() == [1.0, 1.0]
    plain = optim.SGD([w], lr=0.1)
    plain.step()
    assert plain.state_dict()["state"] == {}


def quadratic_run(cls, options, state_dict=None, steps=3):
    """Parameters (and the optimizer) after `steps` steps on sum((w - 1)^2 * [1, 2, 3])."""
    w = leaf([0.5, -1.0, 2.0])
    optimizer = cls([w], **options)
    if state_dict is not None:
        optimizer.load_state_dict(state_dict)
    for _ in range(steps):
        optimizer.zero_grad()
        (((w - 1) ** 2) * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
        optimizer.step()
    return w, optimizer


@pytest.mark.parametrize(
    "cls, options",
    [
        (optim.Adam, {"lr": 0.1, "amsgrad": True}),
        (optim.SGD, {"lr": 0.1, "momentum": 0.9}),
        (optim.NAdam, {"lr": 0.1}),
        (optim.RMSprop, {"lr": 0.01, "centered": True, "momentum": 0.5}),
        (optim.ASGD, {"lr": 0.1, "t0": 1}),
        (optim.Rprop, {"lr": 0.1}),
        (optim.Adagrad, {"lr": 0.1}),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else "",
)
def test_state_dict_round_trip_continues_identically(cls, options):
    w_full, _ = quadratic_run(cls, options, steps=6)
    w_half, first = quadratic_run(cls, options, steps=3)
    saved = copy.deepcopy(first.state_dict())
    # A fresh optimizer over a tensor holding the half-way values, loaded with the saved state.
    # (float32 throughout: loading casts float32 state such as NAdam's mu_product to the
    # parameter's dtype, as PyTorch does, which would change the rounding.)
    w = leaf(w_half.tolist())
    second = cls([w], **dict(options, lr=123.0))
    second.load_state_dict(saved)
    assert second.param_groups[0]["lr"] == options["lr"]
    for _ in range(3):
        second.zero_grad()
        (((w - 1) ** 2) * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
        second.step()
    assert w.tolist() == w_full.tolist()


def test_load_state_dict_casts_moments_to_the_parameter_dtype_but_not_step():
    saved = adam_after_one_step().state_dict()
    w, b = leaf([0.0, 0.0], torch.float64), leaf([0.0], torch.float64)
    adam = optim.Adam([w, b])
    adam.load_state_dict(saved)
    assert adam.state[w]["exp_avg"].dtype == torch.float64
    assert adam.state[w]["step"].dtype == torch.float32


# (constructor call, exception type, message) as torch.optim raises them.
BAD_ARGUMENTS = [
    (lambda w: optim.Adam([w], lr=-1.0), ValueError, "Invalid learning rate: -1.0"),
    (
        lambda w: optim.Adam([w], betas=(1.0, 0.9)),
        ValueError,
        "Invalid beta parameter at index 0: 1.0",
    ),
    (
        lambda w: optim.Adam([w], betas=(0.9, -0.1)),
        ValueError,
        "Invalid beta parameter at index 1: -0.1",
    ),
    (lambda w: optim.Adam([w], eps=-1e-8), ValueError, "Invalid epsilon value: -1e-08"),
    (lambda w: optim.Adam([w], weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    (
        lambda w: optim.Adam([w], betas=(0, 0.9)),
        ValueError,
        "betas must be either both floats or both Tensors",
    ),
    (
        lambda w: optim.SGD([w], lr=0.1, nesterov=True),
        ValueError,
        "Nesterov momentum requires a momentum and zero dampening",
    ),
    (lambda w: optim.SGD([w], lr=0.1, momentum=-0.5), ValueError, "Invalid momentum value: -0.5"),
    (lambda w: optim.Rprop([w], etas=(1.5, 1.2)), ValueError, "Invalid eta values: 1.5, 1.2"),
    (lambda w: optim.Adadelta([w], rho=1.5), ValueError, "Invalid rho value: 1.5"),
    (lambda w: optim.NAdam([w], momentum_decay=-1), ValueError, "Invalid momentum_decay value: -1"),
    (
        lambda w: optim.Adagrad([w], initial_accumulator_value=-1),
        ValueError,
        "Invalid initial_accumulator_value value: -1",
    ),
    (lambda w: optim.RMSprop([w], alpha=-1), ValueError, "Invalid alpha value: -1"),
    (lambda w: optim.ASGD([w], lambd=-1), ValueError, "Invalid lambd value: -1"),
    (lambda w: optim.SGD([], lr=0.1), ValueError, "optimizer got an empty parameter list"),
    (
        lambda w: optim.SGD(w, lr=0.1),
        TypeError,
        (
            "params argument given to the optimizer should be an iterable of Tensors or dicts, "
            "but got ferrograd.FloatTensor"
        ),
    ),
    (
        lambda w: optim.SGD([w, 3], lr=0.1),
        TypeError,
        "optimizer can only optimize Tensors, but one of the params is int",
    ),
    (lambda w: optim.SGD([w * 2], lr=0.1), ValueError, "can't optimize a non-leaf Tensor"),
    (
        lambda w: optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1),
        ValueError,
        "some parameters appear in more than one parameter group",
    ),
    (
        lambda w: optim.SGD([w], lr=0.1).add_param_group([w]),
        TypeError,
        "param_group must be a dict, but got <class 'list'>",
    ),
    (
        lambda w: optim.SGD([w], lr=0.1).add_param_group({"params": {leaf([1.0])}}),
        TypeError,
        (
            "optimizer parameters need to be organized in ordered collections, but the ordering of "
            "tensors in sets will change between runs. Please use a list instead."
        ),
    ),
    (
        lambda w: optim.LBFGS([{"params": [w]}, {"params": [leaf([1.0])]}]),
        ValueError,
        "LBFGS doesn't support per-parameter options (parameter groups)",
    ),
    (
        lambda w: optim.SGD([("a", w), leaf([1.0])], lr=0.1),
        ValueError,
        "all optimizer params should be with/without names. Some param names are missing",
    ),
]


@pytest.mark.parametrize("make, error, message", BAD_ARGUMENTS)
def test_bad_arguments_raise_pytorchs_errors(make, error, message):
    with pytest.raises(error) as info:
        make(leaf([0.0, 0.0]))
    assert str(info.value) == message


def test_load_state_dict_checks_group_sizes():
    w, b = leaf([0.0]), leaf([0.0])
    one = optim.SGD([w], lr=0.1)
    with pytest.raises(ValueError) as info:
        one.load_state_dict(optim.SGD([w, b], lr=0.1).state_dict())
    assert str(info.value) == (
        "loaded state dict contains a parameter group that doesn't match the size of "
        "optimizer's group"
    )
    with pytest.raises(ValueError) as info:
        one.load_state_dict(optim.SGD([{"params": [w]}, {"params": [b]}], lr=0.1).state_dict())
    assert str(info.value) == "loaded state dict has a different number of parameter groups"


def test_duplicate_parameters_warn():
    w = leaf([0.0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        optim.SGD([w, w], lr=0.1)
    assert str(caught[0].message) == (
        "optimizer contains a parameter group with duplicate parameters; in future, this will "
        "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information"
    )


def test_named_parameters_are_kept_as_param_names():
    sgd = optim.SGD({"a": leaf([0.0])}.items(), lr=0.1)
    group = sgd.state_dict()["param_groups"][0]
    assert group["param_names"] == ["a"] and group["params"] == [0]


def test_zero_grad_sets_to_none_or_zeros():
    w = leaf([1.0, 2.0])
    sgd = optim.SGD([w], lr=0.1)
    (w * 3).sum().backward()
    sgd.zero_grad(set_to_none=False)
    assert w.grad.tolist() == [0.0, 0.0]
    sgd.zero_grad()
    assert w.grad is None


def test_parameters_without_grad_are_skipped_and_plain_tensors_work():
    w, unused = leaf([1.0, 2.0]), leaf([5.0])
    adam = optim.Adam([w, unused], lr=0.1)
    (w * w).sum().backward()
    adam.step()
    assert unused.tolist() == [5.0] and len(adam.state[unused]) == 0
    # Adam's first step moves each coordinate by lr (m_hat / sqrt(v_hat) = sign(g)).
    np.testing.assert_allclose(w.tolist(), [0.9, 1.9], rtol=1e-6)
    assert w.grad_fn is None and w.requires_grad


def test_step_runs_without_recording_and_closure_with_grad():
    w = leaf([1.0])
    sgd = optim.SGD([w], lr=0.5)
    seen = []

    def closure():
        seen.append(torch.is_grad_enabled())
        sgd.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with torch.no_grad():
        loss = sgd.step(closure)
    assert seen == [True] and loss.item() == 1.0
    assert w.tolist() == [0.0]  # w - 0.5 * 2w


def test_step_hooks_run_in_order_and_can_be_removed():
    w = leaf([1.0])
    sgd = optim.SGD([w], lr=0.1)
    calls = []
    pre = sgd.register_step_pre_hook(lambda opt, args, kwargs: calls.append(("pre", opt)))
    sgd.register_step_post_hook(lambda opt, args, kwargs: calls.append(("post", opt)))
    global_pre = register_optimizer_step_pre_hook(
        lambda opt, args, kwargs: calls.append(("global", opt))
    )
    w.sum().backward()
    sgd.step()
    assert calls == [("global", sgd), ("pre", sgd), ("post", sgd)]
    pre.remove()
    global_pre.remove()
    calls.clear()
    sgd.step()
    assert calls == [("post", sgd)]


def test_add_param_group_later():
    w, b = leaf([1.0]), leaf([1.0])
    sgd = optim.SGD([w], lr=0.1)
    sgd.add_param_group({"params": [b], "lr": 1.0})
    (w + b).sum().backward()
    sgd.step()
    assert w.tolist() == pytest.approx([0.9]) and b.tolist() == [0.0]
