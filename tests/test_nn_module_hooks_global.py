"""Hooks common to all modules (`nn.modules.module.register_module_*`) and the legacy
`Module.register_backward_hook`.

Orders, values and messages were recorded from PyTorch 2.x running the same programs.
"""

from __future__ import annotations

import warnings

import ferrograd as torch
import pytest
from ferrograd.nn.modules import _module_global_hooks
from ferrograd.nn.modules import module as mm
from hypothesis import given
from hypothesis import strategies as st

nn = torch.nn


@pytest.fixture(autouse=True)
def _no_global_hooks_left():
    """Each test starts and ends without global hooks (they would run in every other test)."""
    yield
    tables = [
        value
        for name, value in vars(_module_global_hooks).items()
        if name.startswith("_global_") and isinstance(value, dict)
    ]
    leftovers = [table for table in tables if table]
    for table in tables:
        table.clear()
    # Which kind the global backward hooks are sticks for the process, as in PyTorch.
    _module_global_hooks._BackwardKind.is_full = None
    assert not leftovers, "a test left global hooks registered"


def kind(m: nn.Module) -> str:
    return type(m).__name__


def shapes(grads: tuple) -> list:
    return [None if g is None else tuple(g.shape) for g in grads]


def test_exported_where_pytorch_has_them():
    names = [
        "register_module_forward_pre_hook",
        "register_module_forward_hook",
        "register_module_backward_hook",
        "register_module_full_backward_pre_hook",
        "register_module_full_backward_hook",
        "register_module_buffer_registration_hook",
        "register_module_module_registration_hook",
        "register_module_parameter_registration_hook",
    ]
    for name in names:
        assert callable(getattr(mm, name))
        # torch.nn.modules and torch.nn import only Module from module.py.
        assert not hasattr(nn.modules, name)
        assert not hasattr(nn, name)


def test_global_hooks_run_before_the_modules_own_in_pytorchs_order():
    log: list = []
    net = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
    lin = net[0]
    handles = [
        mm.register_module_forward_pre_hook(lambda m, a: log.append(("gpre", kind(m)))),
        mm.register_module_forward_hook(lambda m, a, o: log.append(("gfwd", kind(m)))),
        mm.register_module_full_backward_pre_hook(
            lambda m, go: log.append(("gbpre", kind(m), shapes(go)))
        ),
        mm.register_module_full_backward_hook(
            lambda m, gi, go: log.append(("gbwd", kind(m), shapes(gi), shapes(go)))
        ),
        lin.register_forward_pre_hook(lambda m, a: log.append(("pre", kind(m)))),
        lin.register_forward_hook(lambda m, a, o: log.append(("fwd", kind(m)))),
        lin.register_full_backward_pre_hook(lambda m, go: log.append(("bpre", kind(m)))),
        lin.register_full_backward_hook(lambda m, gi, go: log.append(("bwd", kind(m)))),
    ]
    x = torch.ones(4, 3, requires_grad=True)
    net(x).sum().backward()
    assert log == [
        ("gpre", "Sequential"),
        ("gpre", "Linear"),
        ("pre", "Linear"),
        ("gfwd", "Linear"),
        ("fwd", "Linear"),
        ("gpre", "ReLU"),
        ("gfwd", "ReLU"),
        ("gfwd", "Sequential"),
        ("gbpre", "Sequential", [(4, 2)]),
        ("gbpre", "ReLU", [(4, 2)]),
        ("gbwd", "ReLU", [(4, 2)], [(4, 2)]),
        ("gbpre", "Linear", [(4, 2)]),
        ("bpre", "Linear"),
        ("gbwd", "Linear", [(4, 3)], [(4, 2)]),
        ("bwd", "Linear"),
        ("gbwd", "Sequential", [(4, 3)], [(4, 2)]),
    ]
    for handle in handles:
        handle.remove()
    log.clear()
    net(x).sum().backward()
    assert log == []


