"""nn.Module machinery: registration, traversal, state_dict, modes, conversion, hooks, copies.

Reprs and error messages were recorded from PyTorch (with `torch.` read as `ferrograd.` where
PyTorch names its own types).
"""

from __future__ import annotations

import copy
import pickle
import warnings
from collections import OrderedDict

import ferrograd as torch
import numpy as np
import pytest
from ferrograd import nn


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.block = nn.Sequential(nn.ReLU(), nn.Linear(3, 2))
        self.register_buffer("steps", torch.zeros(1))
        self.register_buffer("scratch", torch.zeros(2), persistent=False)

    def forward(self, x):
        return self.block(self.fc1(x))


NET_REPR = """Net(
  (fc1): Linear(in_features=4, out_features=3, bias=True)
  (block): Sequential(
    (0): ReLU()
    (1): Linear(in_features=3, out_features=2, bias=True)
  )
)"""


def set_linear(lin: nn.Linear, weight: list, bias: list) -> None:
    with torch.no_grad():
        lin.weight.copy_(torch.tensor(weight))
        lin.bias.copy_(torch.tensor(bias))


# ----- registration and the attribute protocol -----


def test_registration_through_attributes():
    m = Net()
    assert list(m._parameters) == []
    assert list(m._modules) == ["fc1", "block"]
    assert list(m._buffers) == ["steps", "scratch"]
    assert isinstance(m.fc1.weight, nn.Parameter)
    # Reassigning a registered name to None keeps the slot but drops the value.
    m.fc1.bias = None
    assert "bias" in m.fc1._parameters and m.fc1.bias is None
    # A plain attribute stays a plain attribute.
    m.note = 3
    assert "note" in m.__dict__ and m.note == 3


def test_reassigning_a_name_moves_it_between_registries():
    m = nn.Module()
    m.register_buffer("x", torch.zeros(1))
    m.x = nn.Parameter(torch.ones(1))
    assert "x" in m._parameters and "x" not in m._buffers
    # A registered parameter name only takes a Parameter or None (PyTorch checks this first).
    with pytest.raises(TypeError, match="as parameter 'x' \\(torch.nn.Parameter or None expected"):
        m.x = nn.Linear(1, 1)
    m.y = nn.Linear(1, 1)
    m.y = nn.Parameter(torch.ones(1))
    assert "y" in m._parameters and "y" not in m._modules


def test_buffer_class_registers_with_its_persistence():
    m = nn.Module()
    m.a = nn.Buffer(torch.ones(2), persistent=False)
    m.b = torch.ones(1)  # a plain tensor is not a buffer
    assert "a" in m._buffers and "a" in m._non_persistent_buffers_set
    assert "b" not in m._buffers and "b" in m.__dict__
    assert list(m.state_dict()) == []
    m.a = torch.zeros(3)  # reassigning a registered buffer keeps it a non-persistent buffer
    assert m._buffers["a"].shape == (3,) and "a" in m._non_persistent_buffers_set


