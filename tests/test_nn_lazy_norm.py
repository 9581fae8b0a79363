"""Lazy batch / instance norm (num_features read from input.shape[1]), LazyLinear on the shared
LazyModuleMixin, and SyncBatchNorm in a single process (reprs recorded from PyTorch)."""

import ferrograd as torch
import numpy as np
import pytest
from ferrograd import nn
from ferrograd.nn.modules.lazy import LazyModuleMixin

LAZY_CASES = [
    (nn.LazyBatchNorm1d, nn.BatchNorm1d, (4, 3)),
    (nn.LazyBatchNorm1d, nn.BatchNorm1d, (4, 3, 5)),
    (nn.LazyBatchNorm2d, nn.BatchNorm2d, (2, 3, 2, 2)),
    (nn.LazyBatchNorm3d, nn.BatchNorm3d, (2, 3, 2, 1, 2)),
    (nn.LazyInstanceNorm1d, nn.InstanceNorm1d, (2, 3, 4)),
    (nn.LazyInstanceNorm2d, nn.InstanceNorm2d, (2, 3, 2, 3)),
    (nn.LazyInstanceNorm3d, nn.InstanceNorm3d, (2, 3, 2, 2, 2)),
]

STATE_BEFORE = [
    ("weight", "UninitializedParameter"),
    ("bias", "UninitializedParameter"),
    ("running_mean", "UninitializedBuffer"),
    ("running_var", "UninitializedBuffer"),
    ("num_batches_tracked", "Tensor"),
]


