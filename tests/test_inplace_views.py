"""The in-place view ops `unsqueeze_`, `squeeze_`, `t_`, `transpose_`, `swapdims_`,
`swapaxes_`: the tensor itself (the same Python object, over the same memory) takes the new
shape and strides; the version counter goes up; on a tensor that needs grad the change is
recorded as a node of its own (`UnsqueezeBackward1`, not the out-of-place op's
`UnsqueezeBackward0`). Values, node names and messages are PyTorch's."""

from __future__ import annotations

import ferrograd as torch
import pytest
from ferrograd.autograd import gradcheck, gradgradcheck

nn = torch.nn

OPS = {
    "unsqueeze_": lambda t: t.unsqueeze_(0),
    "squeeze_": lambda t: t.squeeze_(),
    "squeeze_(dim)": lambda t: t.squeeze_(0),
    "squeeze_(dims)": lambda t: t.squeeze_((0,)),
    "t_": lambda t: t.t_(),
    "transpose_": lambda t: t.transpose_(0, 1),
    "swapdims_": lambda t: t.swapdims_(0, 1),
    "swapaxes_": lambda t: t.swapaxes_(0, 1),
}
# On a (1, 3) tensor: PyTorch's result shape and node name for each.
RECORDED = {
    "unsqueeze_": ((1, 1, 3), "UnsqueezeBackward1"),
    "squeeze_": ((3,), "SqueezeBackward3"),
    "squeeze_(dim)": ((3,), "SqueezeBackward4"),
    "squeeze_(dims)": ((3,), "SqueezeBackward5"),
    "t_": ((3, 1), "TBackward1"),
    "transpose_": ((3, 1), "TransposeBackward1"),
    "swapdims_": ((3, 1), "TransposeBackward1"),
    "swapaxes_": ((3, 1), "TransposeBackward1"),
}


@pytest.mark.parametrize("op", OPS)
def test_the_tensor_itself_changes(op):
    x = torch.tensor([[1.0, 2.0, 3.0]])
    ptr = x.data_ptr()
    assert OPS[op](x) is x
    assert x.shape == RECORDED[op][0]
    assert x.data_ptr() == ptr
    assert x._version == 1
    assert x.flatten().tolist() == [1.0, 2.0, 3.0]


def test_strides_are_those_of_the_view():
    # PyTorch: (2, 3) contiguous -> t_ (1, 3); unsqueeze_(1) (3, 3, 1); unsqueeze_(2)
    # (3, 1, 1); unsqueeze_(0) (6, 3, 1); (2, 1, 3).squeeze_() (3, 1).
    assert torch.ones(2, 3).t_().stride() == (1, 3)
    assert torch.ones(2, 3).unsqueeze_(1).stride() == (3, 3, 1)
    assert torch.ones(2, 3).unsqueeze_(2).stride() == (3, 1, 1)
    assert torch.ones(2, 3).unsqueeze_(0).stride() == (6, 3, 1)
    assert torch.ones(2, 1, 3).squeeze_().stride() == (3, 1)
    x = torch.arange(6.0).reshape(2, 3)
    x.t_()
    assert not x.is_contiguous()
    assert x.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]


@pytest.mark.parametrize("op", OPS)
def test_a_leaf_that_requires_grad_is_refused(op):
    a = torch.ones(1, 3, requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match="^a leaf Variable that requires grad is being used in an in-place operation.$",
    ):
        OPS[op](a)
    assert a.shape == (1, 3) and a._version == 0


@pytest.mark.parametrize("op", OPS)
def test_a_non_leaf_records_the_op(op):
    a = torch.ones(1, 3, requires_grad=True)
    b = a * 2
    assert OPS[op](b) is b
    shape, name = RECORDED[op]
    assert b.shape == shape and b._version == 1
    assert b.grad_fn.name() == name
    assert [n.name() for n, _ in b.grad_fn.next_functions] == ["MulBackward0"]
    b.sum().backward()
    assert a.grad.tolist() == [[2.0, 2.0, 2.0]]


@pytest.mark.parametrize("op", OPS)
def test_under_no_grad_a_leaf_may_change_and_stays_a_leaf(op):
    with torch.no_grad():
        d = torch.ones(1, 3, requires_grad=True)
        OPS[op](d)
    assert d.shape == RECORDED[op][0]
    assert d.is_leaf and d.requires_grad and d.grad_fn is None and d._version == 1


def test_the_gradient_goes_back_through_the_new_layout():
    # b = a * a, viewed as a (1, 3) row and transposed to a column; sum(b * w) with w = [1, 2, 3]
    # as a column gives d/da_i = 2 a_i w_i = [2, 8, 18] at a = [1, 2, 3].
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * a
    b.unsqueeze_(0).t_()
    assert b.shape == (3, 1)
    assert b.grad_fn.name() == "TBackward1"
    assert b.grad_fn.next_functions[0][0].name() == "UnsqueezeBackward1"
    (b * torch.tensor([[1.0], [2.0], [3.0]])).sum().backward()
    assert a.grad.tolist() == [2.0, 8.0, 18.0]