@given(st.lists(st.sampled_from(["global", "local", "local_prepend"]), max_size=8))
def test_forward_hook_order_property(kinds):
    # Globals run first in registration order; then the module's own, where prepend=True puts
    # a hook before all the module's earlier ones.
    log: list = []
    m = nn.Identity()
    globals_: list = []
    locals_: list = []
    handles = []

    def make_hook(i: int):
        return lambda mod, a, o: log.append(i)

    for i, k in enumerate(kinds):
        hook = make_hook(i)
        if k == "global":
            handles.append(mm.register_module_forward_hook(hook))
            globals_.append(i)
        else:
            prepend = k == "local_prepend"
            handles.append(m.register_forward_hook(hook, prepend=prepend))
            locals_.insert(0, i) if prepend else locals_.append(i)
    try:
        m(torch.ones(1))
    finally:
        for handle in handles:
            handle.remove()
    assert log == globals_ + locals_


def test_global_hooks_replace_input_and_output():
    # Identity([1, 2]): the pre-hook doubles the input, the forward hook adds 1.
    h1 = mm.register_module_forward_pre_hook(
        lambda m, a: (a[0] * 2,) if isinstance(m, nn.Identity) else None
    )
    h2 = mm.register_module_forward_hook(
        lambda m, a, o: o + 1 if isinstance(m, nn.Identity) else None
    )
    assert nn.Identity()(torch.tensor([1.0, 2.0])).tolist() == [3.0, 5.0]
    h1.remove()
    h2.remove()
    assert nn.Identity()(torch.tensor([1.0, 2.0])).tolist() == [1.0, 2.0]


def test_global_forward_hook_with_kwargs():
    log: list = []

    class Scaled(nn.Module):
        def forward(self, x, scale=1.0):
            return x * scale

    handle = mm.register_module_forward_hook(
        lambda m, a, k, o: log.append((sorted(k), o.tolist())), with_kwargs=True
    )
    Scaled()(torch.ones(1), scale=2.0)
    handle.remove()
    assert log == [(["scale"], [2.0])]


class Boom(nn.Module):
    def forward(self, x):
        raise ValueError("boom")


def test_always_call_hooks_global_first_and_a_failing_one_only_warns():
    log: list = []
    b = Boom()
    b.register_forward_hook(lambda m, a, o: log.append("local_always"), always_call=True)
    b.register_forward_hook(
        lambda m, a, k, o: log.append(("local_kw", k)), always_call=True, with_kwargs=True
    )
    b.register_forward_hook(lambda m, a, o: log.append("not_always"))

    def bad(m, a, o):
        raise KeyError("inner")

    h1 = mm.register_module_forward_hook(
        lambda m, a, o: log.append(("global_always", o)), always_call=True
    )
    h2 = mm.register_module_forward_hook(bad, always_call=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match="boom"):
            b(torch.ones(1))
    h1.remove()
    h2.remove()
    assert log == [("global_always", None), "local_always", ("local_kw", {})]
    assert [str(w.message) for w in caught] == [
        (
            "global module forward hook with ``always_call=True`` raised an exception that was "
            "silenced as another error was raised in forward: 'inner'"
        )
    ]


def test_always_call_hooks_run_when_a_pre_hook_raises():
    log: list = []
    lin = nn.Linear(1, 1)

    def bad_pre(m, a):
        raise RuntimeError("pre")

    lin.register_forward_pre_hook(bad_pre)
    lin.register_forward_hook(lambda m, a, o: log.append(("always", o)), always_call=True)
    with pytest.raises(RuntimeError, match="pre"):
        lin(torch.ones(1))
    assert log == [("always", None)]


