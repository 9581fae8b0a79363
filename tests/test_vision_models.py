"""vision.models: torchvision's ResNet, VGG and AlexNet, checked against values recorded from
torchvision: state_dict layouts, printed text, initialisation and outputs under the same seed
(ferrograd's generator draws PyTorch's numbers), a few training steps, and the refusal to
fetch pretrained weights."""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import ferrograd as torch
import numpy as np
import pytest
from ferrograd.vision import models
from ferrograd.vision.models.vgg import VGG

nn = torch.nn
F = nn.functional

# torchvision's (number of state_dict entries, sha256 prefix of its "key (shape)" lines,
# number of parameters), every model built with num_classes=10.
LAYOUT = {
    "resnet18": (122, "65d17c067d0b1ce3", 11181642),
    "resnet34": (218, "3464dcfbe682c458", 21289802),
    "resnet50": (320, "9a3ff6723a21ce33", 23528522),
    "resnet101": (626, "90c76563d5c3a9b7", 42520650),
    "resnet152": (932, "ce803e53b1d371b9", 58164298),
    "vgg11": (22, "06e822cdb354065e", 128807306),
    "vgg11_bn": (62, "77ac41a2fde01076", 128812810),
    "vgg13": (26, "78f3a45b34ad7c6c", 128991818),
    "vgg13_bn": (76, "049a2e2631ace076", 128997706),
    "vgg16": (32, "85a17f2184a8561d", 134301514),
    "vgg16_bn": (97, "1d24661906224728", 134309962),
    "vgg19": (38, "cefa836ac7dd6af4", 139611210),
    "vgg19_bn": (118, "5722d07710ccbfec", 139622218),
    "alexnet": (16, "04c3dc5f927a65e2", 57044810),
}

REPR_FILE = Path(__file__).parent / "data" / "vision_models_repr.txt"


@pytest.fixture
def no_init(monkeypatch):
    """Skips the random initialisers, which cost seconds on 100M-parameter models and do not
    change the layout; constant_ still runs, so BatchNorm and zero_init_residual are real."""
    monkeypatch.setattr(nn.Conv2d, "reset_parameters", lambda self: None)
    monkeypatch.setattr(nn.Linear, "reset_parameters", lambda self: None)
    monkeypatch.setattr(nn.init, "kaiming_normal_", lambda t, *a, **k: t)
    monkeypatch.setattr(nn.init, "normal_", lambda t, *a, **k: t)


def _layout(model) -> tuple[int, str, int]:
    sd = model.state_dict()
    text = "\n".join(f"{k} {tuple(v.shape)}" for k, v in sd.items())
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return len(sd), digest, sum(p.numel() for p in model.parameters())


def _recorded_repr(name: str) -> str:
    sections = REPR_FILE.read_text().split("### ")[1:]
    texts = dict(s.split("\n", 1) for s in sections)
    return texts[name].rstrip("\n")


@pytest.mark.parametrize("name", sorted(LAYOUT))
def test_state_dict_layout_matches_torchvision(no_init, name):
    assert _layout(getattr(models, name)(num_classes=10)) == LAYOUT[name]


def test_resnet18_keys_shapes_and_parameter_count(no_init):
    model = models.resnet18()
    sd = model.state_dict()
    assert list(sd)[:6] == [
        "conv1.weight",
        "bn1.weight",
        "bn1.bias",
        "bn1.running_mean",
        "bn1.running_var",
        "bn1.num_batches_tracked",
    ]
    assert tuple(sd["layer2.0.downsample.0.weight"].shape) == (128, 64, 1, 1)
    assert tuple(sd["layer4.1.conv2.weight"].shape) == (512, 512, 3, 3)
    assert list(sd)[-2:] == ["fc.weight", "fc.bias"]
    assert tuple(sd["fc.weight"].shape) == (1000, 512)
    # torchvision's ResNet18_Weights meta: 11,689,512 parameters.
    assert sum(p.numel() for p in model.parameters()) == 11689512


@pytest.mark.parametrize("name", ["resnet18", "vgg11"])
def test_print_matches_torchvision(no_init, name):
    assert repr(getattr(models, name)()) == _recorded_repr(name)


def test_tutorial_surgery_on_children(no_init):
    # The tutorials' idioms: a headless ResNet from its children, VGG features without the last
    # pool, a classifier without its last three layers.
    resnet = models.resnet18()
    names = [name for name, _ in resnet.named_children()]
    assert names == [
        *["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4"],
        *["avgpool", "fc"],
    ]
    headless = nn.Sequential(*list(resnet.children())[:-1])
    assert len(headless) == 9
    vgg = models.vgg16()
    assert isinstance(vgg.features[-1], nn.MaxPool2d)
    assert len(vgg.features[:-1]) == 30
    assert len(nn.Sequential(*list(vgg.classifier.children())[:-3])) == 4


