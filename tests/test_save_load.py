"""ferrograd.save / ferrograd.load round trips, and the byte layout of the files written."""

import collections
import copy
import io
import pathlib
import pickle
import pickletools
import zipfile

import ferrograd as torch
import numpy as np
import pytest
from ferrograd.nn import Parameter
from hypothesis import given, settings
from hypothesis import strategies as st

ALL_DTYPES = [
    torch.float32,
    torch.float64,
    torch.float16,
    torch.bfloat16,
    torch.int8,
    torch.int16,
    torch.int32,
    torch.int64,
    torch.uint8,
    torch.bool,
]


def round_trip(obj, **load_kwargs):
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return torch.load(buffer, **load_kwargs)


def values(t):
    """The values as float64 numpy (bfloat16 has no numpy dtype)."""
    return t.to(torch.float64).numpy()


@settings(max_examples=20, deadline=None)
@given(
    dtype=st.sampled_from(ALL_DTYPES),
    shape=st.lists(st.integers(0, 4), min_size=0, max_size=3),
    seed=st.integers(0, 2**16),
)
def test_round_trip_every_dtype_and_shape(dtype, shape, seed):
    data = np.random.default_rng(seed).integers(-100, 100, size=shape)
    if dtype == torch.uint8:
        data = np.abs(data)
    if dtype == torch.bool:
        data = data > 0
    t = torch.tensor(data.tolist(), dtype=dtype).reshape(shape)
    loaded = round_trip(t)
    assert loaded.dtype == dtype
    assert tuple(loaded.shape) == tuple(shape)
    assert loaded.stride() == t.stride()
    np.testing.assert_array_equal(values(loaded), values(t))


def test_special_float_values_survive_bit_for_bit():
    t = torch.tensor([float("nan"), float("inf"), -float("inf"), -0.0, 1e-45], dtype=torch.float32)
    loaded = round_trip(t)
    assert loaded.numpy().tobytes() == t.numpy().tobytes()


def test_view_and_base_keep_sharing_one_storage():
    base = torch.arange(12.0).reshape(3, 4)
    view = base[1:, ::2]
    transposed = base.t()
    loaded = round_trip({"base": base, "view": view, "t": transposed})
    assert loaded["view"].stride() == (4, 2)
    assert loaded["view"].storage_offset() == 4
    assert loaded["t"].stride() == (1, 4)
    np.testing.assert_array_equal(loaded["view"].numpy(), [[4.0, 6.0], [8.0, 10.0]])
    # One storage: a write through the view shows in the base and in the transpose.
    loaded["view"][0, 0] = -1.0
    assert loaded["base"][1, 0].item() == -1.0
    assert loaded["t"][0, 1].item() == -1.0
    # Loaded tensors are leaves of their own, like PyTorch's.
    assert loaded["view"]._base is None


def test_a_view_saved_alone_keeps_its_whole_storage_and_offset():
    base = torch.arange(10, dtype=torch.int32)
    loaded = round_trip(base[7:9])
    assert loaded.storage_offset() == 7
    assert loaded.untyped_storage().nbytes() == 40
    assert loaded.tolist() == [7, 8]


def test_same_tensor_twice_is_one_object_after_load():
    t = torch.ones(3)
    loaded = round_trip([t, t])
    assert loaded[0] is loaded[1]


def test_parameter_and_requires_grad_are_kept():
    p = Parameter(torch.tensor([1.0, 2.0]))
    frozen = Parameter(torch.tensor([3.0]), requires_grad=False)
    leaf = torch.tensor([4.0], requires_grad=True)
    plain = torch.tensor([5.0])
    loaded = round_trip({"p": p, "frozen": frozen, "leaf": leaf, "plain": plain})
    assert type(loaded["p"]) is Parameter and loaded["p"].requires_grad
    assert type(loaded["frozen"]) is Parameter and not loaded["frozen"].requires_grad
    assert type(loaded["leaf"]) is torch.Tensor and loaded["leaf"].requires_grad
    assert loaded["leaf"].is_leaf
    assert not loaded["plain"].requires_grad
    assert loaded["p"].tolist() == [1.0, 2.0]


def test_non_leaf_tensor_loads_as_a_leaf_that_requires_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    loaded = round_trip(y)
    assert loaded.requires_grad and loaded.is_leaf and loaded.grad_fn is None
    assert loaded.tolist() == [3.0, 6.0]