REGISTRATION_ERRORS = [
    (
        lambda m, l: setattr(l, "weight", torch.zeros(3, 2)),
        TypeError,
        (
            "cannot assign 'ferrograd.FloatTensor' as parameter 'weight' "
            "(torch.nn.Parameter or None expected)"
        ),
    ),
    (
        lambda m, l: setattr(m, "fc1", 3),
        TypeError,
        "cannot assign 'int' as child module 'fc1' (torch.nn.Module or None expected)",
    ),
    (
        lambda m, l: setattr(m, "steps", 3),
        TypeError,
        "cannot assign 'int' as buffer 'steps' (torch.nn.Buffer, torch.Tensor or None expected)",
    ),
    (
        lambda m, l: l.register_parameter("w", torch.zeros(1)),
        TypeError,
        (
            "cannot assign 'ferrograd.FloatTensor' object to parameter 'w' "
            "(torch.nn.Parameter or None required)"
        ),
    ),
    (lambda m, l: l.register_parameter("a.b", None), KeyError, 'parameter name can\'t contain "."'),
    (
        lambda m, l: l.register_parameter("", None),
        KeyError,
        'parameter name can\'t be empty string ""',
    ),
    (
        lambda m, l: l.register_parameter("training", None),
        KeyError,
        "attribute 'training' already exists",
    ),
    (
        lambda m, l: l.register_parameter(3, None),
        TypeError,
        "parameter name should be a string. Got int",
    ),
    (
        lambda m, l: l.register_buffer("b", 3),
        TypeError,
        "cannot assign 'int' object to buffer 'b' (torch Tensor or None required)",
    ),
    (lambda m, l: l.register_buffer("a.b", None), KeyError, 'buffer name can\'t contain "."'),
    (lambda m, l: l.add_module("x", 3), TypeError, "int is not a Module subclass"),
    (lambda m, l: l.add_module("a.b", None), KeyError, 'module name can\'t contain ".", got: a.b'),
    (lambda m, l: l.add_module("", None), KeyError, 'module name can\'t be empty string ""'),
    (lambda m, l: l.add_module("weight", None), KeyError, "attribute 'weight' already exists"),
    (lambda m, l: l.foo, AttributeError, "'Linear' object has no attribute 'foo'"),
    (
        lambda m, l: nn.Module()(1),
        NotImplementedError,
        'Module [Module] is missing the required "forward" function',
    ),
    (lambda m, l: m.train("yes"), ValueError, "training mode is expected to be boolean"),
]


@pytest.mark.parametrize("action, error, message", REGISTRATION_ERRORS)
def test_registration_errors(action, error, message):
    with pytest.raises(error) as info:
        action(Net(), nn.Linear(2, 3))
    text = info.value.args[0]
    assert text == message


@pytest.mark.parametrize(
    "assign, message",
    [
        (lambda self: setattr(self, "w", nn.Parameter(torch.ones(1))), "parameters"),
        (lambda self: setattr(self, "w", nn.Linear(1, 1)), "module"),
        (lambda self: self.register_buffer("w", torch.ones(1)), "buffer"),
    ],
)
def test_assigning_before_init(assign, message):
    class Early(nn.Module):
        def __init__(self) -> None:
            assign(self)

    with pytest.raises(AttributeError, match=rf"^cannot assign {message} before Module\.__init__"):
        Early()


def test_delattr_and_dir():
    lin = nn.Linear(2, 3)
    assert {"weight", "bias", "forward", "training"} <= set(dir(lin))
    del lin.bias
    assert "bias" not in lin._parameters
    with pytest.raises(AttributeError):
        _ = lin.bias
    seq = nn.Sequential(nn.ReLU())
    assert "0" not in dir(seq)  # not a valid identifier, so left out


# ----- walking the tree -----


def test_named_modules_children_and_buffers():
    m = Net()
    assert [n for n, _ in m.named_modules()] == ["", "fc1", "block", "block.0", "block.1"]
    assert [n for n, _ in m.named_modules(prefix="net")][:2] == ["net", "net.fc1"]
    assert [n for n, _ in m.named_children()] == ["fc1", "block"]
    assert list(m.children()) == [m.fc1, m.block]
    assert [n for n, _ in m.named_buffers()] == ["steps", "scratch"]
    assert [n for n, _ in m.named_parameters()] == [
        "fc1.weight",
        "fc1.bias",
        "block.1.weight",
        "block.1.bias",
    ]
    assert next(m.block.named_parameters(prefix="b"))[0] == "b.1.weight"
    assert list(m.named_parameters(recurse=False)) == []
    assert len(list(m.parameters())) == 4


def test_shared_modules_and_parameters_are_listed_once():
    shared = nn.Linear(2, 2)
    m = nn.Sequential(shared, nn.ReLU(), shared)
    assert [n for n, _ in m.named_modules()] == ["", "0", "1"]
    assert len(list(m.named_modules(remove_duplicate=False))) == 4
    assert [n for n, _ in m.named_parameters()] == ["0.weight", "0.bias"]
    assert [n for n, _ in m.named_parameters(remove_duplicate=False)] == [
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
    ]
    # A parameter tied between two layers (weight tying).
    a, b = nn.Linear(3, 3), nn.Linear(3, 3)
    b.weight = a.weight
    tied = nn.ModuleList([a, b])
    assert [n for n, _ in tied.named_parameters()] == ["0.weight", "0.bias", "1.bias"]
    # The memo argument skips modules already seen.
    assert list(m.named_modules(memo={shared})) == [("", m), ("1", m[1])]