def test_resnet18_init_matches_torchvision_under_seed():
    # kaiming_normal_(fan_out, relu) on convs, BN weight 1 / bias 0, default Linear init:
    # torchvision draws in module order, and so do we, so the numbers are the same.
    torch.manual_seed(0)
    sd = models.resnet18(num_classes=10).state_dict()
    recorded = {
        "conv1.weight": (-0.6737566211998001, [0.0021970533, 0.0353360772, 0.0161360092]),
        "layer3.0.downsample.0.weight": (-50.61275683480653, [-0.1615573168, 0.0287414603]),
        "layer4.1.conv2.weight": (6.769152628538016, [0.0108534936, -0.0231781863]),
        "fc.weight": (0.8813119647452368, [-0.0203154963, 0.0186778661, 0.0375562198]),
        "fc.bias": (0.031099334359169006, [0.0255053602, -0.0040762220, -0.0294600092]),
    }
    for key, (total, first) in recorded.items():
        np.testing.assert_allclose(sd[key].double().sum().item(), total, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(sd[key].flatten()[: len(first)].tolist(), first, rtol=1e-7)
    assert (sd["layer1.0.bn2.weight"] == 1).all() and (sd["layer1.0.bn2.bias"] == 0).all()
    # He et al.: std = sqrt(2 / fan_out), fan_out = 512 * 3 * 3 for layer4's 3x3 convolutions.
    std = sd["layer4.1.conv2.weight"].std().item()
    assert abs(std - (2 / (512 * 9)) ** 0.5) < 2e-4


def test_vgg_init_scheme_matches_torchvision_under_seed():
    # VGG's init loop on a small stack (the real classifier has 100M weights): conv
    # kaiming_normal_ fan_out with bias 0, BN 1/0, Linear N(0, 0.01) with bias 0.
    torch.manual_seed(0)
    stack = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Linear(5, 3))
    VGG._init_weights(stack)
    conv_first = [-0.1896994262933731, 0.13331547379493713, 0.14386431872844696]
    linear_first = [-0.0018959768349304795, -0.0019013207638636231, 0.01356450468301773]
    np.testing.assert_allclose(stack[0].weight.flatten()[:3].tolist(), conv_first, rtol=1e-6)
    np.testing.assert_allclose(stack[2].weight.flatten()[:3].tolist(), linear_first, rtol=1e-6)
    assert (stack[0].bias == 0).all() and (stack[2].bias == 0).all()
    assert (stack[1].weight == 1).all() and (stack[1].bias == 0).all()


def _eval_logits(build, size):
    torch.manual_seed(0)
    model = build().eval()
    x = torch.randn(1, 3, size, size)
    with torch.no_grad():
        return model(x)


def test_resnet_forward_matches_torchvision():
    out = _eval_logits(lambda: models.resnet18(num_classes=10), 64)
    assert tuple(out.shape) == (1, 10)
    recorded = [-0.2008098066, 0.2177672535, -0.7020351291, 1.1973813772, -0.7669379115]
    recorded += [-1.5533665419, 0.3815259933, -0.4883043766, 0.5537270308, 0.5038254261]
    np.testing.assert_allclose(out.flatten().tolist(), recorded, rtol=1e-4, atol=1e-5)


def test_bottleneck_forward_matches_torchvision():
    out = _eval_logits(lambda: models.resnet50(num_classes=10), 64)
    recorded = [5.026607990, -17.34664154, 12.02625751, -2.424670696, 4.292573452]
    recorded += [8.013799667, 5.540876389, -3.979281187, -6.620893002, 6.550886154]
    np.testing.assert_allclose(out.flatten().tolist(), recorded, rtol=1e-4, atol=1e-4)


def test_vgg11_forward_matches_torchvision():
    # init_weights=False keeps the layers' default init: the 100M-weight normal_ is slow here.
    out = _eval_logits(lambda: models.vgg11(num_classes=10, init_weights=False), 224)
    assert tuple(out.shape) == (1, 10)
    recorded = [0.008094118909, 0.008057090454, -0.008419120684, -0.006182842422]
    recorded += [-0.0004176993389, 0.002264533192, 0.005755408667, 0.003501030616]
    recorded += [0.007766135037, -0.01549396291]
    np.testing.assert_allclose(out.flatten().tolist(), recorded, rtol=1e-4, atol=1e-6)


def test_resnet18_sgd_steps_match_torchvision():
    # Full backward through every block. Eval mode: with a batch of 2 at 32x32 the last stage
    # is 1x1, and training-mode BN over 2 values is too ill-conditioned to compare.
    torch.manual_seed(0)
    model = models.resnet18(num_classes=2).eval()
    x, target = torch.randn(2, 3, 32, 32), torch.tensor([0, 1])
    opt = torch.optim.SGD(model.parameters(), lr=0.005)
    losses = []
    for _ in range(4):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), target)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    recorded = [0.6944853067398071, 0.4770246744155884, 0.36530622839927673, 0.2884266674518585]
    np.testing.assert_allclose(losses, recorded, rtol=1e-4)
    assert losses[0] > losses[1] > losses[2] > losses[3]