def test_nested_containers_numbers_strings_and_torch_objects():
    obj = {
        "list": [1, 2.5, "s", None, True],
        "tuple": (torch.tensor(7), {"k": torch.zeros(2, dtype=torch.int64)}),
        "ordered": collections.OrderedDict([("b", 1), ("a", torch.ones(1))]),
        "size": torch.Size([2, 3]),
        "dtype": torch.bfloat16,
        "device": torch.device("cpu"),
        "bytes": b"\x00\xff",
        "set": {1, 2},
        "complex": 1 + 2j,
        "empty": torch.zeros(0, 3),
    }
    loaded = round_trip(obj)
    assert loaded["list"] == [1, 2.5, "s", None, True]
    assert isinstance(loaded["tuple"], tuple) and loaded["tuple"][0].item() == 7
    assert loaded["tuple"][1]["k"].dtype == torch.int64
    assert type(loaded["ordered"]) is collections.OrderedDict
    assert list(loaded["ordered"]) == ["b", "a"]
    assert type(loaded["size"]) is torch.Size and loaded["size"] == torch.Size([2, 3])
    assert loaded["dtype"] is torch.bfloat16
    assert loaded["device"] == torch.device("cpu")
    assert loaded["bytes"] == b"\x00\xff" and loaded["set"] == {1, 2}
    assert loaded["complex"] == 1 + 2j
    assert tuple(loaded["empty"].shape) == (0, 3)


def test_checkpoint_dict_with_optimizer_state_round_trips():
    state = {
        "state": {0: {"step": torch.tensor(3.0), "exp_avg": torch.full((2, 2), 0.5)}},
        "param_groups": [{"lr": 0.001, "betas": (0.9, 0.999), "params": [0]}],
    }
    checkpoint = {
        "epoch": 7,
        "model_state_dict": collections.OrderedDict([("w", torch.eye(2))]),
        "optimizer_state_dict": state,
        "loss": 0.125,
    }
    loaded = round_trip(checkpoint)
    assert loaded["epoch"] == 7 and loaded["loss"] == 0.125
    assert loaded["model_state_dict"]["w"].tolist() == [[1.0, 0.0], [0.0, 1.0]]
    opt = loaded["optimizer_state_dict"]
    assert opt["state"][0]["step"].item() == 3.0
    assert opt["param_groups"] == [{"lr": 0.001, "betas": (0.9, 0.999), "params": [0]}]


def test_model_state_dict_round_trips_into_a_new_model():
    if not hasattr(torch.nn, "Linear") or not hasattr(torch.nn, "Sequential"):
        pytest.skip("nn.Linear is not there yet")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    loaded = round_trip(model.state_dict())
    assert list(loaded) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    other = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    other.load_state_dict(loaded)
    x = torch.ones(1, 3)
    np.testing.assert_array_equal(other(x).detach().numpy(), model(x).detach().numpy())