def test_get_submodule_parameter_buffer():
    m = Net()
    assert m.get_submodule("block.1") is m.block[1]
    assert m.get_submodule("") is m
    assert m.get_parameter("block.1.bias") is m.block[1].bias
    assert m.get_buffer("steps") is m.steps
    cases = [
        (lambda: m.get_submodule("block.3"), "Sequential has no attribute `3`"),
        (lambda: m.get_submodule("fc1.weight"), "`weight` is not an nn.Module"),
        (lambda: m.get_parameter("block.1.nope"), "Linear has no attribute `nope`"),
        (lambda: m.get_parameter("steps"), "`steps` is not an nn.Parameter"),
        (lambda: m.get_buffer("fc1.weight"), "`weight` is not a buffer"),
    ]
    for action, message in cases:
        with pytest.raises(AttributeError) as info:
            action()
        assert str(info.value) == message


# ----- state_dict -----


def test_state_dict_keys_and_values():
    m = Net()
    sd = m.state_dict()
    assert isinstance(sd, OrderedDict)
    # Own tensors first (parameters, then persistent buffers), then each child in order.
    assert list(sd) == ["steps", "fc1.weight", "fc1.bias", "block.1.weight", "block.1.bias"]
    weight = sd["fc1.weight"]
    assert type(weight) is torch.Tensor and not weight.requires_grad
    # Detached but sharing data with the module.
    with torch.no_grad():
        m.fc1.weight.fill_(2.0)
    assert weight.tolist() == [[2.0] * 4] * 3
    kept = m.state_dict(keep_vars=True)
    assert kept["fc1.weight"] is m.fc1.weight
    assert list(m.fc1.state_dict(prefix="a.")) == ["a.weight", "a.bias"]


