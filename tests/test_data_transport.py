"""How batches and the workers' configuration cross between processes: tensors of every
dtype and layout rebuilt exactly, and the shared (memfd) configuration mapped copy-on-write.
Exercised in one process, over a real pipe."""

from __future__ import annotations

from multiprocessing import Pipe

import ferrograd as torch
import numpy as np
from ferrograd.utils.data import TensorDataset
from ferrograd.utils.data._transport import Packed, recv_result, send_result
from ferrograd.utils.data._worker_config import config_source


def round_trip(obj):
    reader, writer = Pipe(duplex=False)
    send_result(writer, obj)
    return recv_result(reader)


def test_tensors_round_trip_exactly():
    base = torch.arange(12.0).reshape(3, 4)
    batch = {
        "transposed": base.t(),  # non-contiguous: sent contiguous, same values
        "bf16": torch.tensor([1.5, -2.0], dtype=torch.bfloat16),  # no numpy dtype: raw bytes
        "half": torch.tensor([0.5], dtype=torch.float16),
        "flags": torch.tensor([True, False]),
        "bytes": torch.tensor([255], dtype=torch.uint8),
        "scalar": torch.tensor(7),
        "empty": torch.zeros(0, 3),
        "grad": torch.ones(2, requires_grad=True),
        "other": ["text", 3, None, np.arange(3)],
    }
    out = round_trip((5, batch))
    assert out[0] == 5
    got = out[1]
    for key in ["transposed", "bf16", "half", "flags", "bytes", "scalar", "empty", "grad"]:
        assert got[key].dtype == batch[key].dtype, key
        assert got[key].shape == batch[key].shape, key
        assert got[key].tolist() == batch[key].tolist(), key
    assert got["grad"].requires_grad and not got["transposed"].requires_grad
    assert got["other"][:3] == ["text", 3, None] and got["other"][3].tolist() == [0, 1, 2]


def test_received_tensors_are_writable_and_independent():
    sent = torch.zeros(4)
    got = round_trip(sent)
    got.add_(1)  # fresh memory owned by the receiver
    assert got.tolist() == [1.0] * 4 and sent.tolist() == [0.0] * 4


def test_large_buffers_cross_a_pipe_in_pieces():
    # 8 MB is far more than a pipe holds: sender and receiver must interleave
    import threading

    big = torch.arange(2_000_000, dtype=torch.float32)
    reader, writer = Pipe(duplex=False)
    sender = threading.Thread(target=send_result, args=(writer, big))
    sender.start()
    got = recv_result(reader)
    sender.join()
    assert got.shape == (2_000_000,) and got[-1].item() == 1_999_999.0


def test_shared_config_is_mapped_copy_on_write():
    x = torch.arange(6.0)
    source = config_source(None, Packed(TensorDataset(x)))
    try:
        # what a forked worker does with the inherited object; twice, as two workers would
        first, second = source.load(), source.load()
    finally:
        source.close()
    assert first.tensors[0].tolist() == x.tolist()
    first.tensors[0].add_(10)  # a worker's write stays in its own pages
    assert second.tensors[0].tolist() == x.tolist() and x.tolist() == [0, 1, 2, 3, 4, 5]
