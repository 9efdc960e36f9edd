"""Plain-numpy references for the attention puzzles (no einsum anywhere in this file)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np


def softmax(x: Any, axis: int = -1) -> Any:
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def causal_mask(length: int) -> Any:
    """0 where a position may attend (itself and earlier ones), -inf where it may not."""
    return np.where(np.tril(np.ones((length, length))) == 1, 0.0, -np.inf)


def head_reference(x: Any, w_q: Any, w_k: Any, w_v: Any, mask: Any) -> Any:
    q = x @ w_q
    k = x @ w_k
    v = x @ w_v
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(k.shape[-1]) + mask
    return softmax(scores, axis=-1) @ v


def attention_reference(x: Any, w_q: Any, w_k: Any, w_v: Any, w_o: Any, mask: Any) -> Any:
    b, length, d = x.shape
    _, h, k = w_q.shape

    def project(w: Any) -> Any:
        # (b, l, d) @ (d, h*k) -> (b, l, h, k) -> (b, h, l, k)
        return (x.reshape(b * length, d) @ w.reshape(d, h * k)).reshape(b, length, h, k).transpose(0, 2, 1, 3)

    q, kk, v = project(w_q), project(w_k), project(w_v)
    scores = q @ kk.transpose(0, 1, 3, 2) / np.sqrt(k) + mask
    mixed = softmax(scores, axis=-1) @ v  # (b, h, l, k)
    flat = mixed.transpose(0, 2, 1, 3).reshape(b, length, h * k)
    return flat @ w_o.reshape(h * k, d)


def attention_inputs(with_output: bool) -> Any:
    def build(rng: Any, sizes: Mapping[str, int]) -> tuple[Any, ...]:
        b, length, d, k = sizes["b"], sizes["l"], sizes["d"], sizes["k"]
        x = rng.standard_normal((b, length, d))
        if not with_output:
            weights = [rng.standard_normal((d, k)) / np.sqrt(d) for _ in range(3)]
            return (x, *weights, causal_mask(length))
        h = sizes["h"]
        weights = [rng.standard_normal((d, h, k)) / np.sqrt(d) for _ in range(3)]
        w_o = rng.standard_normal((h, k, d)) / np.sqrt(h * k)
        return (x, *weights, w_o, causal_mask(length))

    return build


def _head_variant(mask_on: bool = True, scale_on: bool = True, axis: int = -1) -> Any:
    def head(x: Any, w_q: Any, w_k: Any, w_v: Any, mask: Any) -> Any:
        q, k, v = x @ w_q, x @ w_k, x @ w_v
        scores = q @ np.swapaxes(k, -1, -2)
        if scale_on:
            scores = scores / np.sqrt(k.shape[-1])
        if mask_on:
            scores = scores + mask
        return softmax(scores, axis=axis) @ v

    return head


def _attention_variant(mask_on: bool = True, scale_on: bool = True, axis: int = -1) -> Any:
    def attention(x: Any, w_q: Any, w_k: Any, w_v: Any, w_o: Any, mask: Any) -> Any:
        q = np.tensordot(x, w_q, axes=([2], [0])).transpose(0, 2, 1, 3)
        k = np.tensordot(x, w_k, axes=([2], [0])).transpose(0, 2, 1, 3)
        v = np.tensordot(x, w_v, axes=([2], [0])).transpose(0, 2, 1, 3)
        scores = q @ np.swapaxes(k, -1, -2)
        if scale_on:
            scores = scores / np.sqrt(q.shape[-1])
        if mask_on:
            scores = scores + mask
        mixed = (softmax(scores, axis=axis) @ v).transpose(0, 2, 1, 3)
        return np.tensordot(mixed, w_o, axes=([2, 3], [0, 1]))

    return attention


def attention_variants(puzzle_id: int) -> list[tuple[str, Any]]:
    """Typical mistakes, as functions: the grader names the one a wrong output matches."""
    make = {31: _head_variant, 32: _attention_variant}.get(puzzle_id)
    if make is None:
        return []
    return [
        ("without the causal mask", make(mask_on=False)),
        ("without dividing the scores by sqrt(k)", make(scale_on=False)),
        ("with the softmax over the query axis instead of the key axis", make(axis=-2)),
        ("without the mask and without the scaling", make(mask_on=False, scale_on=False)),
    ]
