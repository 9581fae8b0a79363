"""In-place writes through views, and the writes themselves (`copy_`, `fill_`, `zero_`,
`t[key] = value`), recorded as PyTorch records them: the base of a view that is written in
place gets `CopySlices` as its history, and every view of it sees the write (its `grad_fn`
becomes `AsStridedBackward0`). Expected values and node names are PyTorch's."""

from __future__ import annotations

import math
import weakref

import ferrograd as torch
import numpy as np
import pytest
from ferrograd.autograd import gradcheck, gradgradcheck


def kind(node) -> str:
    return type(node).__name__


def names(node) -> list:
    return [None if n is None else kind(n) for n, _ in node.next_functions]


def test_inplace_on_a_view_of_a_non_leaf_rewrites_the_base_history():
    a = torch.ones(3, 4, requires_grad=True)
    b = a * 1
    v = b[0:2]
    assert kind(v.grad_fn) == "SliceBackward0"
    v.mul_(2)
    assert kind(b.grad_fn) == "CopySlices"
    assert names(b.grad_fn) == ["MulBackward0", None]
    assert kind(v.grad_fn) == "AsStridedBackward0"
    assert names(v.grad_fn) == ["CopySlices"]
    b.sum().backward()
    # d(sum b)/da: rows 0 and 1 were doubled, row 2 passes through.
    assert a.grad.tolist() == [[2.0] * 4, [2.0] * 4, [1.0] * 4]


def test_view_of_a_view_writes_into_the_root_base():
    a = torch.ones(3, requires_grad=True)
    c = a * 1
    d = c[1:]
    e = d[0:1]
    e.mul_(5)
    assert e._base is not None and e._base.data_ptr() == c.data_ptr()
    assert kind(c.grad_fn) == "CopySlices"
    assert kind(d.grad_fn) == "AsStridedBackward0"
    assert kind(e.grad_fn) == "AsStridedBackward0"
    c.sum().backward()
    assert a.grad.tolist() == [1.0, 5.0, 1.0]


def test_a_view_sees_an_inplace_write_to_its_base():
    a = torch.ones(3, 4, requires_grad=True)
    c = a * 1
    row = c[0]
    c.mul_(3)
    assert kind(row.grad_fn) == "AsStridedBackward0"
    row.sum().backward()
    assert a.grad.tolist() == [[3.0] * 4, [0.0] * 4, [0.0] * 4]


def test_the_view_and_its_base_both_reach_the_input():
    # c = 2a; v = c[:2] is replaced by exp(v); loss = sum(v) + sum(c), and v's values are in c,
    # so each of a[0], a[1] contributes 2 * (2 * exp(2 a_i)) and a[2] contributes 2.
    x = np.array([0.1, -0.3, 0.7])
    a = torch.tensor(x, requires_grad=True)
    c = a * 2
    v = c[:2]
    v.exp_()
    (v.sum() + c.sum()).backward()
    expected = [4 * math.exp(2 * x[0]), 4 * math.exp(2 * x[1]), 2.0]
    np.testing.assert_allclose(a.grad.numpy(), expected, rtol=1e-12)


def test_inplace_on_a_view_of_a_leaf_that_requires_grad_is_refused():
    a = torch.zeros(3, 4, requires_grad=True)
    with pytest.raises(RuntimeError) as e:
        a[0].mul_(2)
    assert str(e.value) == (
        "a view of a leaf Variable that requires grad is being used in an in-place operation."
    )
    with pytest.raises(RuntimeError, match="a view of a leaf Variable"):
        a[0] = 1.0


NO_GRAD_VIEW = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled."
)


def test_a_view_made_under_no_grad_may_not_be_written_with_grad_on():
    a = torch.ones(3, requires_grad=True)
    b = a * 1
    with torch.no_grad():
        w = b[1:]
    with pytest.raises(RuntimeError) as e:
        w.mul_(2)
    assert str(e.value).startswith(NO_GRAD_VIEW)
    # Also when the value written is what needs the gradient.
    t = torch.zeros(3, 4)
    with torch.no_grad():
        row = t[0]
    with pytest.raises(RuntimeError, match="A view was created in no_grad mode"):
        row.copy_(torch.ones(4, requires_grad=True))
    # Both under no_grad: allowed, and not recorded.
    with torch.no_grad():
        w.mul_(2)
    assert kind(b.grad_fn) == "MulBackward0"


