"""Typical attention mistakes, computed in plain numpy: the grader names the one a wrong output matches.

Each mistake is one change to the reference computation (the mask, the scale, the softmax axis, the
order of the scores, the letter the values are mixed over, how the heads are merged) or an
intermediate value returned in place of the result. Only what the learner's output equals, on the
same inputs, is reported, so the description is true of their code's result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..curriculum.reference import softmax


def _scale(name: str, q: Any, x: Any, heads: int) -> float:
    k, d, length = q.shape[-1], x.shape[-1], x.shape[1]
    return {
        "sqrt_k": float(np.sqrt(k)),
        "none": 1.0,
        "sqrt_d": float(np.sqrt(d)),
        "sqrt_l": float(np.sqrt(length)),
        "k": float(k),
        "sqrt_hk": float(np.sqrt(heads * k)),
    }[name]


def _attention(
    x: Any,
    w_q: Any,
    w_k: Any,
    w_v: Any,
    w_o: Any | None,
    mask: Any,
    *,
    mask_at: str = "before",
    scale: str = "sqrt_k",
    axis: int = -1,
    transposed_scores: bool = False,
    mix: str = "keys",
    merge: str = "right",
    returns: str = "out",
) -> Any:
    """Attention in (b, h, l, k) layout (one head: h = 1), with one chosen mistake."""
    multi = w_q.ndim == 3
    if not multi:
        w_q, w_k, w_v = (w[:, None, :] for w in (w_q, w_k, w_v))
    heads = w_q.shape[1]

    def project(w: Any) -> Any:  # (b, l, d) x (d, h, k) -> (b, h, l, k)
        return np.tensordot(x, w, axes=([2], [0])).transpose(0, 2, 1, 3)

    q, k, v = project(w_q), project(w_k), project(w_v)
    scores = q @ np.swapaxes(k, -1, -2)  # (b, h, l, m)
    if transposed_scores:
        scores = np.swapaxes(scores, -1, -2)
    scores = scores / _scale(scale, q, x, heads)
    if mask_at == "before":
        scores = scores + mask
    weights = softmax(scores, axis=axis)
    if mask_at == "after":
        weights = weights + mask
    elif mask_at == "after_zero":
        weights = weights * (mask == 0)
    if mix == "keys":
        mixed = weights @ v
    elif mix == "queries":
        mixed = np.swapaxes(weights, -1, -2) @ v
    else:  # the weights summed away: each query keeps its own value
        mixed = v * weights.sum(axis=-1, keepdims=True)
    single = {"q": q, "k": k, "v": v, "scores": scores, "weights": weights}
    if returns in single:
        value = single[returns]
        return value[:, 0] if not multi else value
    if not multi:
        return mixed[:, 0]
    b, _, length, width = mixed.shape
    if w_o is None:
        raise ValueError("multi-head attention needs w_o")
    if merge == "right":
        flat = mixed.transpose(0, 2, 1, 3).reshape(b, length, heads * width)
    elif merge == "swapped":
        flat = mixed.transpose(0, 2, 3, 1).reshape(b, length, heads * width)
    else:  # (b, h, l, k) reshaped to (b, l, h*k) without moving the head axis
        flat = mixed.reshape(b, length, heads * width)
    if returns == "mixed":
        return mixed.transpose(0, 2, 1, 3)
    return flat @ w_o.reshape(heads * width, -1)


MISTAKES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("without the causal mask", {"mask_at": "none"}),
    ("with the mask added after the softmax instead of to the scores", {"mask_at": "after"}),
    (
        "with the mask applied after the softmax (the weights then no longer sum to 1): add it to the scores",
        {"mask_at": "after_zero"},
    ),
    ("without dividing the scores by sqrt(k)", {"scale": "none"}),
    ("with the scores divided by sqrt(d), the model width, instead of sqrt(k), the head width", {"scale": "sqrt_d"}),
    ("with the scores divided by sqrt(l), the sequence length, instead of sqrt(k)", {"scale": "sqrt_l"}),
    ("with the scores divided by k instead of sqrt(k)", {"scale": "k"}),
    ("with the scores divided by sqrt(h*k) instead of sqrt(k), the width of one head", {"scale": "sqrt_hk"}),
    ("with the softmax over the query axis instead of the key axis", {"axis": -2}),
    (
        "with the scores transposed (keys against queries): the query letter must come first",
        {"transposed_scores": True},
    ),
    (
        "with the values mixed over the query letter instead of the key letter",
        {"mix": "queries"},
    ),
    (
        "with the weights summed away before they meet the values (each query keeps its own value): "
        "the key letter must be shared by the weights and the values",
        {"mix": "summed"},
    ),
    ("without the mask and without the scaling", {"mask_at": "none", "scale": "none"}),
    ("with the heads merged in the wrong order (head width before heads)", {"merge": "swapped"}),
    ("with the heads merged without moving the head axis next to the head width", {"merge": "unmoved"}),
)

RETURNED: tuple[tuple[str, str], ...] = (
    ("weights", "the attention weights (after the softmax), not the weights mixed with the values"),
    ("scores", "the scores (before the softmax), not the weights mixed with the values"),
    ("v", "the values v, not mixed by the weights"),
    ("q", "the queries q"),
    ("k", "the keys k"),
    ("mixed", "the heads' mixed values, before the output projection with w_o"),
)


def variants(puzzle_id: int) -> list[tuple[str, Callable[..., Any]]]:
    """(description, function of the puzzle's inputs) for every known mistake of puzzle 31 or 32."""
    if puzzle_id not in (31, 32):
        return []
    multi = puzzle_id == 32

    def make(options: dict[str, Any]) -> Callable[..., Any]:
        def run(*inputs: Any) -> Any:
            if multi:
                x, w_q, w_k, w_v, w_o, mask = inputs
            else:
                (x, w_q, w_k, w_v, mask), w_o = inputs, None
            return _attention(x, w_q, w_k, w_v, w_o, mask, **options)

        return run

    found = [
        (description, make(options))
        for description, options in MISTAKES
        if multi or ("merge" not in options and options.get("scale") != "sqrt_hk")
    ]
    found += [
        (f"returns {description}", make({"returns": name}))
        for name, description in RETURNED
        if multi or name != "mixed"
    ]
    return found


def matching(puzzle_id: int, inputs: Sequence[Any], got: Any, close: Callable[[Any, Any], bool]) -> str | None:
    """The description of the first known mistake whose result equals ``got``."""
    for description, variant in variants(puzzle_id):
        with np.errstate(all="ignore"):
            try:
                candidate = np.asarray(variant(*inputs))
            except (ValueError, IndexError):  # a variant that does not apply to these inputs says nothing
                continue
        if candidate.shape == np.shape(got) and close(np.asarray(got), candidate):
            return description
    return None