@pytest.mark.parametrize(("lazy_cls", "final_cls", "shape"), LAZY_CASES)
def test_lazy_norm_materialises_on_the_first_call(lazy_cls, final_cls, shape):
    m = lazy_cls()
    assert isinstance(m, LazyModuleMixin) and m.cls_to_become is final_cls
    # Lazy instance norms default to affine=True, track_running_stats=True (as PyTorch's).
    assert repr(m) == (
        f"{lazy_cls.__name__}(0, eps=1e-05, momentum=0.1, affine=True, bias=True, "
        "track_running_stats=True)"
    )
    assert m.has_uninitialized_params()
    assert [(k, type(v).__name__) for k, v in m.state_dict().items()] == STATE_BEFORE
    x = torch.tensor(np.random.default_rng(0).standard_normal(shape), dtype=torch.float32)
    y = m(x)
    assert type(m) is final_cls
    assert repr(m) == (
        f"{final_cls.__name__}(3, eps=1e-05, momentum=0.1, affine=True, bias=True, "
        "track_running_stats=True)"
    )
    assert not hasattr(m, "_initialize_hook") and not hasattr(m, "_load_hook")
    assert len(m._forward_pre_hooks) == 0
    assert [(k, tuple(v.shape)) for k, v in m.state_dict().items()] == [
        ("weight", (3,)),
        ("bias", (3,)),
        ("running_mean", (3,)),
        ("running_var", (3,)),
        ("num_batches_tracked", ()),
    ]
    assert type(m.weight) is nn.Parameter and type(m.running_mean) is torch.Tensor
    # The same numbers as the eager layer built with num_features=3.
    eager = final_cls(3, affine=True, track_running_stats=True)
    np.testing.assert_allclose(y.detach().numpy(), eager(x).detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(m.running_mean.numpy(), eager.running_mean.numpy(), atol=1e-6)
    # Batch norm counts its batches; instance norm never does.
    assert m.num_batches_tracked.item() == (0 if "Instance" in final_cls.__name__ else 1)


def test_lazy_norm_options():
    m = nn.LazyBatchNorm2d(eps=1e-3, momentum=None, affine=False, track_running_stats=False)
    assert repr(m) == (
        "LazyBatchNorm2d(0, eps=0.001, momentum=None, affine=False, bias=False, "
        "track_running_stats=False)"
    )
    assert list(m.state_dict()) == []
    m(torch.randn(2, 3, 2, 2))
    # Nothing was lazy: num_features is never read (as in PyTorch).
    assert repr(m) == (
        "BatchNorm2d(0, eps=0.001, momentum=None, affine=False, bias=False, "
        "track_running_stats=False)"
    )
    m = nn.LazyBatchNorm1d(bias=False, dtype=torch.float64)
    m(torch.randn(2, 3, dtype=torch.float64))
    assert m.bias is None and m.weight.dtype == torch.float64 and m.weight.shape == (3,)
    assert repr(m) == (
        "BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=False, track_running_stats=True)"
    )


def test_a_bad_input_is_refused_after_materialising():
    m = nn.LazyBatchNorm2d()
    with pytest.raises(ValueError) as info:
        m(torch.randn(2, 3, 2))
    assert str(info.value) == "expected 4D input (got 3D input)"
    # The pre-hook ran first (PyTorch's order): the layer is already a BatchNorm2d(3).
    assert type(m) is nn.BatchNorm2d and m.num_features == 3


def test_loading_a_state_dict_materialises_the_lazy_tensors():
    full = nn.BatchNorm1d(5)
    full.running_mean.fill_(2.0)
    lazy = nn.LazyBatchNorm1d()
    assert repr(lazy.load_state_dict(full.state_dict())) == "<All keys matched successfully>"
    assert type(lazy) is nn.LazyBatchNorm1d and not lazy.has_uninitialized_params()
    assert lazy.weight.shape == (5,)
    np.testing.assert_array_equal(lazy.running_mean.numpy(), np.full(5, 2.0))
    lazy(torch.ones(2, 5))
    # num_features stays 0: initialize_parameters had nothing left to do (PyTorch does this).
    assert type(lazy) is nn.BatchNorm1d and lazy.num_features == 0
    # A lazy state_dict loads into a lazy module and leaves it lazy.
    other = nn.LazyBatchNorm1d()
    other.load_state_dict(nn.LazyBatchNorm1d().state_dict())
    assert type(other.weight).__name__ == "UninitializedParameter"


def test_lazy_linear_uses_the_mixin():
    m = nn.LazyLinear(4)
    assert isinstance(m, LazyModuleMixin)
    assert repr(m) == "LazyLinear(in_features=0, out_features=4, bias=True)"
    assert [(k, type(v).__name__) for k, v in m.state_dict().items()] == [
        ("weight", "UninitializedParameter"),
        ("bias", "UninitializedParameter"),
    ]
    m(torch.ones(2, 3))
    assert type(m) is nn.Linear and m.weight.shape == (4, 3)
    assert repr(m) == "Linear(in_features=3, out_features=4, bias=True)"


def test_initialize_parameters_must_be_defined():
    class Lazy(LazyModuleMixin, nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(NotImplementedError) as info:
        Lazy()(torch.ones(1))
    assert str(info.value) == "initialize_parameters is not implemented for Lazy"


# ----- SyncBatchNorm -----


def test_sync_batch_norm_is_batch_norm_in_one_process():
    rng = np.random.default_rng(3)
    s = nn.SyncBatchNorm(3)
    assert repr(s) == (
        "SyncBatchNorm(3, eps=1e-05, momentum=0.1, affine=True, bias=True, "
        "track_running_stats=True)"
    )
    assert s.process_group is None
    b = nn.BatchNorm1d(3)
    x = torch.tensor(rng.standard_normal((4, 3, 2)), dtype=torch.float32)
    # Without a process group there is nothing to synchronise, in training and evaluation.
    np.testing.assert_allclose(s(x).detach().numpy(), b(x).detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(s.running_var.numpy(), b.running_var.numpy(), atol=1e-6)
    s.eval()
    b.eval()
    np.testing.assert_allclose(s(x).detach().numpy(), b(x).detach().numpy(), atol=1e-6)
    # Any rank >= 2: a 6-D input is normalised per channel over every other dim.
    s.train()
    x6 = rng.standard_normal((2, 3, 1, 2, 1, 2))
    flat = np.moveaxis(x6, 1, 0).reshape(3, -1)
    expected = (flat - flat.mean(1, keepdims=True)) / np.sqrt(flat.var(1, keepdims=True) + 1e-5)
    y6 = s(torch.tensor(x6, dtype=torch.float32)).detach().numpy()
    np.testing.assert_allclose(np.moveaxis(y6, 1, 0).reshape(3, -1), expected, atol=1e-5)


def test_sync_batch_norm_cumulative_average_and_errors():
    s = nn.SyncBatchNorm(2, momentum=None, bias=False)
    x = torch.tensor([[1.0, 2.0], [3.0, 6.0]])
    s(x)
    s(x)
    # momentum=None: a plain average over the batches; both see mean (2, 4).
    np.testing.assert_allclose(s.running_mean.numpy(), [2.0, 4.0])
    assert s.num_batches_tracked.item() == 2
    with pytest.raises(ValueError) as info:
        s(torch.ones(3))
    assert str(info.value) == "expected at least 2D input (got 1D input)"
    with pytest.raises(ValueError) as info:
        s(torch.ones(2, 0, 3))
    assert str(info.value) == "SyncBatchNorm number of input channels should be non-zero"


def test_convert_sync_batchnorm():
    net = nn.Sequential(
        nn.Conv2d(2, 3, 1),
        nn.BatchNorm2d(3),
        nn.Sequential(nn.BatchNorm1d(4, affine=False)),
        nn.InstanceNorm1d(2),
    )
    net[1].eval()
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(net, process_group="group")
    assert repr(converted) == (
        "Sequential(\n"
        "  (0): Conv2d(2, 3, kernel_size=(1, 1), stride=(1, 1))\n"
        "  (1): SyncBatchNorm(3, eps=1e-05, momentum=0.1, affine=True, bias=True, "
        "track_running_stats=True)\n"
        "  (2): Sequential(\n"
        "    (0): SyncBatchNorm(4, eps=1e-05, momentum=0.1, affine=False, bias=False, "
        "track_running_stats=True)\n"
        "  )\n"
        "  (3): InstanceNorm1d(2, eps=1e-05, momentum=0.1, affine=False, bias=False, "
        "track_running_stats=False)\n"
        ")"
    )
    # The containers are kept; the new layers share the old ones' tensors and mode.
    assert converted is net and converted[0] is not None
    sync = converted[1]
    assert sync.weight is not None and sync.process_group == "group"
    assert sync.training is False
    bn = nn.BatchNorm2d(3, bias=False)
    sync = nn.SyncBatchNorm.convert_sync_batchnorm(bn)
    assert sync.weight is bn.weight and sync.bias is None
    assert (
        sync.running_mean is bn.running_mean and sync.num_batches_tracked is bn.num_batches_tracked
    )
