"""Containers: Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict.

Reprs and messages were recorded from PyTorch (`torch.` read as `ferrograd.`).
"""

from __future__ import annotations

from collections import OrderedDict

import ferrograd as torch
import pytest
from ferrograd import nn


def test_sequential_forward_indexing_and_repr():
    seq = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))
    assert repr(seq) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): Sequential(\n"
        "    (0): ReLU()\n"
        "    (1): Linear(in_features=3, out_features=1, bias=True)\n"
        "  )\n"
        ")"
    )
    x = torch.randn(4, 2)
    expected = seq[1][1](seq[0](x).relu())
    assert torch.equal(seq(x), expected)
    assert len(seq) == 2 and seq[-1] is seq[1] and list(seq) == [seq[0], seq[1]]
    head = seq[:1]
    assert type(head) is nn.Sequential and len(head) == 1 and head[0] is seq[0]
    with pytest.raises(IndexError, match=r"^index 5 is out of range$"):
        seq[5]
    with pytest.raises(IndexError, match=r"^index -3 is out of range$"):
        seq[-3]
    assert repr(nn.Sequential()) == "Sequential()"
    assert nn.Sequential()(x) is x


def test_sequential_from_ordered_dict_and_mutation():
    relu, tanh, sig = nn.ReLU(), nn.Tanh(), nn.Sigmoid()
    seq = nn.Sequential(OrderedDict([("act", relu), ("squash", tanh)]))
    assert list(seq._modules) == ["act", "squash"] and seq.act is relu
    seq[1] = sig
    assert seq.squash is sig
    del seq[0]
    # Deleting renames the children 0..n-1.
    assert list(seq._modules) == ["0"] and seq[0] is sig
    seq.append(relu).insert(0, tanh)
    assert list(seq) == [tanh, sig, relu] and list(seq._modules) == ["0", "1", "2"]
    seq.insert(-1, relu)
    assert list(seq) == [tanh, sig, relu, relu]
    assert seq.pop(1) is sig and list(seq) == [tanh, relu, relu]
    seq.extend([sig])
    assert list(seq) == [tanh, relu, relu, sig]
    del seq[1:3]
    assert list(seq) == [tanh, sig]
    combined = seq + nn.Sequential(relu)
    assert list(combined) == [tanh, sig, relu] and list(seq) == [tanh, sig]
    assert list(seq * 2) == [tanh, sig, tanh, sig]
    seq += nn.Sequential(relu)
    assert list(seq) == [tanh, sig, relu]


@pytest.mark.parametrize(
    "action, error, message",
    [
        (
            lambda s: s + 3,
            ValueError,
            "add operator supports only objects of Sequential class, but <class 'int'> is given.",
        ),
        (
            lambda s: s * 0,
            ValueError,
            (
                "Non-positive multiplication factor 0 for "
                "<class 'ferrograd.nn.modules.container.Sequential'>"
            ),
        ),
        (
            lambda s: s * "a",
            TypeError,
            (
                "unsupported operand type(s) for *: <class "
                "'ferrograd.nn.modules.container.Sequential'> and <class 'str'>"
            ),
        ),
        (
            lambda s: s.insert(0, 3),
            AssertionError,
            "module should be of type: <class 'ferrograd.nn.modules.module.Module'>",
        ),
        (lambda s: s.insert(9, nn.ReLU()), IndexError, "Index out of range: 9"),
    ],
)
def test_sequential_errors(action, error, message):
    with pytest.raises(error) as info:
        action(nn.Sequential(nn.ReLU()))
    assert str(info.value) == message


def test_module_list():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU(), nn.Linear(2, 3)])
    # Runs of identical reprs are folded, as PyTorch prints them.
    assert repr(layers) == (
        "ModuleList(\n"
        "  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n"
        "  (3): ReLU()\n"
        "  (4): Linear(in_features=2, out_features=3, bias=True)\n"
        ")"
    )
    assert repr(nn.ModuleList()) == "ModuleList()"
    assert len(layers) == 5 and len(list(layers.parameters())) == 8
    first = layers[0]
    assert layers[-5] is first and type(layers[1:3]) is nn.ModuleList
    tanh = nn.Tanh()
    layers[3] = tanh
    assert layers[3] is tanh
    layers.insert(0, nn.Sigmoid())
    assert layers[1] is first and len(layers) == 6
    popped = layers.pop(0)
    assert isinstance(popped, nn.Sigmoid) and layers[0] is first
    del layers[0]
    assert list(layers._modules) == ["0", "1", "2", "3"]
    layers += [nn.ReLU()]
    layers.append(nn.ReLU()).extend([nn.ReLU()])
    assert len(layers) == 7 and len(layers + [nn.ReLU()]) == 8
    with pytest.raises(IndexError, match=r"^index -8 is out of range$"):
        layers[-8]
    with pytest.raises(TypeError) as info:
        layers.extend(3)
    assert str(info.value) == "ModuleList.extend should be called with an iterable, but got int"
    with pytest.raises(NotImplementedError) as info:
        layers(1)
    assert str(info.value) == 'Module [ModuleList] is missing the required "forward" function'


