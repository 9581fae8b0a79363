"""nn.utils.parametrize: the swapped class and its repr, state_dict keys, gradients reaching
`original`, right_inverse on assignment, caching, removal, and PyTorch's errors (reprs and
messages recorded from PyTorch)."""

import copy
import pickle

import ferrograd as torch
import numpy as np
import pytest
from ferrograd import nn

P = nn.utils.parametrize


class Symmetric(nn.Module):
    """W = triu(X) + triu(X, 1)^T; right_inverse keeps the upper triangle."""

    def forward(self, X):
        return X.triu() + X.triu(1).T

    def right_inverse(self, A):
        return A.triu()


class Double(nn.Module):
    """W = 2 X, without a right_inverse."""

    def forward(self, X):
        return X * 2


class RankOne(nn.Module):
    """W = x y^T from two vectors: right_inverse returns a tuple (original0, original1)."""

    def forward(self, x, y):
        return x.unsqueeze(-1) @ y.unsqueeze(-2)

    def right_inverse(self, Z):
        return Z[:, 0], Z[0, :]


W0 = np.arange(9.0).reshape(3, 3) / 10 - 0.3


def symmetric_linear():
    m = nn.Linear(3, 3).double()
    with torch.no_grad():
        m.weight.copy_(torch.tensor(W0))
    return m, m.weight


LINEAR_SYMMETRIC_REPR = """ParametrizedLinear(
  in_features=3, out_features=3, bias=True
  (parametrizations): ModuleDict(
    (weight): ParametrizationList(
      (0): Symmetric()
    )
  )
)"""


def test_registration_swaps_the_class_and_moves_the_tensor():
    m, weight = symmetric_linear()
    assert P.register_parametrization(m, "weight", Symmetric()) is m
    assert repr(m) == LINEAR_SYMMETRIC_REPR
    assert type(m).__name__ == "ParametrizedLinear"
    assert type(m).__bases__ == (nn.Linear,)
    assert isinstance(m, nn.Linear)
    assert P.type_before_parametrizations(m) is nn.Linear
    assert P.type_before_parametrizations(nn.ReLU()) is nn.ReLU
    # The Parameter object is kept (right_inverse wrote triu(W0) into it).
    assert m.parametrizations.weight.original is weight
    np.testing.assert_array_equal(weight.detach().numpy(), np.triu(W0))
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert [n for n, _ in m.named_parameters()] == ["bias", "parametrizations.weight.original"]
    assert P.is_parametrized(m) and P.is_parametrized(m, "weight")
    assert not P.is_parametrized(m, "bias") and not P.is_parametrized(nn.Linear(2, 2))
    # Another Linear keeps its own class.
    assert type(nn.Linear(2, 2)) is nn.Linear


def test_the_weight_is_computed_and_gradients_reach_original():
    m, weight = symmetric_linear()
    P.register_parametrization(m, "weight", Symmetric())
    expected = np.triu(W0) + np.triu(W0, 1).T
    np.testing.assert_allclose(m.weight.detach().numpy(), expected)
    y = m(torch.ones(1, 3, dtype=torch.float64))
    np.testing.assert_allclose(y.detach().numpy()[0], expected.sum(1) + m.bias.detach().numpy())
    m.weight.sum().backward()
    # d sum(W) / dX: 2 above the diagonal (used twice), 1 on it, 0 below (unused).
    np.testing.assert_array_equal(weight.grad.numpy(), [[1, 2, 2], [0, 1, 2], [0, 0, 1]])


def test_assignment_runs_right_inverse_into_the_same_object():
    m, weight = symmetric_linear()
    P.register_parametrization(m, "weight", Symmetric())
    A = np.array([[1.0, 2, 3], [2, 5, 6], [3, 6, 9]])
    m.weight = torch.tensor(A)
    assert m.parametrizations.weight.original is weight
    np.testing.assert_array_equal(weight.detach().numpy(), np.triu(A))
    np.testing.assert_array_equal(m.weight.detach().numpy(), A)


def test_chained_parametrizations_and_assignment_without_right_inverse():
    m, _ = symmetric_linear()
    P.register_parametrization(m, "weight", Symmetric())
    P.register_parametrization(m, "weight", Double())
    assert repr(m.parametrizations) == (
        "ModuleDict(\n  (weight): ParametrizationList(\n    (0): Symmetric()\n"
        "    (1): Double()\n  )\n)"
    )
    np.testing.assert_allclose(m.weight.detach().numpy(), 2 * (np.triu(W0) + np.triu(W0, 1).T))
    with pytest.raises(RuntimeError) as info:
        m.weight = torch.eye(3, dtype=torch.float64)
    assert str(info.value) == "parametrization Double does not implement right_inverse."


