"""einsum: numpy's results for every kind of equation (contractions, traces, diagonals,
ellipses, implicit outputs, broadcasting), both call forms, the sublist form, views, and
PyTorch's error messages."""

from __future__ import annotations

import re

import ferrograd
import numpy as np
import pytest

RNG = np.random.default_rng(3)


def raises(exc, msg):
    return pytest.raises(exc, match=re.escape(msg))


def t(a):
    return ferrograd.tensor(a)


def rand(*shape):
    return RNG.standard_normal(shape)


CASES = [
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,kj->ik", [(2, 3), (4, 3)]),
    ("ii", [(3, 3)]),
    ("ii->i", [(3, 3)]),
    ("iij->j", [(3, 3, 4)]),
    ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("ij", [(2, 3)]),
    ("ji", [(2, 3)]),
    ("ba", [(2, 3)]),
    ("i,j->ij", [(2,), (3,)]),
    ("i,i", [(3,), (3,)]),
    ("i,i->i", [(3,), (3,)]),
    ("ij,ij->ij", [(2, 3), (2, 3)]),
    ("ij,ij->", [(2, 3), (2, 3)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("...ij,...jk", [(2, 2, 3), (3, 4)]),
    ("...ij->...ji", [(2, 3)]),
    ("i...,i...", [(2, 2, 3), (2, 2, 3)]),
    ("b...i,b...i->b...", [(2, 3, 4), (2, 3, 4)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("ijk,jil->kl", [(3, 4, 5), (4, 3, 2)]),
    ("i,j,k->ijk", [(2,), (3,), (4,)]),
    ("i j , j k -> i k", [(2, 3), (3, 4)]),
    ("iJ,Jk->ik", [(2, 3), (3, 4)]),
    ("ij...,jk->ik", [(2, 3), (3, 4)]),
    ("ab,bc,cd,de->ae", [(2, 3), (3, 4), (4, 5), (5, 2)]),
    ("iij,jkk->ik", [(3, 3, 2), (2, 4, 4)]),
]


@pytest.mark.parametrize(("eq", "shapes"), CASES)
def test_matches_numpy(eq, shapes):
    ops = [rand(*s) for s in shapes]
    r = ferrograd.einsum(eq, *[t(o) for o in ops])
    expect = np.einsum(eq.replace(" ", ""), *ops)
    assert tuple(r.shape) == np.shape(expect)
    np.testing.assert_allclose(r.numpy(), expect, rtol=1e-10, atol=1e-12)


def test_list_and_sublist_forms():
    a, b = rand(2, 3), rand(3, 4)
    expect = a @ b
    np.testing.assert_allclose(ferrograd.einsum("ij,jk", [t(a), t(b)]).numpy(), expect)
    np.testing.assert_allclose(ferrograd.einsum("ij,jk->ik", (t(a), t(b))).numpy(), expect)
    np.testing.assert_allclose(ferrograd.einsum(t(a), [0, 1], t(b), [1, 2], [0, 2]).numpy(), expect)
    np.testing.assert_allclose(
        ferrograd.einsum(t(a), [Ellipsis, 1], t(b), [1, 2], [Ellipsis, 2]).numpy(), expect
    )
    assert ferrograd.einsum(ferrograd.ones(3), [0], ferrograd.ones(3), [0]).item() == 3.0


def test_broadcasting_size_one_dims():
    assert ferrograd.einsum("i,i->", ferrograd.ones(3), ferrograd.ones(1)).item() == 3.0
    a = rand(2, 3)
    r = ferrograd.einsum("ij,ij->ij", t(a), ferrograd.ones(1, 3))
    np.testing.assert_allclose(r.numpy(), a)


def test_views_dtypes_and_empty():
    a = t(rand(2, 3))
    assert not ferrograd.einsum("ij->ji", a).is_contiguous()  # a permuted view, as in PyTorch
    d = ferrograd.einsum("ii->i", ferrograd.arange(9.0).reshape(3, 3))
    assert d.tolist() == [0.0, 4.0, 8.0] and d.stride() == (4,)
    ints = ferrograd.einsum(
        "ij,jk", ferrograd.arange(6).reshape(2, 3), ferrograd.arange(12).reshape(3, 4)
    )
    assert ints.dtype == ferrograd.int64 and ints.tolist() == [[20, 23, 26, 29], [56, 68, 80, 92]]
    h = ferrograd.einsum("i,j", ferrograd.ones(2).half(), ferrograd.ones(3).half())
    assert h.dtype == ferrograd.float16 and h.shape == (2, 3)
    assert ferrograd.einsum("i->", ferrograd.ones(0)).item() == 0.0
    assert (
        ferrograd.einsum("ij,jk", ferrograd.ones(2, 0), ferrograd.ones(0, 3)).tolist()
        == [[0.0] * 3] * 2
    )
    assert ferrograd.einsum("", ferrograd.tensor(3.0)).item() == 3.0
    assert ferrograd.einsum(",->", ferrograd.tensor(3.0), ferrograd.tensor(2.0)).item() == 6.0
    strided = t(rand(4, 6))[::2, 1::2]
    np.testing.assert_allclose(
        ferrograd.einsum("ij,kj->ik", strided, strided).numpy(),
        strided.numpy() @ strided.numpy().T,
    )


ERRORS = [
    (
        ("ij,jk", (2, 3)),
        "einsum(): fewer operands were provided than specified in the equation",
    ),
    (
        ("ij,jk->ik", (2, 3), (3, 4), (3, 4)),
        "einsum(): more operands were provided than specified in the equation",
    ),
    (
        ("ij,jk", (2, 3), (4, 4)),
        (
            "einsum(): subscript j has size 4 for operand 1 which does not broadcast with "
            "previously seen size 3"
        ),
    ),
    (
        ("ij,jk->il", (2, 3), (3, 4)),
        "einsum(): output subscript l does not appear in the equation for any input operand",
    ),
    (
        ("ij,jk->ii", (2, 3), (3, 4)),
        "einsum(): output subscript i appears more than once in the output",
    ),
    (
        ("ijk", (2, 3)),
        (
            "einsum(): the number of subscripts in the equation (3) does not match the number of "
            "dimensions (2) for operand 0 and no ellipsis was given"
        ),
    ),
    (
        ("ijk...", (2, 3)),
        (
            "einsum(): the number of subscripts in the equation (3) is more than the number of "
            "dimensions (2) for operand 0"
        ),
    ),
    (
        ("i1,1k->ik", (2, 3), (3, 4)),
        (
            "einsum(): invalid subscript given at index 1 in the equation string, subscripts must "
            "be in [a-zA-Z]"
        ),
    ),
    (
        ("ij->ij->", (2, 3)),
        (
            "einsum(): invalid subscript given at index 6 in the equation string, subscripts must "
            "be in [a-zA-Z]"
        ),
    ),
    (
        ("i..j,jk->ik", (2, 3), (3, 4)),
        "einsum(): found '.' for operand 0 that is not part of any ellipsis",
    ),
    (
        ("......", (2, 3)),
        "einsum(): found '.' for operand 0 for which an ellipsis was already found",
    ),
    (
        ("iij->j", (2, 3, 3)),
        "einsum(): subscript i is repeated for operand 0 but the sizes don't match, 3 != 2",
    ),
    (
        ("...ij,...jk", (2, 2, 3), (5, 3, 4)),
        (
            "einsum(): dimension 0 covered by ellipsis in operand 1has size 5 which does not "
            "broadcast with previously seen ellipsis with size 2 for the respective dimension"
        ),
    ),
    (
        ("ij,jk", (2, 3), (3, 4), "double"),
        "expected scalar type Float but found Double",
    ),
]


@pytest.mark.parametrize(("args", "msg"), ERRORS)
def test_errors(args, msg):
    eq, *shapes = args
    double = shapes and shapes[-1] == "double"
    if double:
        shapes = shapes[:-1]
    ops = [ferrograd.ones(*s) for s in shapes]
    if double:
        ops[-1] = ops[-1].double()
    with raises(RuntimeError, msg):
        ferrograd.einsum(eq, *ops)


def test_argument_errors():
    with raises(ValueError, "einsum(): must specify the equation string and at least one operand"):
        ferrograd.einsum("ij,jk")
    with raises(TypeError, "expected Tensor as element 0 in argument 1, but got int"):
        ferrograd.einsum("i", [1])
    with raises(ValueError, "einsum(): subscript in subscript list is not within the valid range"):
        ferrograd.einsum(ferrograd.ones(2, 3), [0, 52])
    with raises(NotImplementedError, "\"bmm\" not implemented for 'Bool'"):
        b = ferrograd.ones(2, 2, dtype=ferrograd.bool)
        ferrograd.einsum("ij,ij", b, b)