def test_save_and_load_with_str_and_pathlike_paths(tmp_path):
    t = torch.arange(4.0)
    torch.save(t, str(tmp_path / "a.pt"))
    torch.save(t, tmp_path / "b.pt")
    assert torch.load(tmp_path / "a.pt").tolist() == [0.0, 1.0, 2.0, 3.0]
    assert torch.load(str(tmp_path / "b.pt")).tolist() == [0.0, 1.0, 2.0, 3.0]
    # Saving again replaces the file and leaves no temporary file behind.
    torch.save(torch.zeros(1), tmp_path / "a.pt")
    assert torch.load(tmp_path / "a.pt").tolist() == [0.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pt", "b.pt"]


def test_save_to_an_open_file_object(tmp_path):
    path = tmp_path / "f.pt"
    with open(path, "wb") as f:
        torch.save({"x": torch.ones(2)}, f)
    with open(path, "rb") as f:
        assert torch.load(f)["x"].tolist() == [1.0, 1.0]


def test_map_location_forms_all_load_to_cpu():
    buffer = io.BytesIO()
    torch.save(torch.ones(2), buffer)
    for location in ["cpu", torch.device("cpu"), {"cpu": "cpu"}, lambda storage, loc: storage]:
        buffer.seek(0)
        assert torch.load(buffer, map_location=location).tolist() == [1.0, 1.0]


def test_map_location_to_cuda_raises_pytorchs_error():
    buffer = io.BytesIO()
    torch.save(torch.ones(2), buffer)
    buffer.seek(0)
    with pytest.raises(RuntimeError) as info:
        torch.load(buffer, map_location="cuda")
    # Recorded from PyTorch on a machine without CUDA.
    assert str(info.value) == (
        "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is "
        "False. If you are running on a CPU-only machine, please use torch.load with "
        "map_location=torch.device('cpu') to map your storages to the CPU."
    )


def test_saving_two_dtypes_over_one_storage_is_refused():
    # Two tensors reading the same bytes as different dtypes (PyTorch's `view(dtype)`) cannot
    # be written with one storage type; simulate it with numpy sharing one buffer.
    buffer = np.zeros(4, dtype=np.float32)
    a = torch.from_numpy(buffer)
    b = torch.from_numpy(buffer.view(np.int32))
    with pytest.raises(RuntimeError) as info:
        torch.save([a, b], io.BytesIO())
    assert str(info.value) == (
        "Cannot save multiple tensors or storages that view the same data as different types"
    )


def test_standard_pickle_and_deepcopy_still_work():
    t = torch.tensor([[1.0, 2.0]], requires_grad=True)
    for clone in (pickle.loads(pickle.dumps(t)), copy.deepcopy(t)):
        assert clone.tolist() == [[1.0, 2.0]] and clone.requires_grad


# --- the byte layout ------------------------------------------------------------------------


def saved_zip(obj, name="model.pt", folder=None):
    path = pathlib.Path(folder) / name
    torch.save(obj, path)
    return path, zipfile.ZipFile(path)


def test_archive_members_their_order_and_small_records(tmp_path):
    a = torch.ones(3)
    _, archive = saved_zip({"a": a, "b": torch.zeros(2, dtype=torch.int64)}, folder=tmp_path)
    assert archive.namelist() == [
        "model/data.pkl",
        "model/.format_version",
        "model/.storage_alignment",
        "model/byteorder",
        "model/data/0",
        "model/data/1",
        "model/version",
        "model/.data/serialization_id",
    ]
    assert archive.read("model/version") == b"3\n"
    assert archive.read("model/.format_version") == b"1"
    assert archive.read("model/.storage_alignment") == b"64"
    assert archive.read("model/byteorder") == b"little"
    assert len(archive.read("model/.data/serialization_id")) == 40
    assert archive.read("model/.data/serialization_id").isdigit()
    assert archive.read("model/data/0") == np.ones(3, np.float32).tobytes()
    assert archive.read("model/data/1") == np.zeros(2, np.int64).tobytes()
    for info in archive.infolist():
        assert info.compress_type == zipfile.ZIP_STORED


def test_storage_bytes_start_on_64_byte_boundaries(tmp_path):
    path, archive = saved_zip([torch.ones(5), torch.ones(3, dtype=torch.int8)], folder=tmp_path)
    raw = path.read_bytes()
    for name in ("model/data/0", "model/data/1"):
        info = archive.getinfo(name)
        name_len, extra_len = np.frombuffer(
            raw[info.header_offset + 26 : info.header_offset + 30], "<u2"
        )
        data_start = info.header_offset + 30 + name_len + extra_len
        assert data_start % 64 == 0
        assert raw[data_start : data_start + info.file_size] == archive.read(name)


def test_buffer_saves_use_the_archive_folder_name():
    buffer = io.BytesIO()
    torch.save(torch.ones(1), buffer)
    assert zipfile.ZipFile(buffer).namelist()[0] == "archive/data.pkl"


def pickle_globals(data):
    return [arg for op, arg, _ in pickletools.genops(data) if op.name == "GLOBAL"]


def test_data_pkl_names_pytorchs_globals_and_storages(tmp_path):
    obj = {
        "w": Parameter(torch.ones(2)),
        "v": torch.arange(4.0)[1:],
        "h": torch.ones(1, dtype=torch.float16),
        "s": torch.Size([1]),
        "d": torch.int64,
    }
    _, archive = saved_zip(obj, folder=tmp_path)
    data = archive.read("model/data.pkl")
    assert data[:2] == b"\x80\x02"  # protocol 2, as torch.save writes
    assert pickle_globals(data) == [
        "torch._utils _rebuild_parameter",
        "torch._utils _rebuild_tensor_v2",
        "torch FloatStorage",
        "collections OrderedDict",
        "torch HalfStorage",
        "torch Size",
        "torch int64",
    ]
    persistent_ids = [arg for op, arg, _ in pickletools.genops(data) if op.name == "BINUNICODE"]
    assert "storage" in persistent_ids and "cpu" in persistent_ids
