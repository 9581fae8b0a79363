"""`t.data = other` keeps `t` itself: its requires_grad flag, its `.grad` and its hooks.

Tutorials update weights with `w.data = w.data - lr * w.grad` and then read or zero `w.grad`.
"""

import ferrograd as torch


def test_grad_survives_a_data_swap_and_keeps_accumulating():
    w = torch.ones(3, requires_grad=True)
    (w * 2).sum().backward()
    w.data = w.data - 0.5 * w.grad
    assert w.tolist() == [0.0, 0.0, 0.0]
    assert w.grad.tolist() == [2.0, 2.0, 2.0]
    assert w.requires_grad and w.is_leaf
    (w * 2).sum().backward()
    assert w.grad.tolist() == [4.0, 4.0, 4.0]
    w.grad.zero_()
    assert w.grad.tolist() == [0.0, 0.0, 0.0]


def test_a_tensor_may_be_given_its_own_data():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    w.data = w
    assert w.tolist() == [1.0, 2.0] and w.requires_grad


def test_hooks_survive_a_data_swap():
    w = torch.ones(2, requires_grad=True)
    w.register_hook(lambda g: g * 10)
    w.data = torch.full((2,), 3.0)
    (w * 1).sum().backward()
    assert w.grad.tolist() == [10.0, 10.0]


def test_the_swap_shares_memory_with_the_new_data():
    w = torch.zeros(2, requires_grad=True)
    new = torch.ones(2)
    w.data = new
    new.add_(1)
    assert w.tolist() == [2.0, 2.0]
