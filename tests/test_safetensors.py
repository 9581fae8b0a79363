"""ferrograd.utils.safetensors: the safetensors layout, byte for byte, and its errors."""

import json
import struct

import ferrograd as torch
import numpy as np
import pytest
from ferrograd.utils.safetensors import SafetensorError, load, load_file, save, save_file
from hypothesis import given, settings
from hypothesis import strategies as st

CODES = {
    torch.float32: "F32",
    torch.float64: "F64",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.int16: "I16",
    torch.int8: "I8",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}


def hand_built(header: dict, data: bytes) -> bytes:
    """A safetensors file made from the spec: u64 header length, JSON padded to 8, data."""
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def test_reads_a_hand_built_file(tmp_path):
    weight = np.arange(6, dtype=np.float32).reshape(2, 3)
    ids = np.array([-1, 5], dtype=np.int64)
    header = {
        "__metadata__": {"format": "pt"},
        "ids": {"dtype": "I64", "shape": [2], "data_offsets": [0, 16]},
        "weight": {"dtype": "F32", "shape": [2, 3], "data_offsets": [16, 40]},
        "flag": {"dtype": "BOOL", "shape": [], "data_offsets": [40, 41]},
    }
    raw = hand_built(header, ids.tobytes() + weight.tobytes() + b"\x01")
    path = tmp_path / "model.safetensors"
    path.write_bytes(raw)
    for loaded in (load(raw), load_file(path), load_file(str(path))):
        assert list(loaded) == ["ids", "weight", "flag"]
        np.testing.assert_array_equal(loaded["weight"].numpy(), weight)
        assert loaded["ids"].tolist() == [-1, 5]
        assert loaded["flag"].dtype == torch.bool and loaded["flag"].item() is True


def test_output_bytes_follow_the_spec_exactly():
    tensors = {
        "w": torch.tensor([[1.0, 2.0]]),
        "step": torch.tensor(3, dtype=torch.int64),
        "mask": torch.tensor([True, False, True]),
    }
    raw = save(tensors, metadata={"format": "pt"})
    # Largest alignment first (I64, then F32, then BOOL), then by name; metadata leads.
    expected_header = {
        "__metadata__": {"format": "pt"},
        "step": {"dtype": "I64", "shape": [], "data_offsets": [0, 8]},
        "w": {"dtype": "F32", "shape": [1, 2], "data_offsets": [8, 16]},
        "mask": {"dtype": "BOOL", "shape": [3], "data_offsets": [16, 19]},
    }
    data = struct.pack("<q", 3) + struct.pack("<2f", 1.0, 2.0) + b"\x01\x00\x01"
    assert raw == hand_built(expected_header, data)
    (header_len,) = struct.unpack("<Q", raw[:8])
    assert header_len % 8 == 0 and raw[8 + header_len - 1 : 8 + header_len] in (b" ", b"}")


@settings(max_examples=15, deadline=None)
@given(
    dtype=st.sampled_from(list(CODES)),
    shape=st.lists(st.integers(0, 4), max_size=3),
    seed=st.integers(0, 2**16),
)
def test_round_trip_every_dtype(dtype, shape, seed):
    data = np.random.default_rng(seed).integers(0, 100, size=shape)
    t = torch.tensor((data > 50).tolist() if dtype == torch.bool else data.tolist(), dtype=dtype)
    t = t.reshape(shape)
    loaded = load(save({"t": t}))["t"]
    assert loaded.dtype == dtype and tuple(loaded.shape) == tuple(shape)
    assert loaded.to(torch.float64).numpy().tolist() == t.to(torch.float64).numpy().tolist()
    raw = save({"t": t})
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_len])
    assert header["t"]["dtype"] == CODES[dtype]


def test_save_file_round_trip(tmp_path):
    path = tmp_path / "a.safetensors"
    save_file({"a": torch.arange(3.0)}, path)
    assert load_file(path)["a"].tolist() == [0.0, 1.0, 2.0]


def test_contiguous_view_saves_only_its_own_bytes():
    base = torch.arange(10.0)
    raw = save({"tail": base[6:]})
    loaded = load(raw)["tail"]
    assert loaded.tolist() == [6.0, 7.0, 8.0, 9.0]
    assert len(raw) == 8 + struct.unpack("<Q", raw[:8])[0] + 16


def test_non_contiguous_tensor_is_refused():
    with pytest.raises(ValueError) as info:
        save({"t": torch.arange(6.0).reshape(2, 3).t()})
    assert str(info.value).startswith(
        "You are trying to save a non contiguous tensor: `t` which is not allowed."
    )


def test_tensors_sharing_memory_are_refused():
    base = torch.arange(6.0)
    with pytest.raises(RuntimeError, match="Some tensors share memory") as info:
        save({"a": base, "b": base[2:]})
    assert "[['a', 'b']]" in str(info.value)
    # Disjoint halves of one storage do not overlap, so they are fine.
    halves = load(save({"a": base[:3], "b": base[3:]}))
    assert halves["b"].tolist() == [3.0, 4.0, 5.0]


def test_non_dict_and_non_tensor_values_are_refused():
    with pytest.raises(ValueError, match=r"Expected a dict of \[str, torch.Tensor\] but received"):
        save([torch.ones(1)])
    with pytest.raises(ValueError, match="Key `x` is invalid, expected torch.Tensor but received"):
        save({"x": [1.0]})
    with pytest.raises(TypeError):
        save({"x": torch.ones(1)}, metadata={"epoch": 3})


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (b"\x01\x00", "HeaderTooSmall"),
        (struct.pack("<Q", 10**12) + b"{}", "HeaderTooLarge"),
        (struct.pack("<Q", 64) + b"{}", "InvalidHeaderLength"),
        (struct.pack("<Q", 8) + b"[1,2]   ", "InvalidHeaderStart"),
        (struct.pack("<Q", 8) + b"{nope}  ", "InvalidHeaderDeserialization"),
    ],
)
def test_corrupt_headers_are_rejected(raw, kind):
    with pytest.raises(SafetensorError, match=f"Error while deserializing header: {kind}"):
        load(raw)


def test_offsets_that_do_not_tile_the_data_are_rejected():
    entry = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}
    with pytest.raises(SafetensorError, match="MetadataIncompleteBuffer"):
        load(hand_built({"a": entry}, b"\x00" * 4))
    with pytest.raises(SafetensorError, match="InvalidOffset"):
        load(hand_built({"a": {**entry, "data_offsets": [4, 12]}}, b"\x00" * 12))
    with pytest.raises(SafetensorError, match="TensorInvalidInfo"):
        load(hand_built({"a": {**entry, "shape": [3]}}, b"\x00" * 8))
    with pytest.raises(SafetensorError, match="InvalidHeaderDeserialization"):
        load(hand_built({"a": {**entry, "dtype": "C64"}}, b"\x00" * 8))
