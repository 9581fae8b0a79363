"""Custom autograd Functions and gradcheck, with PyTorch's behaviour and messages."""

from __future__ import annotations

import re

import ferrograd as torch
import numpy as np
import pytest
from ferrograd.autograd import Function, GradcheckError, gradcheck, gradgradcheck


class MyReLU(Function):
    """The tutorial's custom ReLU, with a non-tensor argument: relu(x) * k."""

    @staticmethod
    def forward(ctx, input, k):
        ctx.save_for_backward(input)
        ctx.k = k
        ctx.seen_needs = ctx.needs_input_grad
        return input.clamp(min=0) * k

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        # d/dx relu(x) k = k where x > 0, else 0.
        return torch.where(input > 0, grad_output * ctx.k, 0.0), None


def test_custom_relu_forward_backward_and_node():
    x = torch.tensor([-1.0, 2.0], requires_grad=True)
    y = MyReLU.apply(x, 3.0)
    assert repr(y) == "tensor([0., 6.], grad_fn=<MyReLUBackward>)"
    assert y.grad_fn.name() == "MyReLUBackward"
    assert re.fullmatch(
        r"<ferrograd\.autograd\.function\.MyReLUBackward object at 0x[0-9a-f]+>", repr(y.grad_fn)
    )
    assert [type(n).__name__ for n, _ in y.grad_fn.next_functions] == ["AccumulateGrad"]
    assert y.grad_fn.k == 3.0 and y.grad_fn.seen_needs == (True, False)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 3.0])


def test_saved_tensors_are_freed_after_backward():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = MyReLU.apply(x, 1.0)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="^Trying to backward through the graph a second time"):
        _ = y.grad_fn.saved_tensors


def test_without_grad_the_result_has_no_node():
    assert MyReLU.apply(torch.tensor([1.0]), 2.0).grad_fn is None


def test_wrong_number_of_gradients():
    class Bad(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g

    x = torch.ones(2, requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=r"^function BadBackward returned an incorrect number of gradients \(expected 2, got 1\)$",
    ):
        Bad.apply(x, x).sum().backward()


def test_wrong_gradient_shape():
    class Bad2(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return torch.ones(3)

    x = torch.ones(2, requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=r"^Function Bad2Backward returned an invalid gradient at index 0 - got \[3\] but expected shape compatible with \[2\]$",
    ):
        Bad2.apply(x).sum().backward()


def test_missing_backward():
    class NoBack(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

    x = torch.ones(2, requires_grad=True)
    with pytest.raises(
        NotImplementedError, match="You must implement either the backward or vjp method"
    ):
        NoBack.apply(x).sum().backward()


def test_setup_context_style_and_materialize_grads():
    seen = []

    class Split(Function):
        @staticmethod
        def forward(a):
            return a * 2, a * 3

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.set_materialize_grads(False)

        @staticmethod
        def backward(ctx, g1, g2):
            seen.append((g1 is None, g2 is None))
            return g1 * 2

    x = torch.ones(2, requires_grad=True)
    first, _ = Split.apply(x)
    first.sum().backward()
    assert seen == [(False, True)]
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_mark_non_differentiable():
    class WithIndex(Function):
        @staticmethod
        def forward(ctx, a):
            mask = (a > 0).double()
            ctx.mark_non_differentiable(mask)
            return a * 2, mask

        @staticmethod
        def backward(ctx, g, _):
            return g * 2

    x = torch.tensor([1.0, -1.0], dtype=torch.float64, requires_grad=True)
    out, mask = WithIndex.apply(x)
    assert out.requires_grad and not mask.requires_grad


def test_second_derivative_through_a_custom_function():
    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x**2

    # d/dx x^3 = 3x^2 = 12, d2/dx2 = 6x = 12 at x = 2.
    x = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    (d1,) = torch.autograd.grad(Cube.apply(x), x, create_graph=True)
    (d2,) = torch.autograd.grad(d1, x)
    assert (d1.item(), d2.item()) == (12.0, 12.0)


# --------------------------------------------------------------------------- gradcheck


def test_gradcheck_passes_a_correct_function():
    x = torch.tensor([[0.5, -1.5], [2.0, 0.3]], dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda t: (t.sin() * t).sum(0), (x,))
    assert gradgradcheck(lambda t: (t.sin() * t).sum(0), (x,))


def test_gradcheck_catches_a_wrong_backward():
    class WrongExp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y * 1.01  # deliberately 1% off

    x = torch.tensor([0.1, 0.7], dtype=torch.float64, requires_grad=True)
    with pytest.raises(
        GradcheckError, match="Jacobian mismatch for output 0 with respect to input 0"
    ):
        gradcheck(WrongExp.apply, (x,))
    assert gradcheck(WrongExp.apply, (x,), raise_exception=False) is False


def test_gradcheck_warns_for_single_precision():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(
        UserWarning, match="Input #0 requires gradient and is not a double precision"
    ):
        gradcheck(lambda t: t * 2, (x,), eps=1e-3, atol=1e-2, rtol=1e-2)


class TutorialReLU(Function):
    """The tutorial's ReLU exactly as written there: the backward masks a clone in place."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


def test_tutorial_relu_with_a_masked_write_in_backward():
    x = torch.tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
    y = TutorialReLU.apply(x)
    (y * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    # d/dx relu(x) = 0 where x < 0, 1 elsewhere, times the weights.
    assert x.grad.tolist() == [0.0, 2.0, 0.0, 4.0]
    z = torch.rand(5, dtype=torch.float64) + 0.1
    signs = torch.tensor([1.0, -1.0, 1.0, -1.0, 1.0], dtype=torch.float64)
    assert gradcheck(TutorialReLU.apply, ((z * signs).requires_grad_(),))