def test_load_state_dict_copies_in_place():
    source, target = Net(), Net()
    weight_before = target.fc1.weight
    result = target.load_state_dict(source.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert target.fc1.weight is weight_before  # same Parameter, new values
    np.testing.assert_array_equal(
        target.fc1.weight.detach().numpy(), source.fc1.weight.detach().numpy()
    )
    assert target.fc1.weight.requires_grad and target.fc1.weight.grad_fn is None


def test_load_state_dict_assign_replaces_parameters():
    lin = nn.Linear(2, 1)
    new_weight = torch.ones(1, 2)
    lin.load_state_dict({"weight": new_weight, "bias": torch.zeros(1)}, assign=True)
    assert isinstance(lin.weight, nn.Parameter) and lin.weight.requires_grad
    new_weight.add_(1.0)  # the Parameter shares the loaded tensor's data
    assert lin.weight.tolist() == [[2.0, 2.0]]


def test_load_state_dict_errors():
    m = Net()
    sd = dict(m.state_dict())
    del sd["fc1.bias"]
    sd["extra.w"] = torch.zeros(1)
    sd["fc1.zzz"] = torch.zeros(1)
    with pytest.raises(RuntimeError) as info:
        m.load_state_dict(sd)
    assert str(info.value) == (
        'Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: "fc1.bias". '
        '\n\tUnexpected key(s) in state_dict: "extra.w", "fc1.zzz". '
    )
    result = m.load_state_dict(sd, strict=False)
    assert repr(result) == (
        "_IncompatibleKeys(missing_keys=['fc1.bias'], unexpected_keys=['extra.w', 'fc1.zzz'])"
    )
    with pytest.raises(RuntimeError) as info:
        nn.Linear(4, 3).load_state_dict({"weight": torch.zeros(2, 4), "bias": torch.zeros(5)})
    assert str(info.value) == (
        "Error(s) in loading state_dict for Linear:\n\tsize mismatch for weight: copying a param "
        "with shape ferrograd.Size([2, 4]) from checkpoint, the shape in current model is "
        "ferrograd.Size([3, 4]).\n\tsize mismatch for bias: copying a param with shape "
        "ferrograd.Size([5]) from checkpoint, the shape in current model is ferrograd.Size([3])."
    )
    with pytest.raises(RuntimeError) as info:
        nn.Linear(4, 3).load_state_dict({"weight": 3, "bias": torch.zeros(3)})
    assert str(info.value) == (
        'Error(s) in loading state_dict for Linear:\n\tWhile copying the parameter named "weight", '
        "expected torch.Tensor or Tensor-like object from checkpoint but received <class 'int'>"
    )
    with pytest.raises(
        TypeError, match=r"^Expected state_dict to be dict-like, got <class 'list'>"
    ):
        nn.Linear(4, 3).load_state_dict([1])


# ----- modes, gradients, conversion -----


def test_train_eval_requires_grad_zero_grad():
    m = Net()
    assert m.eval() is m
    assert not any(sub.training for sub in m.modules())
    m.train()
    assert all(sub.training for sub in m.modules())
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    m.requires_grad_()
    m(torch.randn(5, 4)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(p.grad.abs().sum().item() == 0 for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_apply_visits_children_first():
    m = Net()
    seen = []
    assert m.apply(lambda mod: seen.append(type(mod).__name__)) is m
    assert seen == ["Linear", "ReLU", "Linear", "Sequential", "Net"]


def test_to_and_casts_keep_parameter_identity():
    m = Net()
    m.register_buffer("count", torch.zeros(2, dtype=torch.int64))
    weight = m.fc1.weight
    m(torch.randn(2, 4)).sum().backward()
    assert m.to(torch.float64) is m
    assert m.fc1.weight is weight and isinstance(weight, nn.Parameter)
    assert weight.dtype == torch.float64 and weight.grad.dtype == torch.float64
    assert m.steps.dtype == torch.float64
    assert m.count.dtype == torch.int64  # integer buffers keep their dtype
    m.float()
    assert weight.dtype == torch.float32 and m.count.dtype == torch.int64
    m.to("cpu", torch.float64)
    assert weight.dtype == torch.float64
    m.to(torch.zeros(1, dtype=torch.float32))
    assert weight.dtype == torch.float32
    m.to(device="cpu", dtype=torch.float16)
    assert weight.dtype == torch.float16
    m.double()
    assert weight.dtype == torch.float64
    assert m.cpu() is m and m.share_memory() is m
    m.half()
    assert weight.dtype == torch.float16
    with pytest.raises(TypeError) as info:
        m.to(torch.int64)
    assert str(info.value) == (
        "nn.Module.to only accepts floating point or complex dtypes, but got desired "
        "dtype=ferrograd.int64"
    )


# ----- printing -----


def test_repr_nested_and_multiline_extra_repr():
    assert repr(Net()) == NET_REPR

    class Multi(nn.Module):
        def extra_repr(self) -> str:
            return "a=1\nb=2"

    assert repr(Multi()) == "Multi(\n  a=1\n  b=2\n)"
    multi = Multi()
    multi.sub = nn.Linear(1, 1)
    assert repr(multi) == (
        "Multi(\n  a=1\n  b=2\n  (sub): Linear(in_features=1, out_features=1, bias=True)\n)"
    )
    assert repr(nn.Module()) == "Module()"


def test_call_passes_args_and_kwargs():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0, *, shift=0.0):
            return x * factor + shift

    assert Scale()(torch.tensor([1.0, 2.0]), 3.0, shift=1.0).tolist() == [4.0, 7.0]


# ----- hooks -----


def test_forward_hooks_order_arguments_and_removal():
    log = []
    lin = nn.Linear(2, 2)
    set_linear(lin, [[1.0, 2.0], [3.0, 4.0]], [0.5, -0.5])
    handles = [
        lin.register_forward_pre_hook(lambda m, a: log.append(("pre1", a[0].tolist()))),
        lin.register_forward_pre_hook(lambda m, a: (a[0] * 2,)),  # replaces the input
        lin.register_forward_pre_hook(lambda m, a: log.append("pre0"), prepend=True),
        lin.register_forward_hook(lambda m, a, o: log.append(("fwd", a[0].tolist(), o.tolist()))),
        lin.register_forward_hook(lambda m, a, o: o + 1),  # replaces the output
        lin.register_forward_hook(
            lambda m, a, k, o: log.append(("kw", sorted(k))), with_kwargs=True
        ),
    ]
    out = lin(torch.tensor([[1.0, 1.0]]))
    # Recorded from PyTorch: x doubled to [2, 2]; W x + b = [6.5, 13.5]; then + 1.
    assert log == [
        "pre0",
        ("pre1", [[1.0, 1.0]]),
        ("fwd", [[2.0, 2.0]], [[6.5, 13.5]]),
        ("kw", []),
    ]
    assert out.tolist() == [[7.5, 14.5]]
    for handle in handles:
        handle.remove()
    assert lin(torch.tensor([[1.0, 1.0]])).tolist() == [[3.5, 6.5]]
    assert not lin._forward_hooks and not lin._forward_pre_hooks
    assert not lin._forward_hooks_with_kwargs


def test_forward_pre_hook_with_kwargs():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    m = Scale()
    m.register_forward_pre_hook(lambda mod, a, k: (a, {"factor": 10.0}), with_kwargs=True)
    assert m(torch.tensor([1.0])).tolist() == [10.0]
    bad = nn.Linear(1, 1)
    bad.register_forward_pre_hook(lambda mod, a, k: 5, with_kwargs=True)
    with pytest.raises(RuntimeError) as info:
        bad(torch.ones(1))
    assert str(info.value) == (
        "forward pre-hook must return None or a tuple of (new_args, new_kwargs), but got 5."
    )


def test_forward_hook_always_call_runs_when_forward_raises():
    log = []

    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    m = Boom()
    m.register_forward_hook(lambda mod, a, o: log.append(("always", o)), always_call=True)
    m.register_forward_hook(lambda mod, a, o: log.append("normal"))
    with pytest.raises(ValueError, match="boom"):
        m(1)
    assert log == [("always", None)]


def test_full_backward_hooks_receive_the_gradients():
    log = []
    lin = nn.Linear(2, 2)
    set_linear(lin, [[1.0, 2.0], [3.0, 4.0]], [0.5, -0.5])
    lin.register_full_backward_pre_hook(
        lambda m, go: log.append(("bpre", [g.tolist() for g in go]))
    )
    lin.register_full_backward_hook(
        lambda m, gi, go: log.append(("bw", [g.tolist() for g in gi], [g.tolist() for g in go]))
    )
    x = torch.tensor([[1.0, -2.0]], requires_grad=True)
    (lin(x) * torch.tensor([[1.0, 10.0]])).sum().backward()
    # grad_output = [1, 10]; grad_input = grad_output @ W = [1 + 30, 2 + 40].
    assert log == [
        ("bpre", [[[1.0, 10.0]]]),
        ("bw", [[[31.0, 42.0]]], [[[1.0, 10.0]]]),
    ]
    assert x.grad.tolist() == [[31.0, 42.0]]
    assert lin.weight.grad.tolist() == [[1.0, -2.0], [10.0, -20.0]]


def test_full_backward_hooks_can_replace_gradients():
    lin = nn.Linear(2, 2)
    set_linear(lin, [[1.0, 2.0], [3.0, 4.0]], [0.0, 0.0])
    lin.register_full_backward_pre_hook(lambda m, go: (go[0] * 2,))
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0] + 100,))
    x = torch.tensor([[1.0, -2.0]], requires_grad=True)
    lin(x).sum().backward()
    # Doubled grad_output [2, 2] flows to W ([2x, 2x]) and to x ([8, 12]), then x gets + 100.
    assert x.grad.tolist() == [[108.0, 112.0]]
    assert lin.weight.grad.tolist() == [[2.0, -4.0], [2.0, -4.0]]
    wrong = nn.Linear(2, 2)
    wrong.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError) as info:
        wrong(torch.ones(1, 2, requires_grad=True)).sum().backward()
    assert str(info.value) == (
        "Backward hook returned an invalid number of grad_input, got 2, but expected 1"
    )


