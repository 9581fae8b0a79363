"""Autograd semantics, case by case, with PyTorch's behaviour and messages (recorded from
PyTorch 2.15) as the expectation and the maths in the comments."""

from __future__ import annotations

import gc
import re
import threading
import warnings
import weakref

import ferrograd as torch
import numpy as np
import pytest


def leaf(values, **kw):
    return torch.tensor(values, requires_grad=True, **kw)


# --------------------------------------------------------------------------- recording


def test_results_of_tracked_ops_are_non_leaves_with_a_grad_fn():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 2
    assert x.is_leaf and x.grad_fn is None
    assert not y.is_leaf and y.requires_grad
    assert y.grad_fn.name() == "MulBackward0"
    assert type(y.grad_fn).__name__ == "MulBackward0"
    assert repr(y) == "tensor([2., 4., 6.], grad_fn=<MulBackward0>)"
    assert re.fullmatch(r"<MulBackward0 object at 0x[0-9a-f]+>", repr(y.grad_fn))
    assert y.grad_fn is y.grad_fn


def test_tensors_that_need_no_grad_record_nothing():
    x = torch.tensor([1.0, 2.0])
    y = x * 2
    assert y.is_leaf and y.grad_fn is None and not y.requires_grad


def test_requires_grad_only_for_floating_point():
    with pytest.raises(
        RuntimeError, match="only Tensors of floating point dtype can require gradients"
    ):
        torch.tensor([1, 2]).requires_grad_()


def test_requires_grad_flag_only_changes_on_leaves():
    y = leaf([1.0]) * 1
    with pytest.raises(
        RuntimeError, match="you can only change requires_grad flags of leaf variables"
    ):
        y.requires_grad_(False)


@pytest.mark.parametrize(
    "expr, name",
    [
        (lambda x, a: x**2, "PowBackward0"),
        (lambda x, a: 2**x, "PowBackward2"),
        (lambda x, a: x**x, "PowBackward1"),
        (lambda x, a: 1 - x, "RsubBackward1"),
        (lambda x, a: x - 1, "SubBackward0"),
        (lambda x, a: x / 2, "DivBackward0"),
        (lambda x, a: x.exp(), "ExpBackward0"),
        (lambda x, a: x.view(3, 1), "ViewBackward0"),
        (lambda x, a: x[0], "SelectBackward0"),
        (lambda x, a: x[1:], "SliceBackward0"),
        (lambda x, a: x.sum(), "SumBackward0"),
        (lambda x, a: x.sum(0), "SumBackward1"),
        (lambda x, a: x.mean(), "MeanBackward0"),
        (lambda x, a: x.unsqueeze(0), "UnsqueezeBackward0"),
        (lambda x, a: x.expand(2, 3), "ExpandBackward0"),
        (lambda x, a: x.double(), "ToCopyBackward0"),
        (lambda x, a: x.clone(), "CloneBackward0"),
        (lambda x, a: a @ a.t(), "MmBackward0"),
        (lambda x, a: a.t(), "TBackward0"),
        (lambda x, a: a.transpose(0, 1), "TransposeBackward0"),
        (lambda x, a: a.permute(1, 0), "PermuteBackward0"),
        (lambda x, a: a.reshape(6), "ViewBackward0"),
        (lambda x, a: a.t().reshape(6), "UnsafeViewBackward0"),
        (lambda x, a: a.squeeze(), "SqueezeBackward0"),
        (lambda x, a: a.squeeze(0), "SqueezeBackward1"),
        (lambda x, a: a.relu(), "ReluBackward0"),
        (lambda x, a: a.sigmoid(), "SigmoidBackward0"),
        (lambda x, a: a.tanh(), "TanhBackward0"),
        (lambda x, a: torch.log1p(a), "Log1PBackward0"),
        (lambda x, a: a.square(), "PowBackward0"),
        (lambda x, a: a @ a[0], "MvBackward0"),
        (lambda x, a: x @ x, "DotBackward0"),
    ],
)
def test_grad_fn_names_are_pytorchs(expr, name):
    x = leaf([1.0, 2.0, 3.0])
    a = leaf(np.arange(6.0).reshape(2, 3) / 7)
    assert expr(x, a).grad_fn.name() == name


