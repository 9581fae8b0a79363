"""The nn layers the device-parity tests run on the CPU and on the GPU: each a Case that builds
the layer and its (CPU) inputs, tiny so that the software GPU adapter runs them quickly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import ferrograd
import pytest
from ferrograd import nn
from ferrograd.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


@dataclass(frozen=True)
class Case:
    """`make()` builds the layer (a Module, or a plain function for functionals); `inputs()`
    draws its inputs on the CPU. `grad` names the inputs that get gradients (by default every
    floating-point one); `train` is the mode the module runs in."""

    make: Callable
    inputs: Callable[[], tuple]
    grad: tuple[int, ...] | None = None
    train: bool = True


def case(name: str, make: Callable, inputs: Callable[[], tuple], **kw):
    return pytest.param(Case(make, inputs, **kw), id=name)


def randn(*shape):
    return ferrograd.randn(*shape)


def rand(*shape):
    """Uniform in (0.1, 0.9): probabilities away from 0 and 1, positive scales."""
    return ferrograd.rand(*shape) * 0.8 + 0.1


def ints(high: int, *shape):
    return ferrograd.randint(0, high, shape)


class Call(nn.Module):
    """`fn(inner, *inputs)`: a layer called with extra arguments, built in `fn` on the input's
    device as a user would build them (masks, packed sequences, indices)."""

    def __init__(self, inner: nn.Module, fn: Callable):
        super().__init__()
        self.inner = inner
        self.fn = fn

    def forward(self, *inputs):
        return self.fn(self.inner, *inputs)


def _packed_lstm(lstm, x):
    # Unsorted lengths, so packing sorts the batch and unpacking restores its order.
    packed = pack_padded_sequence(x, [3, 5, 2], batch_first=True, enforce_sorted=False)
    out, (h, c) = lstm(packed)
    padded, _ = pad_packed_sequence(out, batch_first=True)
    return padded, h, c


def _attend_with_masks(mha, x):
    length = x.shape[1]
    causal = nn.Transformer.generate_square_subsequent_mask(length, device=x.device)
    padding = ferrograd.tensor([[False] * (length - 1) + [True], [False] * length])
    return mha(x, x, x, attn_mask=causal, key_padding_mask=padding.to(x.device))


def _encode_causally(layer, x):
    mask = nn.Transformer.generate_square_subsequent_mask(x.shape[1], device=x.device)
    return layer(x, src_mask=mask, is_causal=True)


def _transform_causally(transformer, src, tgt):
    mask = nn.Transformer.generate_square_subsequent_mask(tgt.shape[0], device=tgt.device)
    return transformer(src, tgt, tgt_mask=mask, tgt_is_causal=True)


def _encode_with_padding(encoder, x):
    padding = ferrograd.tensor([[False, False, True], [False, False, False]], device=x.device)
    return encoder(x, src_key_padding_mask=padding)


def _pool_and_unpool(pools, x):
    pooled, indices = pools[0](x)
    return pools[1](pooled, indices)


def _bag_with_offsets(bag, weights):
    indices = ferrograd.tensor([1, 2, 4, 5, 4, 3, 2, 9], device=weights.device)
    offsets = ferrograd.tensor([0, 3, 3, 6], device=weights.device)
    return bag(indices, offsets, per_sample_weights=weights)


_SEQ = [(3, 4), (2, 4)]  # (batch, length) of the recurrent and attention inputs

LAYERS = [
    case("Linear", lambda: nn.Linear(4, 3), lambda: (randn(2, 4),)),
    case("Linear-3d-no-bias", lambda: nn.Linear(4, 3, bias=False), lambda: (randn(2, 3, 4),)),
    case("Bilinear", lambda: nn.Bilinear(3, 4, 2), lambda: (randn(2, 3), randn(2, 4))),
    case("Conv1d", lambda: nn.Conv1d(2, 3, 3, padding=1), lambda: (randn(2, 2, 6),)),
    case("Conv2d", lambda: nn.Conv2d(2, 3, 3, stride=2, padding=1), lambda: (randn(2, 2, 6, 6),)),
    case(
        "Conv2d-groups-dilation",
        lambda: nn.Conv2d(4, 4, 3, padding=2, dilation=2, groups=2),
        lambda: (randn(2, 4, 5, 5),),
    ),
    case(
        "Conv2d-same-reflect",
        lambda: nn.Conv2d(2, 2, 3, padding="same", padding_mode="reflect"),
        lambda: (randn(2, 2, 5, 5),),
    ),
    case("Conv3d", lambda: nn.Conv3d(2, 2, 2), lambda: (randn(2, 2, 4, 4, 4),)),
    case(
        "ConvTranspose1d", lambda: nn.ConvTranspose1d(2, 3, 3, stride=2), lambda: (randn(2, 2, 5),)
    ),
    case(
        "ConvTranspose2d",
        lambda: nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1),
        lambda: (randn(2, 2, 4, 4),),
    ),
    case(
        "ConvTranspose3d",
        lambda: nn.ConvTranspose3d(2, 2, 2, stride=2),
        lambda: (randn(1, 2, 3, 3, 3),),
    ),
    case("MaxPool1d", lambda: nn.MaxPool1d(2), lambda: (randn(2, 3, 6),)),
    case("MaxPool2d", lambda: nn.MaxPool2d(3, stride=2, padding=1), lambda: (randn(2, 3, 6, 6),)),
    case("MaxPool3d", lambda: nn.MaxPool3d(2), lambda: (randn(1, 2, 4, 4, 4),)),
    case(
        "MaxPool2d-MaxUnpool2d",
        lambda: Call(
            nn.ModuleList([nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)]),
            _pool_and_unpool,
        ),
        lambda: (randn(2, 2, 4, 4),),
    ),
    case("AvgPool1d", lambda: nn.AvgPool1d(3, stride=2, padding=1), lambda: (randn(2, 3, 7),)),
    case("AvgPool2d", lambda: nn.AvgPool2d(2), lambda: (randn(2, 3, 6, 6),)),
    case(
        "AvgPool2d-ceil-no-pad-count",
        lambda: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
        lambda: (randn(2, 2, 6, 6),),
    ),
    case("AvgPool3d", lambda: nn.AvgPool3d(2), lambda: (randn(1, 2, 4, 4, 4),)),
    case("AdaptiveAvgPool1d", lambda: nn.AdaptiveAvgPool1d(3), lambda: (randn(2, 3, 7),)),
    case("AdaptiveAvgPool2d-1", lambda: nn.AdaptiveAvgPool2d((1, 1)), lambda: (randn(2, 3, 5, 5),)),
    case("AdaptiveAvgPool2d-3", lambda: nn.AdaptiveAvgPool2d(3), lambda: (randn(2, 3, 7, 7),)),
    case("AdaptiveAvgPool3d", lambda: nn.AdaptiveAvgPool3d(2), lambda: (randn(1, 2, 5, 5, 5),)),
    case("AdaptiveMaxPool2d", lambda: nn.AdaptiveMaxPool2d(3), lambda: (randn(2, 3, 7, 7),)),
    case(
        "AdaptiveMaxPool1d-indices",
        lambda: nn.AdaptiveMaxPool1d(3, return_indices=True),
        lambda: (randn(2, 3, 7),),
    ),
    case("LPPool2d", lambda: nn.LPPool2d(2, 2), lambda: (randn(2, 3, 6, 6),)),
    case("BatchNorm1d-2d", lambda: nn.BatchNorm1d(3), lambda: (randn(4, 3),)),
    case("BatchNorm1d-3d", lambda: nn.BatchNorm1d(3), lambda: (randn(2, 3, 5),)),
    case("BatchNorm2d", lambda: nn.BatchNorm2d(3), lambda: (randn(2, 3, 4, 4),)),
    case("BatchNorm2d-eval", lambda: nn.BatchNorm2d(3), lambda: (randn(2, 3, 4, 4),), train=False),
    case("BatchNorm3d", lambda: nn.BatchNorm3d(2), lambda: (randn(2, 2, 3, 3, 3),)),
    case("LayerNorm", lambda: nn.LayerNorm(4), lambda: (randn(2, 3, 4),)),
    case("LayerNorm-2d-shape", lambda: nn.LayerNorm([3, 4]), lambda: (randn(2, 3, 4),)),
    case("GroupNorm", lambda: nn.GroupNorm(2, 4), lambda: (randn(2, 4, 3, 3),)),
    case(
        "InstanceNorm1d-affine",
        lambda: nn.InstanceNorm1d(3, affine=True),
        lambda: (randn(2, 3, 6),),
    ),
    case("InstanceNorm2d", lambda: nn.InstanceNorm2d(3), lambda: (randn(2, 3, 4, 4),)),
    case(
        "InstanceNorm2d-running-stats",
        lambda: nn.InstanceNorm2d(3, track_running_stats=True),
        lambda: (randn(2, 3, 4, 4),),
    ),
    case("RMSNorm", lambda: nn.RMSNorm(4), lambda: (randn(2, 3, 4),)),
    case("LocalResponseNorm", lambda: nn.LocalResponseNorm(2), lambda: (randn(2, 4, 3, 3),)),
    case("Embedding", lambda: nn.Embedding(10, 3), lambda: (ints(10, 2, 4),)),
    case(
        "Embedding-padding-freq",
        lambda: nn.Embedding(6, 3, padding_idx=0, scale_grad_by_freq=True),
        lambda: (ferrograd.tensor([[0, 2, 2, 5], [1, 0, 2, 3]]),),
    ),
    case("Embedding-max-norm", lambda: nn.Embedding(6, 3, max_norm=1.0), lambda: (ints(6, 2, 4),)),
    case("EmbeddingBag-mean-2d", lambda: nn.EmbeddingBag(10, 3), lambda: (ints(10, 3, 4),)),
    case(
        "EmbeddingBag-sum-offsets-weights",
        lambda: Call(nn.EmbeddingBag(10, 3, mode="sum"), _bag_with_offsets),
        lambda: (rand(8),),
    ),
    case(
        "EmbeddingBag-max-padding",
        lambda: nn.EmbeddingBag(10, 3, mode="max", padding_idx=2),
        lambda: (ferrograd.tensor([[1, 2, 4], [2, 2, 9], [3, 7, 3]]),),
    ),
    # Training-mode dropout draws on each device from its own generator:
    # test_wgpu_random.py checks it on the GPU.
    case("Dropout-eval", lambda: nn.Dropout(0.5), lambda: (randn(4, 8),), train=False),
    case("RNN-2-layers", lambda: nn.RNN(3, 4, num_layers=2), lambda: (randn(*_SEQ[0], 3),)),
    case(
        "LSTM-bidirectional",
        lambda: nn.LSTM(3, 4, batch_first=True, bidirectional=True),
        lambda: (randn(*_SEQ[1], 3),),
    ),
    case("LSTM-proj", lambda: nn.LSTM(3, 4, proj_size=2), lambda: (randn(*_SEQ[0], 3),)),
    case("GRU", lambda: nn.GRU(3, 4, batch_first=True), lambda: (randn(*_SEQ[1], 3),)),
    case(
        "LSTM-packed",
        lambda: Call(nn.LSTM(2, 3, batch_first=True), _packed_lstm),
        lambda: (randn(3, 5, 2),),
    ),
    case("RNNCell", lambda: nn.RNNCell(3, 4), lambda: (randn(2, 3),)),
    case("LSTMCell", lambda: nn.LSTMCell(3, 4), lambda: (randn(2, 3),)),
    case("GRUCell", lambda: nn.GRUCell(3, 4), lambda: (randn(2, 3), randn(2, 4))),
    case("MultiheadAttention", lambda: nn.MultiheadAttention(4, 2), lambda: (randn(3, 2, 4),) * 3),
    case(
        "MultiheadAttention-masks",
        lambda: Call(nn.MultiheadAttention(4, 2, batch_first=True), _attend_with_masks),
        lambda: (randn(2, 4, 4),),
    ),
    case(
        "MultiheadAttention-bias-kv-zero-attn",
        lambda: nn.MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True, kdim=3, vdim=5),
        lambda: (randn(3, 2, 4), randn(4, 2, 3), randn(4, 2, 5)),
    ),
    case(
        "TransformerEncoderLayer-eval",
        lambda: nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, batch_first=True),
        lambda: (randn(2, 3, 4),),
        train=False,
    ),
    case(
        "TransformerEncoderLayer-causal-norm-first",
        lambda: Call(
            nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True, norm_first=True),
            _encode_causally,
        ),
        lambda: (randn(2, 3, 4),),
    ),
    case(
        "TransformerDecoderLayer",
        lambda: nn.TransformerDecoderLayer(4, 2, dim_feedforward=8, dropout=0.0),
        lambda: (randn(3, 2, 4), randn(4, 2, 4)),
    ),
    case(
        "Transformer-causal",
        lambda: Call(nn.Transformer(4, 2, 1, 1, 8, dropout=0.0), _transform_causally),
        lambda: (randn(3, 2, 4), randn(2, 2, 4)),
    ),
    case(
        "TransformerEncoder-padding-mask",
        lambda: Call(
            nn.TransformerEncoder(
                nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0), 2, enable_nested_tensor=False
            ),
            _encode_with_padding,
        ),
        lambda: (randn(3, 2, 4),),
    ),
    case("LazyBatchNorm2d", lambda: nn.LazyBatchNorm2d(), lambda: (randn(2, 3, 4, 4),)),
    case(
        "LazyInstanceNorm1d-running-stats",
        lambda: nn.LazyInstanceNorm1d(affine=True, track_running_stats=True),
        lambda: (randn(2, 3, 5),),
    ),
    case("Flatten", lambda: nn.Flatten(), lambda: (randn(2, 3, 2),)),
    case("Unflatten", lambda: nn.Unflatten(1, (2, 3)), lambda: (randn(2, 6),)),
    case("PixelShuffle", lambda: nn.PixelShuffle(2), lambda: (randn(1, 8, 2, 3),)),
    case("PixelUnshuffle", lambda: nn.PixelUnshuffle(2), lambda: (randn(1, 2, 4, 6),)),
    case("Unfold", lambda: nn.Unfold(2, padding=1), lambda: (randn(2, 2, 3, 4),)),
    case("Fold", lambda: nn.Fold((3, 4), 2), lambda: (randn(2, 8, 6),)),
    case("Upsample-nearest", lambda: nn.Upsample(scale_factor=2), lambda: (randn(1, 2, 3, 3),)),
    case(
        "Upsample-bilinear",
        lambda: nn.Upsample(size=(5, 4), mode="bilinear", align_corners=False),
        lambda: (randn(1, 2, 3, 3),),
    ),
    case(
        "ConstantPad2d", lambda: nn.ConstantPad2d((1, 2, 0, 1), 0.5), lambda: (randn(2, 2, 3, 3),)
    ),
    case("ZeroPad2d", lambda: nn.ZeroPad2d(1), lambda: (randn(2, 2, 3, 3),)),
    case("ReflectionPad1d", lambda: nn.ReflectionPad1d(2), lambda: (randn(2, 2, 5),)),
    case("ReflectionPad2d", lambda: nn.ReflectionPad2d((1, 2, 2, 1)), lambda: (randn(1, 2, 4, 4),)),
    case("ReplicationPad2d", lambda: nn.ReplicationPad2d(2), lambda: (randn(1, 2, 3, 3),)),
    case("CircularPad2d", lambda: nn.CircularPad2d(1), lambda: (randn(1, 2, 3, 3),)),
    case(
        "CosineSimilarity", lambda: nn.CosineSimilarity(dim=1), lambda: (randn(3, 4), randn(3, 4))
    ),
    case("PairwiseDistance", lambda: nn.PairwiseDistance(), lambda: (randn(3, 4), randn(3, 4))),
    case("Identity", lambda: nn.Identity(), lambda: (randn(2, 3),)),
]