def test_full_backward_hook_inputs_without_gradient():
    class Two(nn.Module):
        def forward(self, a, b, c=None):
            return a * b if c is None else a * b * c.sum()

    def grads_seen(*args):
        log = []
        t = Two()
        t.register_full_backward_hook(
            lambda m, gi, go: log.append([None if g is None else g.tolist() for g in gi])
        )
        t(*args).sum().backward()
        return log

    a = torch.tensor([2.0, 3.0], requires_grad=True)
    b = torch.tensor([5.0, 7.0])
    # Recorded from PyTorch: inputs that get no gradient are shown as zeros.
    assert grads_seen(b, a) == [[[0.0, 0.0], [5.0, 7.0]]]
    assert grads_seen(a, b, torch.ones(3)) == [[[15.0, 21.0], [0.0, 0.0], [0.0, 0.0, 0.0]]]
    assert grads_seen(a, b, torch.ones(3, requires_grad=True)) == [
        [[15.0, 21.0], [0.0, 0.0], [31.0, 31.0, 31.0]]
    ]

    # An output that gets no gradient is None in grad_output.
    class TwoOut(nn.Module):
        def forward(self, a):
            return a * 2, a * 3

    log = []
    t = TwoOut()
    t.register_full_backward_hook(
        lambda m, gi, go: log.append(([g.tolist() for g in gi], [go[0].tolist(), go[1]]))
    )
    t(torch.ones(2, requires_grad=True))[0].sum().backward()
    assert log == [([[2.0, 2.0]], [[1.0, 1.0], None])]