def test_next_functions_lead_to_the_inputs():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 2
    (acc, nr), (none, zero) = y.grad_fn.next_functions
    assert type(acc).__name__ == "AccumulateGrad" and nr == 0
    assert acc.variable is not None and acc.variable.data_ptr() == x.data_ptr()
    assert none is None and zero == 0
    z = (y + x).sum()
    add = z.grad_fn.next_functions[0][0]
    assert add.name() == "AddBackward0"
    assert [type(n).__name__ for n, _ in add.next_functions] == ["MulBackward0", "AccumulateGrad"]


def test_grad_fn_metadata_persists():
    y = leaf([1.0]) * 2
    y.grad_fn.metadata["note"] = 1
    assert y.grad_fn.metadata == {"note": 1}


# --------------------------------------------------------------------------- backward


def test_scalar_backward_of_a_quadratic():
    # y = x^2 - 2x + 1 = (x - 1)^2: dy/dx = 2x - 2 = 4 at x = 3.
    x = leaf(3.0)
    y = x**2 - 2 * x + 1
    y.backward()
    assert x.grad.item() == 4.0


def test_non_scalar_backward_needs_a_gradient():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 2
    with pytest.raises(
        RuntimeError, match="^grad can be implicitly created only for scalar outputs$"
    ):
        y.backward()
    # With v = [1, 0.1, 0.01]: x.grad = 2 v (the vector-Jacobian product).
    y.backward(torch.tensor([1.0, 0.1, 0.01]))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 0.2, 0.02], rtol=1e-6)


def test_gradient_shape_must_match():
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError) as e:
        x.sum().backward(torch.ones(2))
    assert str(e.value) == (
        "Mismatch in shape: grad_output[0] has a shape of ferrograd.Size([2]) and output[0] "
        "has a shape of ferrograd.Size([])."
    )


def test_gradients_accumulate_until_zeroed():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()  # dy/dx = 2x
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 8.0])
    x.grad.zero_()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])
    x.grad = None
    assert x.grad is None


def test_several_outputs_are_summed():
    # d(2x)/dx + d(3x)/dx = 5.
    x = leaf(1.0)
    torch.autograd.backward([x * 2, x * 3])
    assert x.grad.item() == 5.0


def test_non_leaf_grad_warns_and_retain_grad_keeps_it():
    x = leaf([1.0, 2.0])
    y = x * 3
    z = y * y  # dz/dy = 2y = [6, 12]
    with pytest.warns(
        UserWarning,
        match="The .grad attribute of a Tensor that is not a leaf Tensor is being accessed",
    ):
        assert y.grad is None
    y.retain_grad()
    assert y.retains_grad
    z.sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [6.0, 12.0])
    np.testing.assert_array_equal(x.grad.numpy(), [18.0, 36.0])


def test_second_backward_through_a_freed_graph():
    x = leaf([1.0, 2.0])
    s = x.exp().sum()
    s.backward()
    with pytest.raises(
        RuntimeError,
        match=r"^Trying to backward through the graph a second time \(or directly access saved tensors after they have already been freed\)\. Saved intermediate values of the graph are freed when you call \.backward\(\) or autograd\.grad\(\)\. Specify retain_graph=True",
    ):
        s.backward()


def test_nodes_without_saved_tensors_can_run_twice():
    # AddBackward0 and SumBackward0 save no tensors: PyTorch allows this.
    x = leaf([1.0, 2.0])
    s = (x + 1).sum()
    s.backward()
    s.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


VERSION_HINT = (
    "Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
    "with ferrograd.autograd.set_detect_anomaly(True, check_nan=False)."
)