def test_gradcheck_and_gradgradcheck():
    def f(a):
        b = a * a
        b.unsqueeze_(1)
        b.t_()
        return b

    a = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64, requires_grad=True)
    assert gradcheck(f, (a,))
    assert gradgradcheck(f, (a,))


def test_a_view_of_a_non_leaf_keeps_its_base_and_other_views_see_the_change():
    a = torch.ones(2, 3, requires_grad=True)
    b = a * 2
    v, w = b[0], b[1]
    v.unsqueeze_(0)
    assert v.shape == (1, 3) and not v.is_leaf and v._version == 1 and b._version == 1
    assert v.grad_fn.name() == "UnsqueezeBackward1"
    # PyTorch: the base keeps its history, and the other view's is rebuilt from it.
    assert b.grad_fn.name() == "MulBackward0"
    assert w.grad_fn.name() == "AsStridedBackward0"
    assert v._base is not None and v._base.data_ptr() == b.data_ptr()
    (v * torch.arange(3.0)).sum().backward()
    assert a.grad.tolist() == [[0.0, 2.0, 4.0], [0.0, 0.0, 0.0]]


def test_views_pytorch_refuses_to_change_in_place():
    a = torch.ones(2, 3, requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match="^a view of a leaf Variable that requires grad is being used in an in-place operation.$",
    ):
        a[0].unsqueeze_(0)
    pieces = (a * 1).split(1)
    with pytest.raises(
        RuntimeError,
        match="is a view and is being modified inplace. This view is the output of a function that returns multiple views.",
    ):
        pieces[0].t_()


def test_a_saved_tensor_changed_by_a_view_op_is_caught():
    a = torch.ones(2, 3, requires_grad=True)
    b = a * 2
    c = b.sin()  # saves b
    b.unsqueeze_(0)
    with pytest.raises(
        RuntimeError,
        match="^one of the variables needed for gradient computation has been modified by an inplace operation",
    ):
        c.sum().backward()


def test_a_retained_gradient_is_that_of_the_old_layout():
    # PyTorch keeps retain_grad on the node that made b, so b.grad is the gradient of the
    # (2, 3) product: the (3, 2) weights transposed back.
    a = torch.ones(2, 3, requires_grad=True, dtype=torch.float64)
    b = a * a
    b.retain_grad()
    b.t_()
    (b * torch.arange(6.0, dtype=torch.float64).reshape(3, 2)).sum().backward()
    assert b.grad.tolist() == [[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]]


def test_a_parameter_stays_a_parameter():
    p = nn.Parameter(torch.ones(3))
    with pytest.raises(RuntimeError, match="leaf Variable"):
        p.unsqueeze_(0)
    with torch.no_grad():
        assert p.unsqueeze_(0) is p
    assert type(p) is nn.Parameter and p.shape == (1, 3) and p.is_leaf and p._version == 1


def test_argument_errors():
    x = torch.ones(2, 3)
    with pytest.raises(
        RuntimeError, match=r"^t_\(\) expects a tensor with <= 2 dimensions, but self is 3D$"
    ):
        torch.ones(2, 3, 4).t_()
    with pytest.raises(
        IndexError,
        match=r"^Dimension out of range \(expected to be in range of \[-3, 2\], but got 3\)$",
    ):
        x.unsqueeze_(3)
    with pytest.raises(
        IndexError,
        match=r"^Dimension out of range \(expected to be in range of \[-2, 1\], but got 5\)$",
    ):
        x.transpose_(0, 5)
    with pytest.raises(RuntimeError, match="^dim 0 appears multiple times in the list of dims$"):
        torch.ones(1, 3).squeeze_((0, 0))
    # A failed op leaves the tensor as it was.
    assert x.shape == (2, 3) and x._version == 0


def test_small_tensors_and_numpy_aliases():
    # t_ leaves 0-d and 1-d tensors as they are (still a write: the version goes up);
    # squeeze_ of a dim that is not 1 changes nothing; unsqueeze_/squeeze_ take `axis`.
    v = torch.ones(3)
    assert v.t_().shape == (3,) and v._version == 1
    assert torch.tensor(1.0).t_().shape == ()
    assert torch.ones(2, 3).squeeze_(0).shape == (2, 3)
    assert torch.ones(2, 3).unsqueeze_(axis=0).shape == (1, 2, 3)
    assert torch.ones(1, 3).squeeze_(axis=0).shape == (3,)
    assert torch.ones(2, 3).swapaxes_(axis0=0, axis1=1).shape == (3, 2)
    assert torch.ones(2, 3).transpose_(dim0=0, dim1=1).shape == (3, 2)


def test_squeeze_nodes_are_named_by_overload():
    # PyTorch names the node after the overload: a tuple of one dim is the list overload.
    a = torch.ones(1, 3, requires_grad=True)
    assert a.squeeze().grad_fn.name() == "SqueezeBackward0"
    assert a.squeeze(0).grad_fn.name() == "SqueezeBackward1"
    assert a.squeeze((0,)).grad_fn.name() == "SqueezeBackward2"
    assert a.squeeze([0]).grad_fn.name() == "SqueezeBackward2"
    with pytest.raises(RuntimeError, match="^dim 0 appears multiple times in the list of dims$"):
        a.squeeze((0, -2))