def test_full_backward_hook_when_no_input_requires_grad():
    log = []
    lin = nn.Linear(2, 1)
    lin.register_full_backward_hook(lambda m, gi, go: log.append((gi, [g.shape for g in go])))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lin(torch.ones(1, 2)).sum().backward()
    assert log == [((None,), [(1, 1)])]
    assert "Full backward hook is firing when gradients are computed with respect to module " in (
        str(caught[0].message)
    )
    lin.register_full_backward_hook(lambda m, gi, go: (torch.ones(1),))
    with pytest.raises(RuntimeError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lin(torch.ones(1, 2)).sum().backward()
    assert str(info.value) == (
        "Backward hook for Modules where no input requires gradient should always return None "
        "or None for all gradients."
    )


# ----- copies -----


def test_deepcopy_gives_independent_parameters():
    m = Net()
    twin = copy.deepcopy(m)
    for (name, p), (_, q) in zip(m.named_parameters(), twin.named_parameters()):
        assert type(q) is nn.Parameter and q.requires_grad, name
        assert q is not p
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
    with torch.no_grad():
        twin.fc1.weight.fill_(7.0)
    assert m.fc1.weight.abs().max().item() < 1.0  # the original is untouched
    # Tied parameters stay tied inside the copy.
    a = nn.Linear(2, 2)
    tied = nn.Sequential(a, nn.Linear(2, 2))
    tied[1].weight = a.weight
    copied = copy.deepcopy(tied)
    assert copied[0].weight is copied[1].weight and copied[0].weight is not a.weight


def test_pickle_round_trip():
    m = Net()
    restored = pickle.loads(pickle.dumps(m))
    assert repr(restored) == NET_REPR
    assert type(restored.fc1.weight) is nn.Parameter and restored.fc1.weight.requires_grad
    for key, value in m.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), restored.state_dict()[key].numpy())
    x = torch.randn(3, 4)
    np.testing.assert_allclose(m(x).detach().numpy(), restored(x).detach().numpy())


def test_parameter_repr_pickle_and_deepcopy():
    p = nn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    frozen = nn.Parameter(torch.tensor([1.0, 2.0]), requires_grad=False)
    assert repr(frozen) == "Parameter containing:\ntensor([1., 2.])"
    back = pickle.loads(pickle.dumps(frozen))
    assert type(back) is nn.Parameter and not back.requires_grad
    assert back.tolist() == [1.0, 2.0]
    twin = copy.deepcopy(p)
    assert type(twin) is nn.Parameter and twin.requires_grad
    twin.data.fill_(0.0)
    assert p.tolist() == [1.0, 2.0]
    # A Parameter shares its data with the tensor it was made from.
    source = torch.zeros(2)
    shared = nn.Parameter(source)
    source.add_(1.0)
    assert shared.tolist() == [1.0, 1.0]
