"""The shape ops on inputs large enough to take the parallel memcpy paths (above the kernel
threshold), compared with numpy, plus the module-level spellings of every op."""

from __future__ import annotations

import threading

import ferrograd
import numpy as np
import pytest

BIG = 1 << 17  # comfortably above the parallel threshold (1 << 15 elements)


@pytest.fixture(params=["float32", "int64", "float16", "uint8"])
def big(request):
    a = (np.arange(BIG * 3) % 251).astype(request.param).reshape(3, 256, -1)
    return ferrograd.from_numpy(a), a


def test_cat_and_stack_of_large_inputs(big):
    t, a = big
    for dim in range(3):
        np.testing.assert_array_equal(
            ferrograd.cat([t, t], dim).numpy(), np.concatenate([a, a], dim)
        )
    np.testing.assert_array_equal(ferrograd.stack([t, t], 3).numpy(), np.stack([a, a], 3))
    tt = t.transpose(0, 2)
    np.testing.assert_array_equal(
        ferrograd.cat([tt, tt], 1).numpy(), np.concatenate([a.transpose(2, 1, 0)] * 2, 1)
    )


def test_flip_roll_repeat_of_large_inputs(big):
    t, a = big
    np.testing.assert_array_equal(t.flip(0, 2).numpy(), np.flip(a, (0, 2)))
    np.testing.assert_array_equal(t.flip(-1).numpy(), np.flip(a, -1))
    np.testing.assert_array_equal(t.roll(1000).numpy(), np.roll(a, 1000))
    np.testing.assert_array_equal(t.roll((1, -7), (0, 2)).numpy(), np.roll(a, (1, -7), (0, 2)))
    np.testing.assert_array_equal(t.repeat(2, 1, 1).numpy(), np.tile(a, (2, 1, 1)))
    np.testing.assert_array_equal(t.repeat_interleave(2, dim=1).numpy(), np.repeat(a, 2, axis=1))
    counts = np.arange(256) % 3
    got = t.repeat_interleave(ferrograd.tensor(counts), dim=1)
    np.testing.assert_array_equal(got.numpy(), np.repeat(a, counts, axis=1))
    np.testing.assert_array_equal(t.tril(3).numpy(), np.tril(a, 3))
    np.testing.assert_array_equal(t.mT.triu(-2).numpy(), np.triu(a.swapaxes(1, 2), -2))


def test_large_copies_run_beside_other_threads():
    """The copies release the GIL; results stay right when threads run them at once."""
    a = np.arange(BIG * 4, dtype=np.float32).reshape(4, -1)
    t = ferrograd.from_numpy(a)
    results = {}

    def work(i):
        results[i] = ferrograd.cat([t.flip(1), t], 1).numpy()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    want = np.concatenate([np.flip(a, 1), a], 1)
    for i in range(4):
        np.testing.assert_array_equal(results[i], want)


def test_module_level_spellings():
    """Methods that PyTorch also has as functions are the same objects here."""
    for name in [
        "flip",
        "fliplr",
        "flipud",
        "roll",
        "rot90",
        "tile",
        "tril",
        "triu",
        "diag",
        "diag_embed",
        "diagflat",
        "trace",
        "broadcast_to",
        "ravel",
        "tensor_split",
        "chunk",
        "unbind",
        "split_with_sizes",
        "hsplit",
        "vsplit",
        "dsplit",
    ]:
        assert getattr(ferrograd, name) is getattr(ferrograd.Tensor, name), name
    for name in [
        "cat",
        "concat",
        "concatenate",
        "stack",
        "hstack",
        "vstack",
        "row_stack",
        "dstack",
        "column_stack",
        "split",
        "repeat_interleave",
        "tril_indices",
        "triu_indices",
        "meshgrid",
        "cartesian_prod",
        "combinations",
        "broadcast_tensors",
        "broadcast_shapes",
        "atleast_1d",
        "atleast_2d",
        "atleast_3d",
    ]:
        assert callable(getattr(ferrograd, name)), name
    assert not hasattr(ferrograd, "repeat")  # PyTorch has it only as a method
