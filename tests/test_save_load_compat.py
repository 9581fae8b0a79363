"""ferrograd.load reads checkpoints written by PyTorch's torch.save (checked-in fixtures).

The files under tests/data/ were written by PyTorch 2.15 with this script (not run by tests):

    import collections
    import torch

    out = "tests/data/"

    def fill(model):
        with torch.no_grad():
            for i, p in enumerate(model.parameters()):
                p.copy_(torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape) * 0.5 + i)

    torch.save(torch.arange(6, dtype=torch.float32).reshape(2, 3), out + "torch_tensor.pt")

    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    fill(model)
    torch.save(model.state_dict(), out + "torch_sequential_state_dict.pt")

    base = torch.arange(12, dtype=torch.float64).reshape(3, 4)
    torch.save({"base": base, "view": base[1:, ::2], "t": base.t()}, out + "torch_views.pt")

    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for p in model.parameters():
        p.grad = torch.full_like(p, 2.0)
    opt.step()
    torch.save(
        {"epoch": 5, "model_state_dict": model.state_dict(),
         "optimizer_state_dict": opt.state_dict(), "loss": torch.tensor(0.25)},
        out + "torch_checkpoint_adam.pt",
    )

    mixed = {
        "f32": torch.tensor([1.5, -2.0]), "f64": torch.tensor([1e-300, 3.0], dtype=torch.float64),
        "f16": torch.tensor([0.5, 65504.0], dtype=torch.float16),
        "bf16": torch.tensor([1.0, -3.0e38], dtype=torch.bfloat16),
        "i8": torch.tensor([-128, 127], dtype=torch.int8),
        "i16": torch.tensor([-32768, 7], dtype=torch.int16),
        "i32": torch.tensor([-(2**31), 9], dtype=torch.int32),
        "i64": torch.tensor([-(2**63), 2**62]),
        "u8": torch.tensor([0, 255], dtype=torch.uint8), "bool": torch.tensor([True, False]),
        "param": torch.nn.Parameter(torch.tensor([1.0, 2.0])),
        "frozen": torch.nn.Parameter(torch.tensor([3.0]), requires_grad=False),
        "grad_leaf": torch.tensor([4.0], requires_grad=True),
        "nested": [1, 2.5, "text", None, (torch.tensor(7), {"k": True})],
        "size": torch.Size([2, 3]), "dtype": torch.float16,
        "ordered": collections.OrderedDict(b=1, a=2),
    }
    torch.save(mixed, out + "torch_mixed.pt")
    torch.save(torch.ones(2), out + "torch_legacy.pt", _use_new_zipfile_serialization=False)
"""

import collections
import pathlib

import ferrograd as torch
import numpy as np
import pytest
from ferrograd.nn import Parameter

DATA = pathlib.Path(__file__).parent / "data"


def filled(shape, index):
    """What `fill` in the script put in parameter number `index`."""
    return np.arange(np.prod(shape), dtype=np.float32).reshape(shape) * 0.5 + index


def test_single_tensor():
    t = torch.load(DATA / "torch_tensor.pt")
    assert type(t) is torch.Tensor and t.dtype == torch.float32
    np.testing.assert_array_equal(t.numpy(), [[0, 1, 2], [3, 4, 5]])


def test_sequential_state_dict():
    sd = torch.load(DATA / "torch_sequential_state_dict.pt")
    assert type(sd) is collections.OrderedDict
    assert list(sd) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    shapes = [(4, 3), (4,), (2, 4), (2,)]
    for index, (name, shape) in enumerate(zip(sd, shapes)):
        assert type(sd[name]) is torch.Tensor and not sd[name].requires_grad
        np.testing.assert_array_equal(sd[name].numpy(), filled(shape, index))