def test_setitem_with_a_value_that_requires_grad():
    t = torch.zeros(3, 4)
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    t[1] = x
    assert kind(t.grad_fn) == "CopySlices"
    assert names(t.grad_fn) == [None, "AccumulateGrad"]
    assert not t.is_leaf and t.requires_grad
    t.sum().backward()
    assert x.grad.tolist() == [1.0] * 4


def test_setitem_slices_values_and_gradient():
    t = torch.zeros(3, 4)
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    t[0, 1:3] = x[:2] * 2
    assert t.tolist() == [[0.0, 2.0, 4.0, 0.0], [0.0] * 4, [0.0] * 4]
    (t * torch.arange(12.0).reshape(3, 4)).sum().backward()
    # t[0, 1] = 2 x0 weighted by 1, t[0, 2] = 2 x1 weighted by 2.
    assert x.grad.tolist() == [2.0, 4.0, 0.0, 0.0]


def test_setitem_twice_accumulates_and_broadcasts():
    t = torch.zeros(2, 3)
    x = torch.ones(3, requires_grad=True)
    t[0] = x
    t[1] = x * 2
    t.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0, 3.0]
    t = torch.zeros(2, 3)
    s = torch.tensor(2.0, requires_grad=True)
    t[:, 1] = s  # a 0-dim value fills the whole view
    t.sum().backward()
    assert s.grad.item() == 2.0


def test_setitem_overwritten_values_get_no_gradient():
    a = torch.ones(2, 3, requires_grad=True)
    b = a * 3
    b[0] = 0.0
    b.sum().backward()
    assert a.grad.tolist() == [[0.0] * 3, [3.0] * 3]


def test_other_views_of_the_base_see_the_write():
    t = torch.zeros(3, 4)
    r = t[2]
    assert r.grad_fn is None and not r.requires_grad
    t[0] = torch.ones(4, requires_grad=True)
    assert kind(r.grad_fn) == "AsStridedBackward0"
    assert r.requires_grad and not r.is_leaf


def test_second_derivative_through_copy_slices():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    t = torch.zeros(2, 3)
    t[0] = x**2
    (g,) = torch.autograd.grad(t.sum(), x, create_graph=True)
    assert g.tolist() == [2.0, 4.0, 6.0]
    g.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_copy_slices_frees_what_the_op_saved():
    a = torch.ones(4, requires_grad=True)
    y = torch.full((2,), 3.0, requires_grad=True)
    b = a * 1
    b[1:3].mul_(y)
    b.sum().backward()
    assert y.grad.tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        b.sum().backward()


def test_saved_value_changed_through_a_view_is_detected():
    a = torch.ones(3, requires_grad=True)
    b = a * 1
    y = b.sin()
    b[0:1].mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_writing_into_a_detached_view_is_not_recorded():
    a = torch.ones(3, requires_grad=True)
    d = (a * 1).detach()[0]
    d.mul_(2)
    assert d.grad_fn is None


def test_the_graph_of_a_written_view_is_freed():
    a = torch.ones(3, requires_grad=True)
    b = a * 1
    b[0:2].mul_(2)
    node = weakref.ref(b.grad_fn)
    del b
    assert node() is None


# The writes themselves.


def test_hand_written_nodes_name_their_namespace():
    # PyTorch's own C++ nodes are named `torch::autograd::CopySlices`; ours name our package.
    a = torch.ones(3, requires_grad=True)
    t = torch.zeros(2, 3)
    t[0] = a
    assert t.grad_fn.name() == "ferrograd::autograd::CopySlices"
    u = torch.zeros(3)
    u.copy_(a)
    assert u.grad_fn.name() == "ferrograd::autograd::CopyBackwards"
    assert u.grad_fn.next_functions[1][0].name() == "ferrograd::autograd::AccumulateGrad"
    assert (a * 2).grad_fn.name() == "MulBackward0"