def test_backward_hooks_are_taken_when_the_module_is_called():
    # A hook added between forward and backward waits for the next call.
    log: list = []
    lin = nn.Linear(2, 2)
    lin.register_full_backward_hook(lambda m, gi, go: log.append("first"))
    y = lin(torch.ones(1, 2, requires_grad=True))
    lin.register_full_backward_hook(lambda m, gi, go: log.append("late"))
    handle = mm.register_module_full_backward_hook(lambda m, gi, go: log.append("global_late"))
    y.sum().backward()
    handle.remove()
    assert log == ["first"]


def test_registration_hooks():
    log: list = []
    handles = [
        mm.register_module_buffer_registration_hook(
            lambda m, n, b: log.append(("buf", kind(m), n))
        ),
        mm.register_module_parameter_registration_hook(
            lambda m, n, p: log.append(("param", kind(m), n))
        ),
        mm.register_module_module_registration_hook(
            lambda m, n, s: log.append(("mod", kind(m), n, kind(s)))
        ),
    ]
    nn.BatchNorm1d(2)
    seq = nn.Sequential()
    seq.add_module("a", nn.ReLU())
    seq.b = nn.Tanh()
    for handle in handles:
        handle.remove()
    nn.Linear(1, 1)
    assert log == [
        ("param", "BatchNorm1d", "weight"),
        ("param", "BatchNorm1d", "bias"),
        ("buf", "BatchNorm1d", "running_mean"),
        ("buf", "BatchNorm1d", "running_var"),
        ("buf", "BatchNorm1d", "num_batches_tracked"),
        ("mod", "Sequential", "a", "ReLU"),
        ("mod", "Sequential", "b", "Tanh"),
    ]


def test_registration_hooks_may_replace_the_value():
    class Holder(nn.Module):
        def __init__(self):
            super().__init__()
            self.p = nn.Parameter(torch.zeros(2))
            self.register_buffer("b", torch.zeros(1))
            self.child = nn.ReLU()

    handles = [
        mm.register_module_parameter_registration_hook(
            lambda m, n, p: nn.Parameter(torch.full((2,), 7.0))
        ),
        mm.register_module_buffer_registration_hook(lambda m, n, b: torch.ones(1)),
        mm.register_module_module_registration_hook(lambda m, n, s: nn.Tanh()),
    ]
    h = Holder()
    for handle in handles:
        handle.remove()
    assert h.p.tolist() == [7.0, 7.0]
    assert h.b.tolist() == [1.0]
    assert isinstance(h.child, nn.Tanh)


def test_global_backward_hooks_cannot_mix_kinds():
    mm.register_module_backward_hook(lambda *a: None).remove()
    # The kind chosen first stays, even after its hooks are removed.
    with pytest.raises(RuntimeError) as info:
        mm.register_module_full_backward_hook(lambda *a: None)
    assert str(info.value) == (
        "Cannot use both regular backward hooks and full backward hooks as a "
        "global Module hook. Please use only one of them."
    )


def test_global_legacy_hook_with_a_modules_full_hook():
    # The full hook wraps the output first, so the legacy hook sees that identity's gradients.
    log: list = []
    lin = nn.Linear(2, 2)
    lin.register_full_backward_hook(lambda m, gi, go: log.append(("full", shapes(gi))))
    handle = mm.register_module_backward_hook(
        lambda m, gi, go: log.append(("legacy", kind(m), shapes(gi)))
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        lin(torch.ones(3, 2, requires_grad=True)).sum().backward()
    handle.remove()
    assert log == [("legacy", "Linear", [(3, 2)]), ("full", [(3, 2)])]


# ----- the legacy Module.register_backward_hook -----


def make_linear() -> nn.Linear:
    lin = nn.Linear(3, 2)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]]))
        lin.bias.copy_(torch.tensor([0.1, -0.2]))
    return lin