def test_resnet18_fine_tune_fc_in_train_mode_lowers_loss():
    # The tutorials' transfer learning: a new `fc`, SGD on its parameters, training mode.
    torch.manual_seed(0)
    model = models.resnet18()
    model.fc = nn.Linear(512, 2)
    x, target = torch.randn(2, 3, 32, 32), torch.tensor([0, 1])
    opt = torch.optim.SGD(model.fc.parameters(), lr=0.01, momentum=0.9)
    losses = []
    for _ in range(4):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), target)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[0] > losses[1] > losses[2] > losses[3]
    assert model.conv1.weight.grad is not None  # the backbone was in the graph too


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("resnet18", lambda: models.resnet18(pretrained=True)),
        ("vgg16", lambda: models.vgg16(pretrained=True)),
        ("resnet152", lambda: models.resnet152(True)),
        ("alexnet", lambda: models.alexnet(weights="DEFAULT")),
        ("vgg11_bn", lambda: models.vgg11_bn(weights="IMAGENET1K_V1", progress=False)),
        ("resnet50", lambda: models.resnet50(weights=True)),
    ],
)
def test_pretrained_weights_raise_a_clear_error(name, call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # resnet152(True): the positional-argument warning
        with pytest.raises(RuntimeError) as info:
            call()
    message = str(info.value)
    assert message.startswith(f"{name}: pretrained weights are not available")
    assert f"{name}(weights=None)" in message
    assert "model.load_state_dict(torch.load(path))" in message


def test_pretrained_false_warns_as_torchvision(no_init):
    with pytest.warns(UserWarning) as record:
        model = models.resnet18(pretrained=False)
    assert isinstance(model, models.ResNet)
    deprecated = (
        "The parameter 'pretrained' is deprecated since 0.13 and may be removed in the future, "
        "please use 'weights' instead."
    )
    legacy = (
        "Arguments other than a weight enum or `None` for 'weights' are deprecated since 0.13 "
        "and may be removed in the future. The current behavior is equivalent to passing "
        "`weights=None`."
    )
    assert [str(w.message) for w in record] == [deprecated, legacy]
    with pytest.warns(UserWarning, match="Using 'weights' and 'progress' as positional"):
        models.alexnet(None, False)


def test_builder_arguments(no_init):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # weights=None and progress= alone warn nothing
        model = models.vgg11_bn(weights=None, progress=False, num_classes=3, dropout=0.2)
    assert isinstance(model, models.VGG) and model.classifier[-1].out_features == 3
    assert model.classifier[2].p == 0.2
    with pytest.raises(TypeError, match="unexpected keyword argument 'pretrained'"):
        models.resnet18(weights=None, pretrained=False)
    with pytest.raises(TypeError, match="at most 2 positional arguments"):
        models.resnet18(None, True, 10)
    with pytest.raises(ValueError, match="BasicBlock only supports groups=1"):
        models.resnet18(groups=2)


@pytest.mark.parametrize(
    ("name", "block", "last_bn"),
    [("resnet18", "BasicBlock", "bn2"), ("resnet50", "Bottleneck", "bn3")],
)
def test_zero_init_residual_zeroes_last_bn_of_each_block(no_init, name, block, last_bn):
    model = getattr(models, name)(zero_init_residual=True)
    blocks = [m for m in model.modules() if isinstance(m, getattr(models, block))]
    assert len(blocks) == (8 if name == "resnet18" else 16)
    for b in blocks:
        assert (getattr(b, last_bn).weight == 0).all()
        assert (b.bn1.weight == 1).all() and (getattr(b, last_bn).bias == 0).all()
    assert (model.bn1.weight == 1).all()
    default = getattr(models, name)()
    assert all(
        (getattr(b, last_bn).weight == 1).all()
        for b in default.modules()
        if isinstance(b, getattr(models, block))
    )


def test_weight_enums_reach_the_no_download_error():
    # Tutorials write `weights=models.ResNet18_Weights.DEFAULT`; the enum exists (DEFAULT an
    # alias of torchvision's default member) and the builder then explains how to load weights.
    assert models.ResNet18_Weights.DEFAULT is models.ResNet18_Weights.IMAGENET1K_V1
    assert models.ResNet50_Weights.DEFAULT is models.ResNet50_Weights.IMAGENET1K_V2
    assert models.VGG16_Weights.IMAGENET1K_FEATURES.name == "IMAGENET1K_FEATURES"
    with pytest.raises(RuntimeError, match=r"resnet18: pretrained weights are not available"):
        models.resnet18(weights=models.ResNet18_Weights.DEFAULT)
    with pytest.raises(RuntimeError, match=r"vgg16_bn: pretrained weights are not available"):
        models.vgg16_bn(weights=models.VGG16_BN_Weights.IMAGENET1K_V1)