def test_copy_into_a_tensor_that_needs_no_grad():
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    t = torch.zeros(3, dtype=torch.float64)
    t.copy_(a)
    assert kind(t.grad_fn) == "CopyBackwards"
    assert names(t.grad_fn) == [None, "AccumulateGrad"]
    t.sum().backward()
    assert a.grad.dtype == torch.float32 and a.grad.tolist() == [1.0, 1.0, 1.0]


def test_copy_broadcasts_and_sums_back():
    a = torch.ones(3, requires_grad=True)
    t = torch.zeros(2, 3)
    t.copy_(a)
    t.sum().backward()
    assert a.grad.tolist() == [2.0, 2.0, 2.0]


def test_copy_over_a_non_leaf_drops_the_old_values():
    a = torch.ones(3, requires_grad=True)
    b = a * 1
    b.copy_(torch.ones(3))
    assert kind(b.grad_fn) == "CopyBackwards"
    assert names(b.grad_fn) == ["MulBackward0", None]
    b.sum().backward()
    assert a.grad.tolist() == [0.0, 0.0, 0.0]


def test_copy_into_a_leaf_that_requires_grad_is_refused():
    a = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        a.copy_(torch.zeros(3))
    with torch.no_grad():
        a.copy_(torch.zeros(3))
    assert a.tolist() == [0.0, 0.0, 0.0] and a.is_leaf


@pytest.mark.parametrize(
    "write, name",
    [(lambda b: b.fill_(2), "FillBackward2"), (lambda b: b.zero_(), "ZeroBackward0")],
)
def test_fill_and_zero_record_a_zero_gradient(write, name):
    a = torch.ones(3, requires_grad=True)
    b = a * 1
    write(b)
    assert kind(b.grad_fn) == name
    assert names(b.grad_fn) == ["MulBackward0"]
    b.sum().backward()
    assert a.grad.tolist() == [0.0, 0.0, 0.0]


def test_fill_with_a_tensor_value():
    s = torch.tensor(2.0, requires_grad=True)
    t = torch.zeros(2, 3)
    t.fill_(s)
    assert kind(t.grad_fn) == "FillBackward3"
    assert t.tolist() == [[2.0] * 3] * 2
    t.sum().backward()
    assert s.grad.item() == 6.0
    with pytest.raises(RuntimeError, match="fill_ only supports 0-dimension value tensor"):
        t.fill_(torch.ones(2))


def test_writes_into_views_against_finite_differences():
    def f(x, y):
        b = x * 1
        b[1:, ::2].mul_(y)
        b[0] = y.sum() * b[1].clone()  # b[1] itself changes when b[0] is written
        return b

    x = torch.rand(3, 4, dtype=torch.float64, requires_grad=True)
    y = torch.rand(2, 2, dtype=torch.float64, requires_grad=True)
    assert gradcheck(f, (x, y))
    assert gradgradcheck(f, (x, y))


SAMPLERS = [
    (lambda t: t.uniform_(), "UniformBackward0"),
    (lambda t: t.normal_(), "NormalBackward0"),
    (lambda t: t.random_(0, 5), "RandomBackward0"),
    (lambda t: t.random_(), "RandomBackward2"),
    (lambda t: t.bernoulli_(0.5), "BernoulliBackward2"),
    (lambda t: t.exponential_(), "ExponentialBackward0"),
]


@pytest.mark.parametrize("write, name", SAMPLERS, ids=[n for _, n in SAMPLERS])
def test_random_samplers_record_a_zero_gradient(write, name):
    a = torch.ones(3, requires_grad=True)
    b = a * 1
    write(b)
    assert kind(b.grad_fn) == name
    b.sum().backward()
    assert a.grad.tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        write(a)


def test_out_of_place_samplers_give_their_parameters_a_zero_gradient():
    p = torch.full((2, 2), 0.5, requires_grad=True)
    draws = torch.bernoulli(p)
    assert kind(draws.grad_fn) == "BernoulliBackward0"
    draws.sum().backward()
    assert p.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    mean = torch.zeros(2, 2, requires_grad=True)
    std = torch.ones(2, 2, requires_grad=True)
    z = torch.normal(mean, std)
    assert kind(z.grad_fn) == "NormalBackward3"
    z.sum().backward()
    assert (
        mean.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]] and std.grad.tolist() == mean.grad.tolist()
    )