def test_module_dict():
    relu, lin = nn.ReLU(), nn.Linear(1, 2)
    layers = nn.ModuleDict({"b": relu, "a": lin})
    assert repr(layers) == (
        "ModuleDict(\n  (b): ReLU()\n  (a): Linear(in_features=1, out_features=2, bias=True)\n)"
    )
    assert list(layers) == ["b", "a"] and list(layers.values()) == [relu, lin]
    assert "a" in layers and len(layers) == 2 and layers["a"] is lin
    layers["c"] = nn.Tanh()
    layers.update([("d", nn.Sigmoid())])
    assert list(layers.keys()) == ["b", "a", "c", "d"]
    assert layers.pop("b") is relu and "b" not in layers
    del layers["c"]
    assert [k for k, _ in layers.items()] == ["a", "d"]
    assert [n for n, _ in layers.named_parameters()] == ["a.weight", "a.bias"]
    layers.clear()
    assert len(layers) == 0 and repr(layers) == "ModuleDict()"
    with pytest.raises(TypeError) as info:
        layers.update(3)
    assert str(info.value) == (
        "ModuleDict.update should be called with an iterable of key/value pairs, but got int"
    )
    with pytest.raises(ValueError) as info:
        layers.update([(1,)])
    assert str(info.value) == "ModuleDict update sequence element #0 has length 1; 2 is required"


def test_parameter_list():
    plist = nn.ParameterList([nn.Parameter(torch.ones(3, 4)), torch.zeros(2), "x"])
    assert repr(plist) == (
        "ParameterList(\n"
        "    (0): Parameter containing: [ferrograd.float32 of size 3x4]\n"
        "    (1): Parameter containing: [ferrograd.float32 of size 2]\n"
        "    (2): Object of type: str\n"
        ")"
    )
    # Plain tensors are wrapped into Parameters; other objects are kept as they are.
    assert isinstance(plist[1], nn.Parameter) and plist[1].requires_grad
    assert plist[-1] == "x" and len(plist) == 3
    assert [n for n, _ in plist.named_parameters()] == ["0", "1"]
    plist.append(torch.ones(1))
    assert len(plist) == 4 and isinstance(plist[3], nn.Parameter)
    tail = plist[2:]
    assert type(tail) is nn.ParameterList and len(tail) == 2 and tail[1] is plist[3]
    plist[0] = torch.zeros(5)
    assert plist[0].shape == (5,) and isinstance(plist[0], nn.Parameter)
    assert repr(nn.ParameterList()) == "ParameterList()"
    with pytest.raises(RuntimeError, match=r"^ParameterList should not be called\.$"):
        plist(1)
    with pytest.raises(TypeError) as info:
        plist.extend(torch.ones(2))
    assert (
        str(info.value) == "ParameterList.extend should be called with an iterable, but got Tensor"
    )
    with pytest.raises(IndexError, match=r"^index 4 is out of range$"):
        plist[4]


def test_parameter_dict():
    pdict = nn.ParameterDict({"b": nn.Parameter(torch.ones(2)), "a": torch.zeros(3, 2)})
    # A plain dict's keys are sorted; the repr shows the tensor type, as PyTorch's does.
    assert list(pdict.keys()) == ["a", "b"]
    assert repr(pdict) == (
        "ParameterDict(\n"
        "    (a): Parameter containing: [ferrograd.FloatTensor of size 3x2]\n"
        "    (b): Parameter containing: [ferrograd.FloatTensor of size 2]\n"
        ")"
    )
    ordered = nn.ParameterDict(OrderedDict([("z", torch.ones(1)), ("y", torch.ones(1))]))
    assert list(ordered) == ["z", "y"]
    assert isinstance(pdict["a"], nn.Parameter) and "a" in pdict and len(pdict) == 2
    pdict["c"] = torch.ones(4)
    assert [n for n, _ in pdict.named_parameters()] == ["a", "b", "c"]
    assert pdict.get("nope") is None and pdict.get("c") is pdict["c"]
    assert pdict.setdefault("d", torch.ones(1)) is pdict["d"]
    assert pdict.pop("d").shape == (1,) and "d" not in pdict
    key, value = pdict.popitem()
    assert key == "c" and value.shape == (4,)
    merged = pdict | ordered
    assert list(merged) == ["a", "b", "z", "y"] and list(pdict) == ["a", "b"]
    assert list(reversed(pdict)) == ["b", "a"]
    copied = pdict.copy()
    assert copied["a"] is pdict["a"]
    del pdict["a"]
    assert list(pdict) == ["b"]
    pdict.clear()
    assert repr(pdict) == "ParameterDict()"
    with pytest.raises(RuntimeError, match=r"^ParameterDict should not be called\.$"):
        pdict(1)
    with pytest.raises(TypeError) as info:
        pdict[1]
    assert str(info.value) == (
        "Index given to ParameterDict cannot be used as a key as it is not a string "
        "(type is 'int'). Open an issue on github if you need non-string keys."
    )


def test_containers_in_state_dict():
    model = nn.Module()
    model.layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 1)])
    model.extras = nn.ParameterDict(OrderedDict([("scale", torch.ones(1))]))
    model.heads = nn.ModuleDict(OrderedDict([("cls", nn.Linear(1, 3))]))
    assert list(model.state_dict()) == [
        "layers.0.weight",
        "layers.0.bias",
        "layers.1.weight",
        "layers.1.bias",
        "extras.scale",
        "heads.cls.weight",
        "heads.cls.bias",
    ]