def test_modified_saved_output_is_reported():
    x = leaf([1.0, 2.0, 3.0])
    y = x.exp()
    z = y.sin()
    with torch.no_grad():
        y.add_(1)
    with pytest.raises(RuntimeError) as e:
        z.sum().backward()
    assert str(e.value) == (
        "one of the variables needed for gradient computation has been modified by an "
        "inplace operation: [ferrograd.FloatTensor [3]], which is output 0 of Exp, is at "
        "version 1; expected version 0 instead. " + VERSION_HINT
    )


def test_modified_saved_leaf_is_reported():
    x = leaf([1.0, 1.0, 1.0])
    c = x.sin()
    with torch.no_grad():
        x.mul_(2)
    with pytest.raises(RuntimeError) as e:
        c.sum().backward()
    assert str(e.value) == (
        "one of the variables needed for gradient computation has been modified by an "
        "inplace operation: [ferrograd.FloatTensor [3]] is at version 1; expected version 0 "
        "instead. " + VERSION_HINT
    )


# --------------------------------------------------------------------------- autograd.grad


def test_grad_with_create_graph_gives_the_second_derivative():
    # y = x^2 - 2x + 1: dy/dx = 2x - 2 = 4 and d2y/dx2 = 2 at x = 3.
    x = leaf(3.0)
    y = x**2 - 2 * x + 1
    (dy,) = torch.autograd.grad(y, x, create_graph=True)
    assert dy.item() == 4.0 and dy.requires_grad
    (d2y,) = torch.autograd.grad(dy, x)
    assert d2y.item() == 2.0
    assert x.grad is None


def test_grad_errors():
    x = leaf([1.0, 2.0])
    with pytest.raises(
        RuntimeError, match="^One of the differentiated Tensors does not require grad$"
    ):
        torch.autograd.grad(x.sum(), torch.ones(2))
    unused = leaf([1.0])
    with pytest.raises(
        RuntimeError,
        match=r"^The differentiated Tensor at index 1 appears to not have been used in the graph\. Set allow_unused=True if this is the desired behavior\.$",
    ):
        torch.autograd.grad((x * 2).sum(), [x, unused])
    _, gu = torch.autograd.grad((x * 2).sum(), [x, unused], allow_unused=True)
    assert gu is None
    _, gu = torch.autograd.grad((x * 2).sum(), [x, unused], materialize_grads=True)
    np.testing.assert_array_equal(gu.numpy(), [0.0])
    with pytest.raises(
        ValueError,
        match="Expected allow_unused to be True or not passed when materialize_grads=True",
    ):
        torch.autograd.grad((x * 2).sum(), [x], allow_unused=False, materialize_grads=True)


def test_backward_inputs_only_fills_those():
    a, b = leaf(1.0), leaf(2.0)
    (a * b).backward(inputs=[a])
    assert a.grad.item() == 2.0 and b.grad is None
    with pytest.raises(RuntimeError, match="'inputs' argument to backward\\(\\) cannot be empty."):
        (a * b).backward(inputs=[])


# --------------------------------------------------------------------------- hooks


def test_hooks_run_in_pytorchs_order():
    # b = 3a and c = 4a: c was created last, so its hook runs first; a's gradient is 3 + 4.
    a = leaf(2.0)
    b = a * 3
    c = a * 4
    seen = []
    b.register_hook(lambda g: seen.append(("b", g.item())))
    c.register_hook(lambda g: seen.append(("c", g.item())))
    a.register_hook(lambda g: seen.append(("a", g.item())))
    (b + c).backward()
    assert seen == [("c", 1.0), ("b", 1.0), ("a", 7.0)]
    assert a.grad.item() == 7.0


def test_hook_can_replace_the_gradient_and_be_removed():
    x = leaf([1.0, 2.0])
    handle = x.register_hook(lambda g: g * 10)
    (x * 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [10.0, 10.0])
    handle.remove()
    x.grad = None
    (x * 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])


def test_hook_on_tensor_without_grad():
    with pytest.raises(
        RuntimeError, match="^cannot register a hook on a tensor that doesn't require gradient$"
    ):
        torch.ones(2).register_hook(lambda g: g)