def test_parametrizations_follow_the_module_training_mode():
    m = nn.Linear(2, 2).eval()
    sym = Symmetric()
    P.register_parametrization(m, "weight", sym)
    assert sym.training is False
    m.train()
    assert sym.training is True


def test_cached_computes_each_tensor_once():
    calls = []

    class Count(nn.Module):
        def forward(self, X):
            calls.append(1)
            return X

    m = nn.Linear(2, 2)
    P.register_parametrization(m, "weight", Count())
    calls.clear()
    with P.cached():
        with P.cached():
            first = m.weight
        assert m.weight is first  # the outer block still holds the value
    assert len(calls) == 1
    m.weight  # noqa: B018  (outside the block: computed again)
    assert len(calls) == 2


def test_remove_leaving_the_parametrized_value_keeps_the_parameter_object():
    m, weight = symmetric_linear()
    P.register_parametrization(m, "weight", Symmetric())
    P.remove_parametrizations(m, "weight")
    assert type(m) is nn.Linear
    assert not hasattr(m, "parametrizations")
    assert m.weight is weight
    np.testing.assert_allclose(weight.detach().numpy(), np.triu(W0) + np.triu(W0, 1).T)
    assert [n for n, _ in m.named_parameters()] == ["bias", "weight"]
    assert repr(m) == "Linear(in_features=3, out_features=3, bias=True)"


def test_remove_without_leaving_it_puts_the_original_back():
    m, weight = symmetric_linear()
    P.register_parametrization(m, "weight", Symmetric())
    P.register_parametrization(m, "bias", Double())
    P.remove_parametrizations(m, "weight", leave_parametrized=False)
    # Still parametrized (bias): the class stays until the last one goes.
    assert type(m).__name__ == "ParametrizedLinear"
    assert m.weight is weight
    np.testing.assert_array_equal(m.weight.detach().numpy(), np.triu(W0))
    P.remove_parametrizations(m, "bias", leave_parametrized=False)
    assert type(m) is nn.Linear


def test_a_tuple_right_inverse_gives_original0_original1():
    m = nn.Linear(3, 3).double()
    P.register_parametrization(m, "weight", RankOne())
    assert list(m.state_dict()) == [
        "bias",
        "parametrizations.weight.original0",
        "parametrizations.weight.original1",
    ]
    x = m.parametrizations.weight.original0.detach().numpy()
    y = m.parametrizations.weight.original1.detach().numpy()
    np.testing.assert_allclose(m.weight.detach().numpy(), np.outer(x, y))
    # Assigning sets both from the new matrix's first column and row.
    m.weight = torch.ones(3, 3, dtype=torch.float64)
    np.testing.assert_array_equal(m.weight.detach().numpy(), np.ones((3, 3)))
    with pytest.raises(ValueError) as info:
        P.remove_parametrizations(m, "weight", leave_parametrized=False)
    assert str(info.value) == (
        "Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is parametrized "
        "in terms of a sequence of tensors."
    )
    P.remove_parametrizations(m, "weight")
    assert isinstance(m.weight, nn.Parameter)
    np.testing.assert_array_equal(m.weight.detach().numpy(), np.ones((3, 3)))


def test_a_buffer_can_be_parametrized():
    bn = nn.BatchNorm1d(2)
    P.register_parametrization(bn, "running_mean", Double())
    assert repr(bn) == (
        "ParametrizedBatchNorm1d(\n"
        "  2, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True\n"
        "  (parametrizations): ModuleDict(\n"
        "    (running_mean): ParametrizationList(\n"
        "      (0): Double()\n"
        "    )\n"
        "  )\n"
        ")"
    )
    assert list(bn.state_dict()) == [
        "weight",
        "bias",
        "running_var",
        "num_batches_tracked",
        "parametrizations.running_mean.original",
    ]
    assert [n for n, _ in bn.named_buffers()][-1] == "parametrizations.running_mean.original"


def test_state_dict_round_trip_between_parametrized_modules():
    source, _ = symmetric_linear()
    P.register_parametrization(source, "weight", Symmetric())
    target = nn.Linear(3, 3).double()
    P.register_parametrization(target, "weight", Symmetric())
    assert repr(target.load_state_dict(source.state_dict())) == "<All keys matched successfully>"
    np.testing.assert_array_equal(target.weight.detach().numpy(), source.weight.detach().numpy())


