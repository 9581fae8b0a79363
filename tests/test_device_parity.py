"""Every op-table row on the GPU against the same call on the CPU: results on `wgpu:0` with
the CPU's dtypes, shapes and values (float32 tolerance), the same exceptions, and for
differentiable rows the same gradients. Inputs keep their strided layouts on the GPU."""

from __future__ import annotations

import math
import warnings

import ferrograd
import numpy as np
import pytest
import test_op_table_indexing as indexing_table
import test_op_table_linalg as linalg_table
import test_op_table_shapes as shapes_table
from device_support import leaves, on, require_gpu
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from op_cases import supported, table_cases
from op_harness import call_forms, op_id, pass_dtype
from op_table import LINALG, OPS

# The GPU path of every row, a few examples each: the CPU tables test the values themselves.
FEW = settings(max_examples=max(settings.default.max_examples // 8, 3))
# float16/bfloat16 kernels may round differently on the GPU.
TOL = {"float16": (1e-2, 1e-2), "bfloat16": (5e-2, 5e-2)}
# Rows drawn as their own table module draws them (indexing with keys is tested below).
ROWS = [s for s in OPS if s.kind not in ("creation", "getitem", "setitem")]
DIFFERENTIABLE = [s for s in ROWS if s.differentiable and "float32" in s.dtypes]


def cases_for(spec):
    """The strategy the row's own table module draws its cases with."""
    if spec.kind in ("cat", "stack", "vectors", "broadcast"):
        return shapes_table.several_tensors(spec)
    if spec in LINALG:
        return linalg_table.linalg_cases(spec)
    if spec.kind == "searchsorted":
        return indexing_table.searchsorted_cases()
    return table_cases(spec)


@pytest.fixture(scope="module")
def gpu():
    return require_gpu()


def call(case, device, requires_grad=False):
    """(inputs, result or the exception raised) of the row's first spelling on `device`."""
    _, values, kw = case.build(device)
    # Some tables lay out ready-made tensors (linalg's matrices): those move as they are.
    values, kw = on(device, values), on(device, kw)
    if requires_grad:
        values = [leaf(v) for v in values]
    args, kwargs = on(device, case.args), on(device, pass_dtype(case.kwargs))
    has_kwargs = bool(case.kwargs or kw or case.args)
    _, fn = call_forms(case.spec, has_kwargs)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the one-time "no wgpu kernel yet" warnings
        try:
            return values, fn(*values, *args, **kw, **kwargs)
        except Exception as err:  # noqa: BLE001 - compared with the CPU's exception
            return values, err


def leaf(value):
    """A float tensor (or each one in a list) as a fresh leaf that requires grad."""
    if isinstance(value, list):
        return [leaf(v) for v in value]
    if isinstance(value, ferrograd.Tensor) and value.is_floating_point():
        return value.detach().requires_grad_(True)
    return value


def assert_same(cpu, gpu, label: str) -> None:
    if isinstance(cpu, Exception):
        assert isinstance(gpu, Exception), f"{label}: the CPU raised {cpu!r}, the GPU did not"
        assert type(gpu) is type(cpu) and str(gpu) == str(cpu), f"{label}: {gpu!r} vs {cpu!r}"
        return
    assert not isinstance(gpu, Exception), f"{label}: the GPU raised {gpu!r}"
    cpu_leaves, gpu_leaves = leaves(cpu), leaves(gpu)
    assert len(cpu_leaves) == len(gpu_leaves), label
    for i, (c, g) in enumerate(zip(cpu_leaves, gpu_leaves)):
        where = f"{label}, result {i}"
        if not isinstance(c, ferrograd.Tensor):
            both_nan = isinstance(c, float) and math.isnan(c) and math.isnan(g)
            assert c == g or both_nan, f"{where}: {g!r} vs {c!r}"
            continue
        assert isinstance(g, ferrograd.Tensor), f"{where}: got {type(g).__name__}"
        assert g.device.type == "wgpu", f"{where}: the result is on {g.device}"
        assert (g.dtype, g.shape) == (c.dtype, c.shape), f"{where}: {g.dtype}{tuple(g.shape)}"
        name = str(c.dtype).rsplit(".", 1)[-1]
        expected, actual = c.detach().float().numpy(), g.detach().cpu().float().numpy()
        if c.is_floating_point():
            rtol, atol = TOL.get(name, (1e-4, 1e-5))
            np.testing.assert_allclose(actual, expected, rtol, atol, equal_nan=True, err_msg=where)
        else:
            np.testing.assert_array_equal(actual, expected, err_msg=where)


def draw_case(data, spec):
    """A case of the row whose promoted dtype the op takes."""
    case = data.draw(cases_for(spec))
    _, values, kw = case.build()
    assume(supported(case, values, kw))
    return case


@pytest.mark.parametrize("spec", ROWS, ids=op_id)
@FEW
@given(data=st.data())
def test_gpu_result_matches_cpu(gpu, spec, data):
    case = draw_case(data, spec)
    _, on_cpu = call(case, "cpu")
    _, on_gpu = call(case, gpu)
    assert_same(on_cpu, on_gpu, spec.name)


def float_outputs(result) -> list:
    return [t for t in leaves(result) if isinstance(t, ferrograd.Tensor) and t.requires_grad]


@pytest.mark.parametrize("spec", DIFFERENTIABLE, ids=op_id)
@FEW
@given(data=st.data())
def test_gpu_gradients_match_cpu(gpu, spec, data):
    case = draw_case(data, spec)
    grads = {}
    for device in ("cpu", gpu):
        inputs, result = call(case, device, requires_grad=True)
        assume(not isinstance(result, Exception))
        outs = float_outputs(result)
        assume(outs)
        loss = sum((o * o).sum() * 0.5 for o in outs)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                loss.backward()
        except RuntimeError as err:  # a derivative PyTorch does not have either
            grads[device] = err
            continue
        grads[device] = [v.grad for v in leaves(inputs) if getattr(v, "requires_grad", False)]
    if isinstance(grads["cpu"], Exception):
        assert str(grads[gpu]) == str(grads["cpu"])
        return
    for i, (c, g) in enumerate(zip(grads["cpu"], grads[gpu])):
        assert (c is None) == (g is None), f"gradient {i}"
        if c is not None:
            assert g.device.type == "wgpu", f"gradient {i} is on {g.device}"
            rtol, atol = TOL.get(str(c.dtype).rsplit(".", 1)[-1], (1e-4, 1e-5))
            np.testing.assert_allclose(
                g.cpu().float().numpy(), c.float().numpy(), rtol, atol, True, f"gradient {i}"
            )


@given(case=indexing_table.indexed())
@FEW
def test_gpu_getitem_matches_cpu(gpu, case):
    operand, key = case
    results = []
    for device in ("cpu", gpu):
        _, x = operand.build(device)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results.append(x[on(device, key.ferrograd())])
        except Exception as err:  # noqa: BLE001 - compared with the CPU's exception
            results.append(err)
    assert_same(*results, "getitem")


@given(case=indexing_table.indexed(unique=True), value=st.sampled_from([0, 1, 2.5]))
@FEW
def test_gpu_setitem_matches_cpu(gpu, case, value):
    operand, key = case
    results = []
    for device in ("cpu", gpu):
        base, x = operand.build(device)
        v = bool(value) if operand.dtype_name == "bool" else value
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                x[on(device, key.ferrograd())] = v
            results.append(base)
        except Exception as err:  # noqa: BLE001 - compared with the CPU's exception
            results.append(err)
    assert_same(*results, "setitem")