def test_state_dict_loads_into_a_ferrograd_model():
    if not hasattr(torch.nn, "Linear") or not hasattr(torch.nn, "Sequential"):
        pytest.skip("nn.Linear is not there yet")
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    model.load_state_dict(torch.load(DATA / "torch_sequential_state_dict.pt"))
    x = np.array([[1.0, -1.0, 2.0]], dtype=np.float32)
    hidden = np.maximum(x @ filled((4, 3), 0).T + filled((4,), 1), 0)
    expected = hidden @ filled((2, 4), 2).T + filled((2,), 3)
    out = model(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-6)


def test_views_share_one_storage_after_load():
    d = torch.load(DATA / "torch_views.pt")
    assert d["view"].stride() == (4, 2) and d["view"].storage_offset() == 4
    assert d["t"].stride() == (1, 4)
    np.testing.assert_array_equal(d["view"].numpy(), [[4, 6], [8, 10]])
    d["view"][1, 1] = -5.0
    assert d["base"][2, 2].item() == -5.0 and d["t"][2, 2].item() == -5.0


def test_checkpoint_with_adam_state():
    ck = torch.load(DATA / "torch_checkpoint_adam.pt")
    assert ck["epoch"] == 5
    assert ck["loss"].item() == 0.25
    # One Adam step with lr=0.01 and gradient 2 moves every weight by -0.01.
    np.testing.assert_allclose(
        ck["model_state_dict"]["0.weight"].numpy(), filled((4, 3), 0) - 0.01, rtol=1e-6
    )
    opt = ck["optimizer_state_dict"]
    assert sorted(opt["state"]) == [0, 1, 2, 3]
    first = opt["state"][0]
    assert first["step"].item() == 1.0
    # exp_avg = (1 - 0.9) * 2, exp_avg_sq = (1 - 0.999) * 2**2.
    np.testing.assert_allclose(first["exp_avg"].numpy(), np.full((4, 3), 0.2), rtol=1e-6)
    np.testing.assert_allclose(first["exp_avg_sq"].numpy(), np.full((4, 3), 0.004), rtol=1e-5)
    group = opt["param_groups"][0]
    assert (
        group["lr"] == 0.01 and group["betas"] == (0.9, 0.999) and group["params"] == [0, 1, 2, 3]
    )


def test_every_dtype_parameters_and_python_values():
    d = torch.load(DATA / "torch_mixed.pt")
    expected = {
        "f32": (torch.float32, [1.5, -2.0]),
        "f64": (torch.float64, [1e-300, 3.0]),
        "f16": (torch.float16, [0.5, 65504.0]),
        # -3.0e38 rounded to bfloat16 (value recorded from PyTorch).
        "bf16": (torch.bfloat16, [1.0, -3.00405527047391e38]),
        "i8": (torch.int8, [-128, 127]),
        "i16": (torch.int16, [-32768, 7]),
        "i32": (torch.int32, [-(2**31), 9]),
        "i64": (torch.int64, [-(2**63), 2**62]),
        "u8": (torch.uint8, [0, 255]),
        "bool": (torch.bool, [True, False]),
    }
    for name, (dtype, items) in expected.items():
        assert d[name].dtype == dtype, name
        assert d[name].tolist() == items, name
    assert type(d["param"]) is Parameter and d["param"].requires_grad
    assert type(d["frozen"]) is Parameter and not d["frozen"].requires_grad
    assert type(d["grad_leaf"]) is torch.Tensor and d["grad_leaf"].requires_grad
    nested = d["nested"]
    assert nested[:4] == [1, 2.5, "text", None]
    assert nested[4][0].item() == 7 and nested[4][1] == {"k": True}
    assert type(d["size"]) is torch.Size and d["size"] == torch.Size([2, 3])
    assert d["dtype"] is torch.float16
    assert d["ordered"] == collections.OrderedDict(b=1, a=2)


def test_legacy_format_is_refused_with_a_clear_error():
    path = DATA / "torch_legacy.pt"
    with pytest.raises(RuntimeError, match="legacy \\(PyTorch < 1.6\\) checkpoint") as info:
        torch.load(path)
    assert str(path) in str(info.value)