def test_hook_exceptions_propagate_as_themselves():
    x = leaf([1.0])

    def bad(g):
        raise KeyError("from the hook")

    x.register_hook(bad)
    with pytest.raises(KeyError, match="from the hook"):
        (x * 2).sum().backward()


def test_node_hooks_see_inputs_and_outputs():
    x = leaf([1.0, 2.0])
    y = x * 3
    seen = []
    y.grad_fn.register_prehook(lambda go: seen.append(("pre", go[0].tolist())))
    y.grad_fn.register_hook(lambda gi, go: seen.append(("post", gi[0].tolist(), go[0].tolist())))
    y.sum().backward()
    assert seen == [("pre", [1.0, 1.0]), ("post", [3.0, 3.0], [1.0, 1.0])]


# --------------------------------------------------------------------------- grad modes


def test_no_grad_and_enable_grad_nest():
    x = leaf([1.0])
    with torch.no_grad():
        assert not torch.is_grad_enabled()
        assert not (x * 2).requires_grad
        with torch.enable_grad():
            assert (x * 2).requires_grad
    assert torch.is_grad_enabled()


def test_grad_mode_decorators():
    x = leaf([1.0])

    @torch.no_grad()
    def f():
        return x * 2

    @torch.no_grad
    def g():
        return x * 2

    assert not f().requires_grad and not g().requires_grad
    assert torch.is_grad_enabled()


def test_set_grad_enabled_as_function_and_context():
    x = leaf([1.0])
    torch.set_grad_enabled(False)
    assert not (x * 2).requires_grad
    torch.set_grad_enabled(True)
    with torch.set_grad_enabled(False):
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()


def test_inference_mode():
    x = leaf([1.0])
    with torch.inference_mode():
        assert torch.is_inference_mode_enabled()
        assert not (x * 2).requires_grad
    assert not torch.is_inference_mode_enabled()


