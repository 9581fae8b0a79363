"""Attention: scaled_dot_product_attention and MultiheadAttention against numpy written from the
formulas, masks of both kinds, gradients, the Transformer layers' structure, reprs and errors."""

import math

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from ferrograd import nn
from hypothesis import given, settings
from hypothesis import strategies as st


def np_softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def np_sdpa(q, k, v, additive_mask=None, scale=None):
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = q @ np.swapaxes(k, -1, -2) * scale
    if additive_mask is not None:
        scores = scores + additive_mask
    return np_softmax(scores) @ v


@settings(max_examples=10)
@given(batch=st.integers(1, 2), heads=st.integers(1, 3), length=st.integers(1, 4),
       source=st.integers(1, 4), width=st.integers(1, 4), seed=st.integers(0, 99))  # fmt: skip
def test_sdpa_matches_numpy(batch, heads, length, source, width, seed):
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((batch, heads, length, width))
    k = rng.standard_normal((batch, heads, source, width))
    v = rng.standard_normal((batch, heads, source, width))
    got = F.scaled_dot_product_attention(torch.tensor(q), torch.tensor(k), torch.tensor(v))
    np.testing.assert_allclose(got.numpy(), np_sdpa(q, k, v), atol=1e-12)


def test_sdpa_masks_causal_scale_and_gradients():
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((2, 3, 4)) for _ in range(3))
    keep = np.array([[True, False, True], [True, True, False], [False, True, True]])
    got = F.scaled_dot_product_attention(*map(torch.tensor, (q, k, v)),
                                         attn_mask=torch.tensor(keep))  # fmt: skip
    np.testing.assert_allclose(got.numpy(), np_sdpa(q, k, v, np.where(keep, 0, -np.inf)))
    causal = F.scaled_dot_product_attention(*map(torch.tensor, (q, k, v)), is_causal=True)
    np.testing.assert_allclose(
        causal.numpy(), np_sdpa(q, k, v, np.where(np.tril(np.ones((3, 3))) > 0, 0, -np.inf))
    )
    bias = rng.standard_normal((3, 3))
    scaled = F.scaled_dot_product_attention(*map(torch.tensor, (q, k, v)),
                                            attn_mask=torch.tensor(bias), scale=0.3)  # fmt: skip
    np.testing.assert_allclose(scaled.numpy(), np_sdpa(q, k, v, bias, 0.3))
    leaves = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    assert torch.autograd.gradcheck(
        lambda a, b, c: F.scaled_dot_product_attention(a, b, c, is_causal=True), leaves
    )
    with pytest.raises(RuntimeError) as info:
        F.scaled_dot_product_attention(*leaves, attn_mask=torch.zeros(3, 3), is_causal=True)
    assert str(info.value) == (
        "_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True"
    )


def np_mha(module, query, key, value, additive_mask=None):
    """Multi-head attention from its definition, on (L, N, E) numpy inputs."""
    p = {n: t.detach().numpy() for n, t in module.named_parameters()}
    e, h = module.embed_dim, module.num_heads
    w_q, w_k, w_v = np.split(p["in_proj_weight"], 3)
    b_q, b_k, b_v = np.split(p["in_proj_bias"], 3)
    q, k, v = query @ w_q.T + b_q, key @ w_k.T + b_k, value @ w_v.T + b_v
    length, batch, _ = q.shape
    d = e // h

    def heads(x):  # (T, N, E) -> (N, H, T, d)
        return x.reshape(x.shape[0], batch, h, d).transpose(1, 2, 0, 3)

    scores = heads(q) @ np.swapaxes(heads(k), -1, -2) / math.sqrt(d)
    if additive_mask is not None:
        scores = scores + additive_mask
    weights = np_softmax(scores)
    out = (weights @ heads(v)).transpose(2, 0, 1, 3).reshape(length, batch, e)
    return out @ p["out_proj.weight"].T + p["out_proj.bias"], weights


def test_multihead_attention_matches_numpy_with_masks():
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2).double()
    rng = np.random.default_rng(1)
    query, key = rng.standard_normal((4, 3, 8)), rng.standard_normal((5, 3, 8))
    padding = np.zeros((3, 5), dtype=bool)
    padding[1, 3:] = True
    banned = np.zeros((4, 5), dtype=bool)
    banned[0, 0] = True
    out, weights = mha(torch.tensor(query), torch.tensor(key), torch.tensor(key),
                       key_padding_mask=torch.tensor(padding), attn_mask=torch.tensor(banned))  # fmt: skip
    additive = (
        np.where(banned, -np.inf, 0)[None, None] + np.where(padding, -np.inf, 0)[:, None, None]
    )
    want_out, want_weights = np_mha(mha, query, key, key, additive)
    np.testing.assert_allclose(out.detach().numpy(), want_out, atol=1e-12)
    np.testing.assert_allclose(weights.detach().numpy(), want_weights.mean(1), atol=1e-12)
    _, per_head = mha(torch.tensor(query), torch.tensor(key), torch.tensor(key),
                      average_attn_weights=False)  # fmt: skip
    assert per_head.shape == (3, 2, 4, 5)