def test_transfer_parametrizations_and_params():
    source, _ = symmetric_linear()
    P.register_parametrization(source, "weight", Symmetric())
    target = nn.Linear(3, 3).double()
    P.transfer_parametrizations_and_params(source, target)
    assert type(target).__name__ == "ParametrizedLinear"
    assert target.parametrizations.weight.original is source.parametrizations.weight.original
    assert target.parametrizations.weight[0] is source.parametrizations.weight[0]
    np.testing.assert_array_equal(target.weight.detach().numpy(), source.weight.detach().numpy())


def test_deepcopy_works_and_pickling_is_refused():
    m, _ = symmetric_linear()
    P.register_parametrization(m, "weight", Symmetric())
    clone = copy.deepcopy(m)
    assert type(clone) is type(m)
    assert clone.parametrizations.weight.original is not m.parametrizations.weight.original
    np.testing.assert_array_equal(clone.weight.detach().numpy(), m.weight.detach().numpy())
    with pytest.raises(RuntimeError) as info:
        pickle.dumps(m)
    assert str(info.value) == (
        "Serialization of parametrized modules is only supported through state_dict(). See:\n"
        "https://pytorch.org/tutorials/beginner/saving_loading_models.html"
        "#saving-loading-a-general-checkpoint-for-inference-and-or-resuming-training"
    )


def test_errors_for_missing_names():
    m = nn.Linear(2, 2)
    with pytest.raises(ValueError) as info:
        P.register_parametrization(m, "foo", Symmetric())
    assert str(info.value) == (
        "Module 'Linear(in_features=2, out_features=2, bias=True)' does not have a parameter, "
        "a buffer, or a parametrized element with name 'foo'"
    )
    with pytest.raises(ValueError) as info:
        P.remove_parametrizations(m, "weight")
    assert str(info.value) == (
        "Module Linear(in_features=2, out_features=2, bias=True) does not have a "
        "parametrization on weight"
    )


def test_errors_for_parametrizations_that_change_the_tensor():
    class Shrink(nn.Module):
        def forward(self, X):
            return X[:2]

    class ToDouble(nn.Module):
        def forward(self, X):
            return X.double()

    m = nn.Linear(3, 3)
    with pytest.raises(ValueError) as info:
        P.register_parametrization(m, "weight", Shrink())
    assert str(info.value) == (
        "Registering a parametrization may not change the shape of the tensor, unless `unsafe` "
        "flag is enabled.\nunparametrized shape: ferrograd.Size([3, 3])\n"
        "parametrized shape: ferrograd.Size([2, 3])"
    )
    # A failed registration leaves the module as it was.
    assert type(m) is nn.Linear and isinstance(m.weight, nn.Parameter)
    with pytest.raises(ValueError) as info:
        P.register_parametrization(m, "weight", ToDouble())
    assert str(info.value) == (
        "Registering a parametrization may not change the dtype of the tensor, unless `unsafe` "
        "flag is enabled.\nunparametrized dtype: ferrograd.float32\n"
        "parametrized dtype: ferrograd.float64"
    )
    P.register_parametrization(m, "weight", Shrink(), unsafe=True)
    assert m.weight.shape == (2, 3)
    with pytest.raises(ValueError) as info:
        P.register_parametrization(m, "weight", ToDouble())
    assert str(info.value) == (
        "Registering a parametrization may not change the dtype of the tensor, unless the "
        "`unsafe` flag is enabled.\nmodule.weight.dtype: ferrograd.float32\n"
        "parametrization(module.weight).dtype: ferrograd.float64"
    )


def test_errors_for_bad_right_inverse_results():
    class ReturnsInt(nn.Module):
        def forward(self, X):
            return X

        def right_inverse(self, X):
            return 3

    class ToInt(nn.Module):
        def forward(self, X):
            return X

        def right_inverse(self, X):
            return X.int()

    class TupleWithInt(nn.Module):
        def forward(self, x, y):
            return x

        def right_inverse(self, Z):
            return Z, 3

    with pytest.raises(ValueError) as info:
        P.register_parametrization(nn.Linear(2, 2), "weight", ReturnsInt())
    assert str(info.value) == (
        "'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). Got int"
    )
    with pytest.raises(ValueError) as info:
        P.register_parametrization(nn.Linear(2, 2), "weight", ToInt())
    assert str(info.value) == (
        "When `right_inverse` outputs one tensor, it may not change the dtype.\n"
        "original.dtype: ferrograd.float32\nright_inverse(original).dtype: ferrograd.int32"
    )
    with pytest.raises(ValueError) as info:
        P.register_parametrization(nn.Linear(2, 2), "weight", TupleWithInt())
    assert str(info.value) == (
        "'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
        "Got element 1 of the sequence with type int."
    )
    with pytest.raises(ValueError, match="requires one or more modules"):
        P.ParametrizationList([], torch.zeros(2))