def test_grad_mode_is_per_thread():
    seen = []
    with torch.no_grad():
        t = threading.Thread(target=lambda: seen.append(torch.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


def test_detach_and_data_leave_the_graph():
    x = leaf([1.0, 2.0])
    y = x * 2
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.data_ptr() == y.data_ptr()
    y.detach_()
    assert y.is_leaf and y.grad_fn is None
    assert not x.data.requires_grad


# --------------------------------------------------------------------------- in-place rules


def test_in_place_on_a_leaf_that_requires_grad():
    x = leaf([1.0])
    with pytest.raises(
        RuntimeError,
        match="^a leaf Variable that requires grad is being used in an in-place operation.$",
    ):
        x.add_(1)
    with torch.no_grad():
        x.add_(1)
    assert x.item() == 2.0


def test_out_refuses_inputs_that_require_grad():
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(
        RuntimeError,
        match=r"^add\(\): functions with out=\.\.\. arguments don't support automatic differentiation, but one of the arguments requires grad\.$",
    ):
        torch.add(x, 1, out=torch.empty(3))


def test_assigning_grad_checks_shape_and_dtype():
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(
        RuntimeError,
        match=r"^attempting to assign a gradient of size '\[2\]' to a tensor of size '\[3\]'",
    ):
        x.grad = torch.ones(2)
    with pytest.raises(
        RuntimeError,
        match="^attempting to assign a gradient with dtype 'double' to a tensor with grad_dtype 'Float'",
    ):
        x.grad = torch.ones(3, dtype=torch.float64)
    with pytest.raises(RuntimeError, match="^can't assign Variable as its own grad$"):
        x.grad = x


# --------------------------------------------------------------------------- worked examples


def test_sgd_minimises_a_quadratic():
    # f(x) = x^2 - 2x + 1 has its minimum at x = 1; x <- x - 0.1 f'(x) converges there.
    x = leaf(5.0)
    for _ in range(200):
        y = x**2 - 2 * x + 1
        y.backward()
        with torch.no_grad():
            x -= 0.1 * x.grad
        x.grad.zero_()
    assert abs(x.item() - 1.0) < 1e-5


def test_matmul_and_broadcast_gradients_match_the_formulas():
    rng = np.random.default_rng(0)
    an, bn, cn = rng.random((4, 3)), rng.random((3, 5)), rng.random(5)
    a, b, c = leaf(an), leaf(bn), leaf(cn)
    # L = sum(A @ B + c): dL/dA = 1 B^T, dL/dB = A^T 1, dL/dc = 4 (c is broadcast over 4 rows).
    (a @ b + c).sum().backward()
    ones = np.ones((4, 5))
    np.testing.assert_allclose(a.grad.numpy(), ones @ bn.T)
    np.testing.assert_allclose(b.grad.numpy(), an.T @ ones)
    np.testing.assert_allclose(c.grad.numpy(), np.full(5, 4.0))


# --------------------------------------------------------------------------- memory


def test_graph_is_freed_with_its_outputs():
    x = leaf([1.0, 2.0])
    y = x.exp()  # ExpBackward0 saves its own output: that must not keep it alive
    node = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert node() is None


def test_leaf_does_not_keep_the_graph_alive():
    x = leaf([1.0])
    acc = weakref.ref((x * 2).grad_fn.next_functions[0][0])
    gc.collect()
    assert acc() is None


def test_warnings_stay_quiet_for_leaves():
    x = leaf([1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.grad is None


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


@pytest.mark.skipif(
    not __import__("os").path.exists("/proc/self/statm"), reason="needs Linux /proc"
)
def test_training_loop_memory_stays_flat():
    # Linear regression by hand: graph built and freed 10,000 times; memory must not grow.
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.random((16, 4)), dtype=torch.float32)
    y = torch.tensor(rng.random((16, 1)), dtype=torch.float32)
    w = torch.zeros(4, 1, requires_grad=True)

    def step():
        loss = ((x @ w - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w.sub_(0.1 * w.grad)
        w.grad.zero_()

    for _ in range(1000):
        step()
    gc.collect()
    before = _rss_bytes()
    for _ in range(10_000):
        step()
    gc.collect()
    assert _rss_bytes() - before < 4 * 2**20


def test_in_place_ops_in_the_middle_of_a_graph():
    # h = relu(x * 2) + 1, written with in-place ops: dh/dx = 2 where x > 0, else 0.
    x = leaf([-1.0, 0.5, 2.0])
    h = x * 2
    h.relu_()
    assert h.grad_fn.name() == "ReluBackward0"
    h += 1
    assert h.grad_fn.name() == "AddBackward0" and h._version == 2
    h.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 2.0, 2.0])


def test_in_place_with_a_requires_grad_operand_makes_a_non_leaf():
    # a += b with only b requiring grad: a joins the graph, d(sum a)/db = 1.
    a = torch.zeros(2)
    b = leaf([1.0, 2.0])
    a.add_(b)
    assert not a.is_leaf and a.grad_fn.name() == "AddBackward0"
    a.sum().backward()
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0])


def test_out_and_writes_into_leaves_refuse_graphs():
    x = leaf([1.0, 2.0])
    with pytest.raises(
        RuntimeError,
        match="functions with out=... arguments don't support automatic differentiation",
    ):
        torch.sum(x.reshape(1, 2), 0, out=torch.empty(2))
    with pytest.raises(
        RuntimeError,
        match="^a leaf Variable that requires grad is being used in an in-place operation.$",
    ):
        x.fill_(1.0)
    with pytest.raises(
        RuntimeError,
        match="^a leaf Variable that requires grad is being used in an in-place operation.$",
    ):
        x.copy_(torch.zeros(2))
    with torch.no_grad():
        x.fill_(3.0)
    assert x.tolist() == [3.0, 3.0]


def test_flatten_of_a_vector_keeps_its_history():
    x = leaf([1.0, 2.0])
    assert (x * 2).flatten().grad_fn.name() == "MulBackward0"
