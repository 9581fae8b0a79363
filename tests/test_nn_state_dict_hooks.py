"""state_dict / load_state_dict hooks and metadata, `to_empty`, and the device methods of
Module that have no backend here.

Orders, keys and messages were recorded from PyTorch 2.x running the same programs.
"""

from __future__ import annotations

import copy
import warnings
from collections import OrderedDict

import ferrograd as torch
import pytest

nn = torch.nn


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(2, 1)
        self.block = nn.Sequential(nn.Linear(1, 1))


def kind(m: nn.Module) -> str:
    return type(m).__name__


# ----- state_dict hooks -----


def test_state_dict_pre_and_post_hooks_order_and_arguments():
    log: list = []
    net = Net()

    def pre(m, prefix, keep_vars):
        log.append(("pre", kind(m), prefix, keep_vars))

    def post(m, sd, prefix, local_metadata):
        log.append(("post", kind(m), prefix, dict(local_metadata), list(sd)))

    net.register_state_dict_pre_hook(pre)
    net.fc.register_state_dict_pre_hook(pre)
    net.fc.register_state_dict_post_hook(post)
    net.register_state_dict_post_hook(post)
    sd = net.state_dict(keep_vars=True)
    assert log == [
        ("pre", "Net", "", True),
        ("pre", "Linear", "fc.", True),
        ("post", "Linear", "fc.", {"version": 1}, ["fc.weight", "fc.bias"]),
        (
            "post",
            "Net",
            "",
            {"version": 1},
            ["fc.weight", "fc.bias", "block.0.weight", "block.0.bias"],
        ),
    ]
    assert dict(sd._metadata) == {
        "": {"version": 1},
        "fc": {"version": 1},
        "block": {"version": 1},
        "block.0": {"version": 1},
    }


def test_state_dict_hook_handles_remove():
    log: list = []
    lin = nn.Linear(1, 1)
    handles = [
        lin.register_state_dict_pre_hook(lambda *a: log.append("pre")),
        lin.register_state_dict_post_hook(lambda *a: log.append("post")),
        lin.register_load_state_dict_pre_hook(lambda *a: log.append("load_pre")),
        lin.register_load_state_dict_post_hook(lambda *a: log.append("load_post")),
    ]
    lin.load_state_dict(lin.state_dict())
    assert log == ["pre", "post", "load_pre", "load_post"]
    for handle in handles:
        handle.remove()
    log.clear()
    lin.load_state_dict(lin.state_dict())
    assert log == []


def test_state_dict_post_hook_edits_in_place_and_must_return_none():
    lin = nn.Linear(1, 1)

    def add_key(m, sd, prefix, local_metadata):
        sd[prefix + "extra"] = torch.zeros(1)

    lin.register_state_dict_post_hook(add_key)
    assert list(lin.state_dict()) == ["weight", "bias", "extra"]
    bad = nn.Linear(1, 1)
    bad.register_state_dict_post_hook(lambda m, sd, p, md: {})
    with pytest.raises(RuntimeError, match="^state_dict post-hook must return None$"):
        bad.state_dict()


def test_private_state_dict_hook_result_replaces_the_dict_at_the_root_only():
    lin = nn.Linear(1, 1)
    lin._register_state_dict_hook(lambda m, sd, p, md: OrderedDict(only=torch.ones(1)))
    assert list(lin.state_dict()) == ["only"]
    assert list(nn.Sequential(lin).state_dict()) == ["0.weight", "0.bias"]

    def hook(m, sd, p, md):
        pass

    other = nn.Linear(1, 1)
    other.register_state_dict_post_hook(hook)
    with pytest.raises(RuntimeError) as info:
        other._register_state_dict_hook(hook)
    assert str(info.value) == (
        "Cannot register the same function as the state dict post hook that was previously "
        "registered via register_state_dict_post_hook"
    )


def test_state_dict_positional_arguments_are_deprecated():
    destination: OrderedDict = OrderedDict()
    with pytest.warns(FutureWarning) as caught:
        nn.Linear(1, 1).state_dict(destination, "pre.")
    assert list(destination) == ["pre.weight", "pre.bias"]
    assert str(caught[0].message) == (
        "Positional args are being deprecated, use kwargs instead. Refer to "
        "https://pytorch.org/docs/main/generated/torch.nn.Module.html#torch.nn.Module.state_dict"
        " for details."
    )


# ----- load_state_dict hooks -----


