"""Loading an optimizer state whose param groups lack newer options fills them in.

The filled-in keys, values and order were recorded from PyTorch 2.x: a state_dict whose group
keeps only `params` and `lr` was loaded into each optimizer.
"""

from __future__ import annotations

import pickle

import ferrograd as torch
import pytest

FILLED = {
    "Adadelta": {"foreach": None, "maximize": False, "differentiable": False, "capturable": False},
    "Adagrad": {"foreach": None, "maximize": False, "differentiable": False, "fused": None},
    "Adam": {
        "amsgrad": False,
        "maximize": False,
        "foreach": None,
        "capturable": False,
        "differentiable": False,
        "decoupled_weight_decay": False,
        "fused": None,
    },
    "AdamW": {
        "amsgrad": False,
        "maximize": False,
        "foreach": None,
        "capturable": False,
        "differentiable": False,
        "decoupled_weight_decay": True,
        "fused": None,
    },
    "Adamax": {"foreach": None, "maximize": False, "differentiable": False, "capturable": False},
    "ASGD": {"foreach": None, "maximize": False, "differentiable": False, "capturable": False},
    "NAdam": {
        "maximize": False,
        "foreach": None,
        "capturable": False,
        "differentiable": False,
        "decoupled_weight_decay": False,
    },
    "RAdam": {
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "decoupled_weight_decay": False,
        "capturable": False,
    },
    "RMSprop": {
        "momentum": 0,
        "centered": False,
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "capturable": False,
    },
    "Rprop": {"foreach": None, "maximize": False, "differentiable": False, "capturable": False},
    "SGD": {
        "nesterov": False,
        "maximize": False,
        "foreach": None,
        "differentiable": False,
        "fused": False,
    },
    "LBFGS": {},
}


@pytest.mark.parametrize("name", sorted(FILLED))
def test_old_param_groups_get_the_newer_options(name):
    param = torch.nn.Parameter(torch.ones(2))
    opt = getattr(torch.optim, name)([param], lr=0.5)
    sd = opt.state_dict()
    sd["param_groups"] = [{"params": g["params"], "lr": 0.25} for g in sd["param_groups"]]
    opt.load_state_dict(sd)
    group = opt.param_groups[0]
    filled = {k: v for k, v in group.items() if k not in ("params", "lr")}
    # Compared as item lists: the order the keys are added in is PyTorch's too.
    assert list(filled.items()) == list(FILLED[name].items())
    assert group["lr"] == 0.25 and group["params"][0] is param


def test_keys_present_in_the_loaded_group_are_kept():
    param = torch.nn.Parameter(torch.ones(2))
    opt = torch.optim.SGD([param], lr=0.5, momentum=0.9, nesterov=True, maximize=True)
    opt.load_state_dict(opt.state_dict())
    assert opt.param_groups[0]["nesterov"] is True and opt.param_groups[0]["maximize"] is True


def test_adamw_always_decouples_weight_decay_after_loading():
    # AdamW.__setstate__ forces the option, even over a saved False (an Adam state).
    param = torch.nn.Parameter(torch.ones(2))
    adam_state = torch.optim.Adam([param]).state_dict()
    adamw = torch.optim.AdamW([param])
    adamw.load_state_dict(adam_state)
    assert adamw.param_groups[0]["decoupled_weight_decay"] is True


def test_unpickled_optimizer_gets_the_options_too():
    param = torch.nn.Parameter(torch.ones(2))
    opt = torch.optim.RMSprop([param], lr=0.5)
    del opt.param_groups[0]["centered"]
    clone = pickle.loads(pickle.dumps(opt))
    assert clone.param_groups[0]["centered"] is False