def test_legacy_backward_hook_sees_the_last_nodes_gradients():
    # y = addmm(b, x, W.t()); loss = sum(y * G), G = [[1, 2], [3, 4]]. The hook is a hook of
    # the addmm node: grad_input = (dL/db = G summed over rows = [4, 6], dL/dx = G @ W,
    # dL/d(W.t()) = x.t() @ G), grad_output = (G,).
    lin = make_linear()
    got: list = []
    lin.register_backward_hook(lambda m, gi, go: got.append((gi, go)))
    x = torch.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = lin(x)
    assert [(w.category, str(w.message)) for w in caught] == [
        (
            FutureWarning,
            (
                "Using a non-full backward hook when the forward contains multiple autograd "
                "Nodes is deprecated and will be removed in future versions. This hook will be "
                "missing some grad_input. Please use register_full_backward_hook to get the "
                "documented behavior."
            ),
        )
    ]
    (y * torch.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    (grad_input, grad_output) = got[0]
    assert [g.tolist() for g in grad_input] == [
        [4.0, 6.0],
        [[-1.0, 3.0, 3.0], [-1.0, 8.0, 9.0]],
        [[1.0, 2.0], [-1.0, 0.0], [6.0, 10.0]],
    ]
    assert [g.tolist() for g in grad_output] == [[[1.0, 2.0], [3.0, 4.0]]]
    assert x.grad.tolist() == [[-1.0, 3.0, 3.0], [-1.0, 8.0, 9.0]]
    assert lin.weight.grad.tolist() == [[1.0, -1.0, 6.0], [2.0, 0.0, 10.0]]


def test_legacy_backward_hook_may_replace_gradients():
    lin = nn.Linear(3, 2)
    lin.register_backward_hook(lambda m, gi, go: tuple(None if g is None else g * 0 for g in gi))
    x = torch.ones(2, 3, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        lin(x).sum().backward()
    assert x.grad.tolist() == [[0.0] * 3] * 2
    assert lin.bias.grad.tolist() == [0.0, 0.0]


def test_legacy_backward_hook_input_without_grad_is_none():
    lin = nn.Linear(3, 2)
    got: list = []
    lin.register_backward_hook(lambda m, gi, go: got.append(shapes(gi)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        lin(torch.ones(2, 3)).sum().backward()
    assert got == [[(2,), None, (3, 2)]]


def test_legacy_backward_hook_on_a_one_op_module():
    # tanh'(x) = 1 - tanh(x)^2: at 0 that is 1, at 1 it is 0.41997...
    t = nn.Tanh()
    got: list = []
    t.register_backward_hook(lambda m, gi, go: got.append((gi, go)))
    x = torch.tensor([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        t(x).sum().backward()
    (grad_input,), (grad_output,) = got[0]
    assert grad_input.tolist() == pytest.approx([1.0, 0.41997429728507996], rel=1e-6)
    assert grad_output.tolist() == [1.0, 1.0]


def test_legacy_and_full_backward_hooks_do_not_mix_on_a_module():
    message = (
        "Cannot use both regular backward hooks and full backward hooks on a single Module. "
        "Please use only one of them."
    )
    legacy = nn.Linear(1, 1)
    legacy.register_backward_hook(lambda *a: None)
    with pytest.raises(RuntimeError) as info:
        legacy.register_full_backward_hook(lambda *a: None)
    assert str(info.value) == message
    full = nn.Linear(1, 1)
    handle = full.register_full_backward_hook(lambda *a: None)
    handle.remove()
    with pytest.raises(RuntimeError) as info:
        full.register_backward_hook(lambda *a: None)
    assert str(info.value) == message


def test_always_call_hook_sees_the_output_an_earlier_hook_replaced():
    # Identity(1) -> the first hook returns 11 -> the second raises; the always-called hook
    # still runs, with the replaced output.
    log: list = []
    m = nn.Identity()
    m.register_forward_hook(lambda mod, a, o: o + 10)

    def bad(mod, a, o):
        raise ValueError("hook")

    m.register_forward_hook(bad)
    m.register_forward_hook(lambda mod, a, o: log.append(o.tolist()), always_call=True)
    with pytest.raises(ValueError, match="hook"):
        m(torch.ones(1))
    assert log == [[11.0]]