def test_load_hooks_order_and_arguments():
    log: list = []
    net = Net()

    def pre(m, sd, prefix, local_metadata, strict, missing, unexpected, errors):
        log.append(("pre", kind(m), prefix, sorted(sd), dict(local_metadata), strict))

    def post(m, keys):
        log.append(("post", kind(m), list(keys.missing_keys), list(keys.unexpected_keys)))

    net.register_load_state_dict_pre_hook(pre)
    net.fc.register_load_state_dict_pre_hook(pre)
    # The private form does not pass the module.
    net._register_load_state_dict_pre_hook(lambda sd, prefix, *rest: log.append(("raw", prefix)))
    net.register_load_state_dict_post_hook(post)
    net.block.register_load_state_dict_post_hook(post)
    result = net.load_state_dict(net.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    assert log == [
        (
            "pre",
            "Net",
            "",
            ["block.0.bias", "block.0.weight", "fc.bias", "fc.weight"],
            {"version": 1},
            True,
        ),
        ("raw", ""),
        ("pre", "Linear", "fc.", ["fc.bias", "fc.weight"], {"version": 1}, True),
        ("post", "Sequential", [], []),
        ("post", "Net", [], []),
    ]


def test_load_pre_hook_renames_old_keys():
    net = Net()

    def rename(m, sd, prefix, local_metadata, strict, missing, unexpected, errors):
        for key in list(sd):
            if key.startswith(prefix + "old_"):
                sd[prefix + key[len(prefix) + 4 :]] = sd.pop(key)

    net.fc.register_load_state_dict_pre_hook(rename)
    old = {
        "fc.old_weight": torch.tensor([[5.0, 6.0]]),
        "fc.old_bias": torch.tensor([7.0]),
        "block.0.weight": torch.tensor([[1.0]]),
        "block.0.bias": torch.tensor([2.0]),
    }
    assert repr(net.load_state_dict(old)) == "<All keys matched successfully>"
    assert net.fc.weight.tolist() == [[5.0, 6.0]] and net.fc.bias.tolist() == [7.0]
    # The caller's dict is not changed (the hooks see a copy).
    assert "fc.old_weight" in old


def test_load_post_hook_edits_change_what_strict_reports():
    cleared = Net()

    def clear(m, keys):
        keys.missing_keys.clear()
        keys.unexpected_keys.clear()

    cleared.register_load_state_dict_post_hook(clear)
    result = cleared.load_state_dict({"junk": torch.ones(1)})
    assert repr(result) == "<All keys matched successfully>"

    added = Net()
    added.register_load_state_dict_post_hook(lambda m, k: k.unexpected_keys.append("made.up"))
    with pytest.raises(RuntimeError) as info:
        added.load_state_dict(added.state_dict())
    assert str(info.value) == (
        'Error(s) in loading state_dict for Net:\n\tUnexpected key(s) in state_dict: "made.up". '
    )

    returns = Net()
    returns.register_load_state_dict_post_hook(lambda m, k: 1)
    with pytest.raises(AssertionError) as info:
        returns.load_state_dict(returns.state_dict())
    assert str(info.value) == (
        "Hooks registered with ``register_load_state_dict_post_hook`` are not expected to "
        "return new values, if incompatible_keys need to be modified, it should be done inplace."
    )


def test_load_post_hook_sees_the_keys_when_not_strict():
    net = Net()
    seen: list = []
    net.register_load_state_dict_post_hook(
        lambda m, k: seen.append((list(k.missing_keys), list(k.unexpected_keys)))
    )
    result = net.load_state_dict(
        {"fc.weight": torch.ones(1, 2), "zzz": torch.ones(1)}, strict=False
    )
    missing = ["fc.bias", "block.0.weight", "block.0.bias"]
    assert seen == [(missing, ["zzz"])]
    assert repr(result) == f"_IncompatibleKeys(missing_keys={missing}, unexpected_keys=['zzz'])"


def test_load_pre_hooks_receive_the_saved_version():
    class Versioned(nn.Module):
        _version = 3

        def __init__(self) -> None:
            super().__init__()
            self.p = nn.Parameter(torch.zeros(1))

    m = Versioned()
    sd = m.state_dict()
    assert dict(sd._metadata) == {"": {"version": 3}}
    got: list = []
    m.register_load_state_dict_pre_hook(lambda mod, s, p, md, *rest: got.append(dict(md)))
    m.load_state_dict(sd)
    m.load_state_dict(sd, assign=True)
    m.load_state_dict(dict(sd))  # a plain dict has no _metadata
    assert got == [{"version": 3}, {"version": 3, "assign_to_params_buffers": True}, {}]


def test_deepcopy_keeps_a_load_hook_bound_to_the_copy():
    lin = nn.Linear(1, 1)
    lin.register_load_state_dict_pre_hook(lambda *a: None)
    twin = copy.deepcopy(lin)
    (hook,) = twin._load_state_dict_pre_hooks.values()
    assert hook.module() is twin


def test_scalar_parameter_loads_only_a_one_element_vector():
    class Scalar(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.s = nn.Parameter(torch.tensor(0.0))

    m = Scalar()
    m.load_state_dict({"s": torch.tensor([4.0])})
    assert m.s.item() == 4.0
    with pytest.raises(RuntimeError) as info:
        m.load_state_dict({"s": torch.tensor([4.0, 5.0, 6.0])})
    assert str(info.value) == (
        "Error(s) in loading state_dict for Scalar:\n\tsize mismatch for s: copying a param "
        "with shape ferrograd.Size([3]) from checkpoint, the shape in current model is "
        "ferrograd.Size([])."
    )


def test_extra_state_is_loaded_when_set_extra_state_is_defined():
    # Saving looks at get_extra_state, loading at set_extra_state.
    class OnlySet(nn.Module):
        def set_extra_state(self, state):
            self.got = state

    m = OnlySet()
    assert list(m.state_dict()) == []
    m.load_state_dict({"_extra_state": 5})
    assert m.got == 5
    with pytest.raises(RuntimeError) as info:
        OnlySet().load_state_dict({})
    assert str(info.value) == (
        'Error(s) in loading state_dict for OnlySet:\n\tMissing key(s) in state_dict: "_extra_state". '
    )


# ----- to_empty and device methods -----


def test_to_empty_keeps_shapes_dtypes_and_parameters():
    net = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2)).double()
    weight = net[0].weight
    assert net.to_empty(device="cpu") is net
    assert net[0].weight is weight and isinstance(weight, nn.Parameter)
    got = [
        (name, tuple(t.shape), t.dtype, t.requires_grad, t.device.type)
        for name, t in net.state_dict(keep_vars=True).items()
    ]
    f64 = torch.float64
    assert got == [
        ("0.weight", (2, 3), f64, True, "cpu"),
        ("0.bias", (2,), f64, True, "cpu"),
        ("1.weight", (2,), f64, True, "cpu"),
        ("1.bias", (2,), f64, True, "cpu"),
        ("1.running_mean", (2,), f64, False, "cpu"),
        ("1.running_var", (2,), f64, False, "cpu"),
        ("1.num_batches_tracked", (), torch.int64, False, "cpu"),
    ]