def test_multihead_attention_batch_first_unbatched_and_gradients():
    mha = nn.MultiheadAttention(4, 2, batch_first=True).double()
    x = torch.randn(2, 3, 4, dtype=torch.float64, requires_grad=True)
    out, w = mha(x, x, x)
    assert out.shape == (2, 3, 4) and w.shape == (2, 3, 3)
    single, w1 = mha(x[0], x[0], x[0])
    np.testing.assert_allclose(single.detach().numpy(), out[0].detach().numpy(), atol=1e-12)
    assert w1.shape == (3, 3)
    out.sum().backward()
    assert mha.in_proj_weight.grad.shape == (12, 4) and mha.out_proj.weight.grad.shape == (4, 4)
    # gradcheck perturbs x in place, so it comes after the backward through `out`.
    assert torch.autograd.gradcheck(lambda t: mha(t, t, t, need_weights=False)[0], (x,))


def test_multihead_attention_kdim_vdim_bias_kv_zero_attn():
    mha = nn.MultiheadAttention(8, 2, kdim=3, vdim=5, add_bias_kv=True, add_zero_attn=True)
    assert [(n, tuple(p.shape)) for n, p in mha.named_parameters()] == [
        ("q_proj_weight", (8, 8)), ("k_proj_weight", (8, 3)), ("v_proj_weight", (8, 5)),
        ("in_proj_bias", (24,)), ("bias_k", (1, 1, 8)), ("bias_v", (1, 1, 8)),
        ("out_proj.weight", (8, 8)), ("out_proj.bias", (8,)),
    ]  # fmt: skip
    out, w = mha(torch.randn(4, 2, 8), torch.randn(6, 2, 3), torch.randn(6, 2, 5),
                 key_padding_mask=torch.zeros(2, 6, dtype=torch.bool))  # fmt: skip
    assert out.shape == (4, 2, 8) and w.shape == (2, 4, 8)  # 6 keys + bias key + zero key


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: nn.MultiheadAttention(8, 3), AssertionError,
         "embed_dim must be divisible by num_heads"),
        (lambda: nn.MultiheadAttention(8, 2)(*[torch.randn(4, 2, 6)] * 3), AssertionError,
         "was expecting embedding dimension of 8, but got 6"),
        (lambda: nn.MultiheadAttention(8, 2)(torch.randn(4, 2, 8), *[torch.randn(5, 2, 8)] * 2,
                                             attn_mask=torch.zeros(2, 3)),
         RuntimeError, "The shape of the 2D attn_mask is ferrograd.Size([2, 3]), but should be (4, 5)."),
        (lambda: nn.MultiheadAttention(8, 2)(torch.randn(4, 2, 8), *[torch.randn(5, 2, 8)] * 2,
                                             attn_mask=torch.zeros(3, 4, 5)),
         RuntimeError,
         "The shape of the 3D attn_mask is ferrograd.Size([3, 4, 5]), but should be (4, 4, 5)."),
        (lambda: nn.TransformerEncoderLayer(8, 2, activation="tanh"), RuntimeError,
         "activation should be relu/gelu, not tanh"),
    ],
)  # fmt: skip
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


MHA_REPR = """MultiheadAttention(
  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)
)"""

ENCODER_LAYER_REPR = """TransformerEncoderLayer(
  (self_attn): MultiheadAttention(
    (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)
  )
  (linear1): Linear(in_features=8, out_features=16, bias=True)
  (dropout): Dropout(p=0.1, inplace=False)
  (linear2): Linear(in_features=16, out_features=8, bias=True)
  (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)
  (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)
  (dropout1): Dropout(p=0.1, inplace=False)
  (dropout2): Dropout(p=0.1, inplace=False)
)"""


def test_reprs_are_pytorchs():
    assert repr(nn.MultiheadAttention(8, 2)) == MHA_REPR
    assert repr(nn.TransformerEncoderLayer(8, 2, 16)) == ENCODER_LAYER_REPR


def test_transformer_structure_and_forward():
    model = nn.Transformer(8, 2, 2, 1, 16, dropout=0.0)
    keys = list(model.state_dict())
    assert keys[0] == "encoder.layers.0.self_attn.in_proj_weight"
    assert "decoder.layers.0.multihead_attn.out_proj.weight" in keys
    assert keys[-1] == "decoder.norm.bias"
    assert len([k for k in keys if k.startswith("encoder.layers.1.")]) == 12
    src, tgt = torch.randn(5, 3, 8), torch.randn(4, 3, 8)
    mask = nn.Transformer.generate_square_subsequent_mask(4)
    assert mask.tolist() == [[0.0 if j <= i else -math.inf for j in range(4)] for i in range(4)]
    out = model(src, tgt, tgt_mask=mask)
    assert out.shape == (4, 3, 8)
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        model(src, torch.randn(4, 2, 8))


def test_encoder_layer_norm_first_and_post_norm_follow_their_formulas():
    torch.manual_seed(0)
    for norm_first in (False, True):
        layer = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, norm_first=norm_first).double()
        x = torch.randn(3, 2, 4, dtype=torch.float64)
        attn = layer.self_attn(*([layer.norm1(x) if norm_first else x] * 3), need_weights=False)[0]

        def ff(t, layer=layer):
            return layer.linear2(F.relu(layer.linear1(t)))

        if norm_first:
            h = x + attn
            want = h + ff(layer.norm2(h))
        else:
            h = layer.norm1(x + attn)
            want = layer.norm2(h + ff(h))
        np.testing.assert_allclose(layer(x).detach().numpy(), want.detach().numpy(), atol=1e-12)
