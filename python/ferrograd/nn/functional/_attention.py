"""Attention: `scaled_dot_product_attention` and the multi-head attention of `nn.MultiheadAttention`.

Both are softmax(Q K^T * scale + mask) V written with matrix products, so autograd
differentiates them like any other composition.
"""

from __future__ import annotations

import math

from ... import _C

Tensor = _C.Tensor

__all__ = ["multi_head_attention_forward", "scaled_dot_product_attention"]


def _functional():
    # softmax and dropout live in sibling files of this package; looked up when called so the
    # files can load in any order.
    from .. import functional

    return functional


def _as_additive_mask(mask: Tensor | None, dtype, keep_where_true: bool) -> Tensor | None:
    """A mask as numbers to add to the scores: 0 where attention is allowed, -inf elsewhere.

    `scaled_dot_product_attention` reads a boolean mask as "True takes part"; the multi-head
    layer reads it as "True is masked out". Float masks are added as they are.
    """
    if mask is None or mask.is_floating_point():
        return mask
    allowed = mask if keep_where_true else mask.logical_not()
    return _C.zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(
        allowed.logical_not(), -math.inf
    )


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """softmax(Q K^T * scale + mask) V over the last two dims (..., L, E) x (..., S, E)."""
    if is_causal and attn_mask is not None:
        raise RuntimeError(
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
            "is_causal=True"
        )
    length, source = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    if enable_gqa and query.dim() >= 3 and key.shape[-3] != query.shape[-3]:
        # Grouped-query attention: each key/value head serves a group of query heads.
        groups = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(groups, dim=-3)
        value = value.repeat_interleave(groups, dim=-3)
    scores = query.matmul(key.transpose(-2, -1)) * scale
    if is_causal:
        causal = _C.ones(length, source, dtype=_C.bool, device=scores.device).tril()
        scores = scores.masked_fill(causal.logical_not(), -math.inf)
    mask = _as_additive_mask(attn_mask, scores.dtype, keep_where_true=True)
    if mask is not None:
        scores = scores + mask
    weights = _functional().softmax(scores, dim=-1)
    if dropout_p > 0.0:
        weights = _functional().dropout(weights, dropout_p, training=True)
    return weights.matmul(value)


def _check_mask_shape(attn_mask: Tensor, heads_batch: int, length: int, source: int) -> Tensor:
    """A 2-D (L, S) mask is shared by every head and batch entry; a 3-D one is (N*H, L, S)."""
    if attn_mask.dim() == 2:
        if tuple(attn_mask.shape) != (length, source):
            raise RuntimeError(
                f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                f"{(length, source)}."
            )
        return attn_mask.unsqueeze(0)
    if attn_mask.dim() == 3:
        if tuple(attn_mask.shape) != (heads_batch, length, source):
            raise RuntimeError(
                f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                f"{(heads_batch, length, source)}."
            )
        return attn_mask
    raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")


def _linear(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    out = x.matmul(weight.t())
    return out if bias is None else out + bias


def _in_projections(query, key, value, embed_dim, in_proj_weight, in_proj_bias, separate):
    """Q, K and V: the inputs times their projection matrices (rows of the packed weight)."""
    if separate is None:
        w_q, w_k, w_v = in_proj_weight.chunk(3)
    else:
        w_q, w_k, w_v = separate
    b_q = b_k = b_v = None
    if in_proj_bias is not None:
        b_q, b_k, b_v = in_proj_bias.chunk(3)
    return _linear(query, w_q, b_q), _linear(key, w_k, b_k), _linear(value, w_v, b_v)


def _pad_last(mask: Tensor | None) -> Tensor | None:
    """One more key position (a bias or zero key), allowed for every query."""
    if mask is None:
        return None
    filler = _C.zeros(list(mask.shape[:-1]) + [1], dtype=mask.dtype, device=mask.device)
    return _C.cat([mask, filler], -1)


def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Tensor | None = None,
    need_weights: bool = True,
    attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None,
    static_v: Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
):
    """Multi-head attention on sequence-first inputs (L, N, E) or unbatched (L, E).

    Returns the attended output and, when `need_weights`, the attention weights (averaged over
    the heads unless `average_attn_weights=False`).
    """
    unbatched = query.dim() == 2
    if unbatched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    length, batch, embed_dim = query.shape
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask."
        )
    head_dim = embed_dim // num_heads
    separate = (q_proj_weight, k_proj_weight, v_proj_weight) if use_separate_proj_weight else None
    q, k, v = _in_projections(query, key, value, embed_dim, in_proj_weight, in_proj_bias, separate)
    attn_mask = _as_additive_mask(attn_mask, q.dtype, keep_where_true=False)
    key_padding_mask = _as_additive_mask(key_padding_mask, q.dtype, keep_where_true=False)
    if attn_mask is not None:
        attn_mask = _check_mask_shape(attn_mask, batch * num_heads, length, key.shape[0])
    if bias_k is not None and bias_v is not None:
        k = _C.cat([k, bias_k.repeat(1, batch, 1)])
        v = _C.cat([v, bias_v.repeat(1, batch, 1)])
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)

    # (L, N, E) -> (N * heads, L, head_dim): every head attends on its own slice of E.
    q = q.reshape(length, batch * num_heads, head_dim).transpose(0, 1)
    k = (k if static_k is None else static_k).reshape(-1, batch * num_heads, head_dim)
    v = (v if static_v is None else static_v).reshape(-1, batch * num_heads, head_dim)
    k, v = k.transpose(0, 1), v.transpose(0, 1)
    if add_zero_attn:
        zeros = _C.zeros(batch * num_heads, 1, head_dim, dtype=k.dtype, device=k.device)
        k, v = _C.cat([k, zeros], 1), _C.cat([v, zeros], 1)
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    source = k.shape[1]
    if key_padding_mask is not None:
        per_head = key_padding_mask.reshape(batch, 1, 1, source).expand(-1, num_heads, -1, -1)
        per_head = per_head.reshape(batch * num_heads, 1, source)
        attn_mask = per_head if attn_mask is None else attn_mask + per_head

    scores = (q * (1.0 / math.sqrt(head_dim))).matmul(k.transpose(-2, -1))
    if attn_mask is not None:
        scores = scores + attn_mask
    weights = _functional().softmax(scores, dim=-1)
    if dropout_p > 0.0 and training:
        weights = _functional().dropout(weights, dropout_p, training=True)
    out = weights.matmul(v).transpose(0, 1).reshape(length * batch, embed_dim)
    out = _linear(out, out_proj_weight, out_proj_bias).reshape(length, batch, embed_dim)
    if unbatched:
        out = out.squeeze(1)
    if not need_weights:
        return out, None
    weights = weights.reshape(batch, num_heads, length, source)
    if average_attn_weights:
        weights = weights.mean(dim=1)
    return out, weights.squeeze(0) if unbatched else weights