def test_to_empty_recurse_false_leaves_children_and_device_is_keyword_only():
    net = nn.Sequential(nn.Linear(2, 2))
    net.register_buffer("b", torch.ones(2))
    child_weight = net[0].weight.detach().clone()
    net.to_empty(device="cpu", recurse=False)
    assert net[0].weight.tolist() == child_weight.tolist()
    assert tuple(net.b.shape) == (2,)
    with pytest.raises(TypeError, match="takes 1 positional argument but 2 were given"):
        net.to_empty("cpu")


def test_accelerator_methods_without_a_backend():
    # Like PyTorch built without them: an error when there is a tensor to move, else a no-op.
    with pytest.raises(AssertionError, match="not compiled with CUDA enabled.*wgpu"):
        nn.Linear(2, 2).cuda()
    with pytest.raises(AssertionError, match="^Torch not compiled with XPU enabled$"):
        nn.Linear(2, 2).xpu()
    with pytest.raises(RuntimeError, match="^PyTorch is not linked with support for ipu devices$"):
        nn.Linear(2, 2).ipu()
    with pytest.raises(AssertionError, match="^Torch not compiled with MTIA enabled"):
        nn.Linear(2, 2).mtia()
    relu = nn.ReLU()
    assert relu.cuda() is relu and relu.xpu() is relu


def test_compile_warns_and_the_module_still_runs():
    lin = nn.Linear(2, 1)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[1.0, 2.0]]))
        lin.bias.fill_(0.5)
    with pytest.warns(UserWarning, match="no graph compiler"):
        assert lin.compile() is None
    # 1 * 1 + 2 * 3 + 0.5
    assert lin(torch.tensor([1.0, 3.0])).tolist() == [7.5]


def test_get_buffer_and_bfloat16_and_type():
    net = nn.Sequential(nn.BatchNorm1d(2))
    assert net.get_buffer("0.running_mean") is net[0].running_mean
    with pytest.raises(AttributeError, match="^`weight` is not a buffer$"):
        net.get_buffer("0.weight")
    net.bfloat16()
    assert net[0].weight.dtype == torch.bfloat16
    assert net[0].num_batches_tracked.dtype == torch.int64
    # type() casts integer buffers too.
    net.type(torch.float64)
    assert net[0].num_batches_tracked.dtype == torch.float64
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert net.share_memory() is net
