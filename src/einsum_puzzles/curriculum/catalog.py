"""Every puzzle, as data. Puzzles 1-32 keep the seed notebook's numbering and meaning (with its errors
fixed, see docs/curriculum.md); 33 and up go further along the same path.

``expected`` functions use plain numpy only: the test suite checks that no puzzle's target is computed
with einsum.
"""

from __future__ import annotations

import numpy as np

from .model import Puzzle
from .reference import attention_inputs, attention_reference, head_reference


def P(
    id: int,
    section: str,
    title: str,
    prompt: str,
    operands: str,
    sizes: dict[str, int],
    expected: object,
    solutions: tuple[str, ...],
    hints: tuple[str, ...],
    note: str = "",
    arguments: tuple[int, ...] = (),
    implicit_only: bool = False,
) -> Puzzle:
    """A subscript puzzle. ``operands`` is ``"a:ij b:jk"``: names and their dimension letters."""
    pairs = tuple((name, dims) for name, dims in (item.split(":") for item in operands.split()))
    return Puzzle(
        id=id,
        section=section,
        title=title,
        prompt=prompt,
        operands=pairs,
        sizes=sizes,
        expected_fn=expected,  # type: ignore[arg-type]
        solutions=solutions,
        hints=hints,
        note=note,
        seed_puzzle=id <= 32,
        arguments=arguments,
        implicit_only=implicit_only,
    )


HEAD_STARTER = '''\
import numpy as np


def head(x, w_q, w_k, w_v, mask):
    """One causal attention head.

    x: (b, l, d) inputs; w_q, w_k, w_v: (d, k) projections; mask: (l, l), 0 or -inf.
    Return (b, l, k). Use np.einsum for every product (no @, matmul, dot, tensordot, inner).
    """
    q = ...  # (b, l, k)
    k = ...  # (b, l, k)
    v = ...  # (b, l, k)
    scores = ...  # (b, l, l): queries against keys, divided by sqrt(k), plus the mask
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return ...  # (b, l, k): the values mixed by the weights
'''

HEAD_SOLUTION = """\
import numpy as np


def head(x, w_q, w_k, w_v, mask):
    q = np.einsum("bld,dk->blk", x, w_q)
    k = np.einsum("bld,dk->blk", x, w_k)
    v = np.einsum("bld,dk->blk", x, w_v)
    scores = np.einsum("blk,bmk->blm", q, k) / np.sqrt(q.shape[-1]) + mask
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return np.einsum("blm,bmk->blk", weights, v)
"""

ATTENTION_STARTER = '''\
import numpy as np


def attention(x, w_q, w_k, w_v, w_o, mask):
    """Causal multi-head attention.

    x: (b, l, d); w_q, w_k, w_v: (d, h, k); w_o: (h, k, d); mask: (l, l), 0 or -inf.
    Return (b, l, d). Use np.einsum for every product (no @, matmul, dot, tensordot, inner).
    """
    q = ...  # (b, l, h, k)
    k = ...  # (b, l, h, k)
    v = ...  # (b, l, h, k)
    scores = ...  # (b, h, l, l): per head, queries against keys, / sqrt(k), plus the mask
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = weights / weights.sum(axis=-1, keepdims=True)
    mixed = ...  # (b, l, h, k)
    return ...  # (b, l, d): project back with w_o, summing over heads and head width
'''

ATTENTION_SOLUTION = """\
import numpy as np


def attention(x, w_q, w_k, w_v, w_o, mask):
    q = np.einsum("bld,dhk->blhk", x, w_q)
    k = np.einsum("bld,dhk->blhk", x, w_k)
    v = np.einsum("bld,dhk->blhk", x, w_v)
    scores = np.einsum("blhk,bmhk->bhlm", q, k) / np.sqrt(q.shape[-1]) + mask
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = weights / weights.sum(axis=-1, keepdims=True)
    mixed = np.einsum("bhlm,bmhk->blhk", weights, v)
    return np.einsum("blhk,hkd->bld", mixed, w_o)
"""


def _diag_blocks(a: np.ndarray) -> np.ndarray:
    n = a.shape[0]
    return np.stack([a[i, :, i, :] for i in range(n)])


def _unfolded_conv(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    b, length, width, c = x.shape
    flat: np.ndarray = x.reshape(b, length, width * c) @ w.reshape(width * c, -1)
    return flat.reshape(b, length, -1)


PUZZLES: tuple[Puzzle, ...] = (
    # --- identity ----------------------------------------------------------------------------------
    P(
        1,
        "identity",
        "Vector identity",
        "Return the vector a unchanged.",
        "a:i",
        {"i": 10},
        lambda a: a.copy(),
        ("i->i", "i"),
        ("One axis needs one letter.", "The output lists the same letter as the input."),
    ),
    P(
        2,
        "identity",
        "Tensor identity",
        "Return the 4-D tensor a unchanged.",
        "a:ijkl",
        {"i": 5, "j": 4, "k": 3, "l": 2},
        lambda a: a.copy(),
        ("ijkl->ijkl", "ijkl", "...->..."),
        (
            "Name each of the four axes with its own letter.",
            "Write the same four letters after the arrow, in the same order.",
        ),
    ),
    # --- multiplication ----------------------------------------------------------------------------
    P(
        3,
        "multiplication",
        "Multiply two vectors",
        "Multiply the vectors a and b element by element.",
        "a:i b:i",
        {"i": 10},
        lambda a, b: a * b,
        ("i,i->i",),
        (
            "Two inputs means two terms separated by a comma.",
            "Give the two vectors' axis the same letter so einsum lines them up.",
            "Keep that letter in the output so nothing is summed.",
        ),
    ),
    P(
        4,
        "multiplication",
        "Multiply two 3-D tensors",
        "Multiply the 3-D tensors a and b element by element.",
        "a:ijk b:ijk",
        {"i": 2, "j": 3, "k": 4},
        lambda a, b: a * b,
        ("ijk,ijk->ijk", "...,...->..."),
        ("The same three letters name the axes of both tensors.", "Keep all three letters, in order, after the arrow."),
    ),
    # --- summation ---------------------------------------------------------------------------------
    P(
        5,
        "summation",
        "Sum a vector",
        "Add up every element of the vector a.",
        "a:i",
        {"i": 10},
        lambda a: np.sum(a),
        ("i->",),
        ("A letter missing from the output is summed over.", "What is left after the arrow when nothing is kept?"),
    ),
    P(
        6,
        "summation",
        "Sum a matrix",
        "Add up every element of the matrix a (a single number).",
        "a:ij",
        {"i": 3, "j": 4},
        lambda a: np.sum(a),
        ("ij->",),
        ("Both axes must disappear from the output.", "Name the two axes, then write nothing after the arrow."),
    ),
    P(
        7,
        "summation",
        "Dot product",
        "Compute the dot product of the vectors a and b.",
        "a:i b:i",
        {"i": 3},
        lambda a, b: np.sum(a * b),
        ("i,i->", "i,i"),
        (
            "A dot product multiplies element by element, then adds everything up.",
            "Use one letter for both vectors, so they are multiplied along it.",
            "Then leave that letter out of the output.",
        ),
    ),
    # --- sums over some axes -------------------------------------------------------------------------
    P(
        8,
        "axis-sums",
        "Row sums",
        "Compute np.sum(a, axis=1) for the matrix a.",
        "a:ij",
        {"i": 2, "j": 5},
        lambda a: np.sum(a, axis=1),
        ("ij->i",),
        ("axis=1 is the second axis: it is the one that disappears.", "Keep only the first axis's letter."),
    ),
    P(
        9,
        "axis-sums",
        "Column sums of a product",
        "Compute np.sum(a * b, axis=0) for the matrices a and b.",
        "a:ij b:ij",
        {"i": 2, "j": 5},
        lambda a, b: np.sum(a * b, axis=0),
        ("ij,ij->j",),
        (
            "First the elementwise product: both terms use the same letters.",
            "axis=0 is summed away, so only the second letter stays in the output.",
        ),
    ),
    P(
        10,
        "axis-sums",
        "Sum the middle axis",
        "Compute np.sum(a, axis=1) for the 3-D tensor a.",
        "a:ijk",
        {"i": 2, "j": 3, "k": 4},
        lambda a: np.sum(a, axis=1),
        ("ijk->ik",),
        ("Three axes, three letters; the middle one is summed.", "Keep the first and the last letters, in order."),
    ),
    # --- diagonal and trace ----------------------------------------------------------------------------
    P(
        11,
        "diagonal",
        "Diagonal",
        "Compute np.diag(a) for the square matrix a.",
        "a:ii",
        {"i": 3},
        lambda a: np.diag(a).copy(),
        ("ii->i",),
        (
            "The diagonal holds the elements whose row and column index agree.",
            "Repeat one letter inside the term to tie the two axes together.",
            "Keep that letter in the output.",
        ),
    ),
    P(
        12,
        "diagonal",
        "Trace",
        "Compute np.trace(a) for the square matrix a.",
        "a:ii",
        {"i": 3},
        lambda a: np.trace(a),
        ("ii->", "ii"),
        ("The trace is the sum of the diagonal.", "Take the diagonal with a repeated letter, then sum it away."),
    ),
    # --- broadcasting --------------------------------------------------------------------------------
    P(
        13,
        "broadcasting",
        "Broadcast a vector over rows",
        "Compute np.sum(a * b, axis=1) for the matrix a and the vector b.",
        "a:ij b:j",
        {"i": 2, "j": 3},
        lambda a, b: np.sum(a * b, axis=1),
        ("ij,j->i",),
        (
            "b lines up with the last axis of a, so it shares that axis's letter.",
            "b has no letter for the rows: it is reused for each of them.",
            "axis=1 is summed away; keep only the row letter.",
        ),
    ),
    P(
        14,
        "broadcasting",
        "Broadcast a matrix over a batch",
        "Compute np.sum(a * b, axis=(1, 2)) for the 3-D tensor a and the matrix b.",
        "a:ijk b:jk",
        {"i": 2, "j": 3, "k": 4},
        lambda a, b: np.sum(a * b, axis=(1, 2)),
        ("ijk,jk->i",),
        ("b lines up with the last two axes of a.", "Both of those axes are summed; only the first axis of a stays."),
    ),
    # --- outer product -------------------------------------------------------------------------------
    P(
        15,
        "outer",
        "Outer product of vectors",
        "Compute np.outer(a, b) for the vectors a and b.",
        "a:i b:j",
        {"i": 3, "j": 4},
        lambda a, b: np.outer(a, b),
        ("i,j->ij", "i,j"),
        ("Nothing is shared: give each vector its own letter.", "Keep both letters, a's first."),
    ),
    P(
        16,
        "outer",
        "Outer product of a vector and a matrix",
        "Compute the outer product of the vector a and the matrix b: out[i, j, k] = a[i] * b[j, k].",
        "a:i b:jk",
        {"i": 3, "j": 2, "k": 4},
        lambda a, b: np.multiply.outer(a, b),
        ("i,jk->ijk", "i,jk"),
        ("Three different letters, one per axis.", "Keep all three, in the order the prompt gives."),
    ),
    # --- permutation ---------------------------------------------------------------------------------
    P(
        17,
        "permutation",
        "Transpose",
        "Transpose the matrix a.",
        "a:ij",
        {"i": 2, "j": 3},
        lambda a: a.T.copy(),
        ("ij->ji", "ji"),
        ("The output order of the letters is the order of the result's axes.", "Swap the two letters after the arrow."),
    ),
    P(
        18,
        "permutation",
        "Permute three axes",
        "Permute the tensor a of shape (2, 3, 4) into shape (4, 2, 3): the last axis moves to the front.",
        "a:ijk",
        {"i": 2, "j": 3, "k": 4},
        lambda a: np.transpose(a, (2, 0, 1)).copy(),
        ("ijk->kij",),
        (
            "Name the axes of a with three letters.",
            "The output starts with the letter of the axis of size 4.",
            "The other two keep their relative order.",
        ),
    ),
    P(
        19,
        "permutation",
        "Permute four axes",
        "Permute the tensor a of shape (2, 3, 4, 5) into shape (5, 3, 2, 4).",
        "a:ijkl",
        {"i": 2, "j": 3, "k": 4, "l": 5},
        lambda a: np.transpose(a, (3, 1, 0, 2)).copy(),
        ("ijkl->ljik",),
        ("Match each output size with the input axis that has it.", "Sizes 5, 3, 2, 4 are the axes 3, 1, 0, 2 of a."),
    ),
    P(
        20,
        "permutation",
        "Multiply, then permute",
        "Multiply a and b element by element, then permute the result from (2, 3, 4) to (4, 2, 3).",
        "a:ijk b:ijk",
        {"i": 2, "j": 3, "k": 4},
        lambda a, b: np.transpose(a * b, (2, 0, 1)).copy(),
        ("ijk,ijk->kij",),
        (
            "Both terms use the same letters to multiply elementwise.",
            "The output order does the permutation: the size-4 axis first.",
        ),
    ),
    # --- matmul and tensordot ------------------------------------------------------------------------
    P(
        21,
        "matmul",
        "Matrix product",
        "Compute a @ b.",
        "a:ij b:jk",
        {"i": 3, "j": 2, "k": 4},
        lambda a, b: a @ b,
        ("ij,jk->ik", "ij,jk"),
        (
            "The columns of a meet the rows of b: they share a letter.",
            "That shared letter is multiplied along and must be summed.",
            "The output keeps a's rows and b's columns.",
        ),
    ),
    P(
        22,
        "matmul",
        "Transposed product",
        "Compute (a @ b).T.",
        "a:ij b:jk",
        {"i": 3, "j": 2, "k": 4},
        lambda a, b: (a @ b).T.copy(),
        ("ij,jk->ki",),
        ("Start from the matrix product.", "Transposing the result only changes the output order."),
    ),
    P(
        23,
        "matmul",
        "Product with a transpose",
        "Compute a @ b.T.",
        "a:ij b:kj",
        {"i": 3, "j": 2, "k": 4},
        lambda a, b: a @ b.T,
        ("ij,kj->ik",),
        (
            "b.T pairs the columns of a with the columns of b.",
            "So the second axis of a and the second axis of b share a letter.",
            "Keep a's rows, then b's rows.",
        ),
    ),
    P(
        24,
        "matmul",
        "Tensor times matrix",
        "Compute a @ b for the 3-D tensor a and the matrix b.",
        "a:ijk b:kl",
        {"i": 2, "j": 3, "k": 4, "l": 5},
        lambda a, b: a @ b,
        ("ijk,kl->ijl", "...k,kl->...l"),
        ("@ pairs the last axis of a with the first axis of b.", "The first two axes of a are carried along."),
    ),
    P(
        25,
        "matmul",
        "Batched matrix product",
        "Compute a @ b for the stacks of matrices a and b.",
        "a:bij b:bjk",
        {"b": 10, "i": 3, "j": 4, "k": 5},
        lambda a, b: a @ b,
        ("bij,bjk->bik", "...ij,...jk->...ik"),
        (
            "The leading axis is the batch: both stacks share it and the output keeps it.",
            "Inside the batch it is a plain matrix product.",
        ),
    ),
    P(
        26,
        "matmul",
        "tensordot over one axis",
        "Compute np.tensordot(a, b, axes=([1], [0])) (shape (3, 4, 6)).",
        "a:ijk b:jl",
        {"i": 3, "j": 5, "k": 4, "l": 6},
        lambda a, b: np.tensordot(a, b, axes=([1], [0])),
        ("ijk,jl->ikl",),
        (
            "axes=([1], [0]) pairs axis 1 of a with axis 0 of b: one shared letter.",
            "tensordot keeps a's remaining axes, then b's.",
        ),
    ),
    P(
        27,
        "matmul",
        "tensordot, then transpose",
        "Compute np.tensordot(a, b, axes=([0], [1])).transpose(1, 0, 2) (shape (4, 3, 6)).",
        "a:ijk b:li",
        {"i": 5, "j": 3, "k": 4, "l": 6},
        lambda a, b: np.tensordot(a, b, axes=([0], [1])).transpose(1, 0, 2).copy(),
        ("ijk,li->kjl",),
        (
            "Axis 0 of a and axis 1 of b are paired and summed.",
            "tensordot would give (3, 4, 6); the transpose swaps its first two axes.",
        ),
    ),
    P(
        28,
        "matmul",
        "tensordot, sums and a transpose",
        "Compute np.tensordot(a, b, axes=([1], [0])).sum(axis=(1, 2)).T (shape (6, 2)).",
        "a:ijk b:jlm",
        {"i": 2, "j": 3, "k": 4, "l": 5, "m": 6},
        lambda a, b: np.tensordot(a, b, axes=([1], [0])).sum(axis=(1, 2)).T.copy(),
        ("ijk,jlm->mi",),
        (
            "The tensordot result has axes (i, k, l, m) in the names of a and b.",
            "The sum removes the middle two of those; the transpose reverses what is left.",
        ),
    ),
    # --- ellipsis ------------------------------------------------------------------------------------
    P(
        29,
        "ellipsis",
        "Swap the last two axes",
        "Transpose the last two axes of the 6-D tensor a.",
        "a:ijklmn",
        {"i": 2, "j": 3, "k": 4, "l": 5, "m": 6, "n": 7},
        lambda a: np.swapaxes(a, -1, -2).copy(),
        ("...ij->...ji", "ijklmn->ijklnm"),
        ("'...' can stand for the four leading axes.", "Name only the last two axes, and swap them in the output."),
    ),
    P(
        30,
        "ellipsis",
        "Matrix product under an ellipsis",
        "Compute a @ b for a of shape (3, 4, 5) and b of shape (5, 6), letting '...' cover the leading axes of a.",
        "a:ijk b:kl",
        {"i": 3, "j": 4, "k": 5, "l": 6},
        lambda a, b: a @ b,
        ("...j,jk->...k", "ijk,kl->ijl"),
        ("Only the last axis of a meets b.", "Keep '...' in the output, followed by b's last letter."),
    ),
    # --- past the seed, along the same path ------------------------------------------------------------
    P(
        33,
        "diagonal",
        "Batched trace",
        "For each matrix in the stack a, compute its trace (one number per matrix).",
        "a:bii",
        {"b": 4, "i": 3},
        lambda a: np.trace(a, axis1=1, axis2=2),
        ("bii->b",),
        (
            "The repeated letter takes a diagonal; the batch letter rides along.",
            "Sum the diagonal away and keep the batch.",
        ),
        note="A stack of matrices is common (one per example in a batch). einsum takes a trace of each "
        "without a loop: repeat the matrix letter, keep the batch letter.",
    ),
    P(
        34,
        "diagonal",
        "Diagonal blocks",
        "a holds n x n blocks of size p x q, laid out with shape (n, p, n, q): block (r, c) is a[r, :, c, :]. "
        "Return the blocks on the diagonal, stacked with shape (n, p, q).",
        "a:ipiq",
        {"i": 3, "p": 2, "q": 4},
        _diag_blocks,
        ("ipiq->ipq",),
        (
            "The diagonal blocks are those where the block row equals the block column.",
            "Tie axes 0 and 2 with one letter; name p and q separately.",
        ),
        note="A repeated letter can tie axes that are not next to each other: here block row and block column.",
    ),
    P(
        35,
        "axis-sums",
        "Row-wise dot products",
        "For the matrices a and b, compute the dot product of each row of a with the same row of b.",
        "a:ij b:ij",
        {"i": 4, "j": 3},
        lambda a, b: np.sum(a * b, axis=1),
        ("ij,ij->i",),
        ("Multiply elementwise, then sum along each row.", "The row letter stays; the column letter goes."),
        note="Row-wise dot products appear in cosine similarity and in attention scores for one query per row.",
    ),
    P(
        36,
        "axis-sums",
        "Frobenius inner product",
        "Compute the sum of a * b over all elements for the matrices a and b.",
        "a:ij b:ij",
        {"i": 3, "j": 5},
        lambda a, b: np.sum(a * b),
        ("ij,ij->", "ij,ij"),
        ("Same letters in both terms multiply elementwise.", "Nothing is kept."),
        note="This is the matrix version of the dot product, trace(a.T @ b), without forming a.T @ b.",
    ),
    P(
        37,
        "broadcasting",
        "Weighted sum over a batch",
        "Given one weight per batch element in w and a stack of matrices m, compute the weighted sum of the matrices.",
        "w:b m:bij",
        {"b": 5, "i": 2, "j": 3},
        lambda w, m: np.sum(w[:, None, None] * m, axis=0),
        ("b,bij->ij",),
        ("w lines up with the batch axis of m.", "The batch axis is summed; the matrix axes stay."),
        note="Averaging models, mixing experts and pooling over time are all weighted sums like this one.",
    ),
    P(
        38,
        "outer",
        "Batched outer product",
        "For each row of a and the same row of b, form their outer product: out[n, i, j] = a[n, i] * b[n, j].",
        "a:ni b:nj",
        {"n": 4, "i": 2, "j": 3},
        lambda a, b: a[:, :, None] * b[:, None, :],
        ("ni,nj->nij",),
        ("The row index is shared and kept.", "The other two letters differ, like an outer product."),
        note="Keeping a shared letter turns an outer product into one outer product per batch element.",
    ),
    P(
        39,
        "matmul",
        "Gram matrix",
        "Compute the Gram matrix of the rows of x: out[i, j] is the dot product of row i with row j.",
        "x:nf",
        {"n": 4, "f": 3},
        lambda x: x @ x.T,
        ("if,jf->ij", "nf,mf->nm"),
        (
            "One operand, passed twice: np.einsum(subscript, x, x).",
            "Both terms share the feature letter, and each has its own row letter.",
        ),
        note="Pass the same array twice. The rows of each copy need different letters, the features the same one.",
        arguments=(0, 0),
    ),
    P(
        40,
        "matmul",
        "Bilinear form",
        "Compute x @ A @ y (a single number) for the vectors x, y and the matrix A.",
        "x:i A:ij y:j",
        {"i": 3, "j": 4},
        lambda x, a, y: x @ a @ y,
        ("i,ij,j->", "i,ij,j"),
        ("Three operands, three terms.", "x meets the rows of A and y meets its columns.", "Nothing is kept."),
        note="Forms like xᵀAy appear in quadratic losses, attention with a bilinear score and Mahalanobis distances.",
    ),
    P(
        41,
        "matmul",
        "Three matrices in one call",
        "Compute a @ b @ c.",
        "a:ij b:jk c:kl",
        {"i": 2, "j": 3, "k": 4, "l": 5},
        lambda a, b, c: a @ b @ c,
        ("ij,jk,kl->il",),
        ("Each neighbouring pair shares a letter.", "Keep only the outermost letters."),
        note="einsum contracts many operands at once and chooses the order; numpy's optimize=True (and our "
        "evaluator) pick the cheapest pairing.",
    ),
    P(
        42,
        "matmul",
        "Contract two axes at once",
        "Compute np.tensordot(a, b, axes=([1, 2], [0, 1])) for a of shape (2, 3, 4) and b of shape (3, 4, 5).",
        "a:ijk b:jkl",
        {"i": 2, "j": 3, "k": 4, "l": 5},
        lambda a, b: np.tensordot(a, b, axes=([1, 2], [0, 1])),
        ("ijk,jkl->il",),
        ("Two axes are paired: two shared letters.", "Both shared letters are summed."),
        note="Several letters can be shared and summed at once: that is tensordot over several axes, "
        "common when contracting feature maps or tensor networks.",
    ),
    P(
        43,
        "matmul",
        "Change of basis",
        "Compute P.T @ A @ P for the square matrices A (n x n) and P (n x m).",
        "A:nn P:nm",
        {"n": 3, "m": 2},
        lambda a, p: p.T @ a @ p,
        ("ij,ik,jl->kl",),
        (
            "Pass P twice: np.einsum(subscript, A, P, P).",
            "P.T @ A pairs the rows of P with the rows of A.",
            "The result is indexed by the columns of the two copies of P.",
        ),
        note="Expressing a matrix in a new basis (or a covariance in new coordinates) is PᵀAP.",
        arguments=(0, 1, 1),
    ),
    P(
        44,
        "ellipsis",
        "Matrix-vector product on any batch",
        "For stacks of matrices m (..., i, j) and vectors v (..., j), compute m @ v for every stack element.",
        "m:bij v:bj",
        {"b": 4, "i": 3, "j": 2},
        lambda m, v: (m @ v[..., None])[..., 0],
        ("...ij,...j->...i", "bij,bj->bi"),
        ("Let '...' cover the batch axes in both operands.", "Only the matrix's column letter is shared and summed."),
        note="With '...' the same subscript works for one matrix or a stack of any depth.",
    ),
    P(
        45,
        "implicit",
        "Arrowless transposed product",
        "Compute (a @ b).T with a subscript that has no arrow.",
        "a:ij b:jk",
        {"i": 2, "j": 5, "k": 3},
        lambda a, b: (a @ b).T.copy(),
        ("ij,jh", "bc,ca"),
        (
            "Without an arrow, the letters used once are kept, in sorted order.",
            "The shared letter is summed; the result's first axis comes from b.",
            "Pick b's column letter so that it sorts before a's row letter.",
        ),
        note="Implicit output is sorted: `ij,jk` gives `ik`, but `ij,jh` gives `hi`, the transpose.",
        implicit_only=True,
    ),
    P(
        46,
        "implicit",
        "Arrowless transpose",
        "Transpose the matrix a with a subscript that has no arrow.",
        "a:ij",
        {"i": 4, "j": 3},
        lambda a: a.T.copy(),
        ("ji", "ba"),
        ("The implicit output is sorted.", "Which order of two letters makes the sorted output swap them?"),
        note="An arrowless subscript can transpose: its output letters are sorted, whatever order you wrote.",
        implicit_only=True,
    ),
    P(
        47,
        "multi-head",
        "Grouped-query attention scores",
        "Queries q have shape (b, g, r, l, d): g groups of r heads each. "
        "Keys k have shape (b, g, m, d), one per group. Compute the scores out[b, g, r, l, m] = sum over d of q * k.",
        "q:bgrld k:bgmd",
        {"b": 2, "g": 3, "r": 4, "l": 5, "m": 6, "d": 7},
        lambda q, k: q @ np.swapaxes(k, -1, -2)[:, :, None],
        ("bgrld,bgmd->bgrlm",),
        (
            "The heads of a group share the group's keys: k has no head letter.",
            "Batch and group are shared and kept; d is shared and summed.",
        ),
        note="Grouped-query attention saves memory by sharing one key/value head among several query heads.",
    ),
    P(
        48,
        "multi-head",
        "Scores against a key cache",
        "One new query per sequence, q of shape (b, h, d), is scored against a cache of t past keys, "
        "kc of shape (b, t, h, d). Compute out[b, h, t].",
        "q:bhd kc:bthd",
        {"b": 2, "h": 3, "d": 4, "t": 5},
        lambda q, kc: np.sum(q[:, None] * kc, axis=-1).transpose(0, 2, 1).copy(),
        ("bhd,bthd->bht",),
        (
            "The cache keeps time before heads; the output wants heads before time.",
            "d is summed; b and h are shared and kept.",
        ),
        note="During generation each new token attends over the cached keys, whose layout rarely matches the query's.",
    ),
    P(
        49,
        "beyond",
        "Convolution on an unfolded input",
        "x holds, for each batch b and position l, a window of w neighbouring inputs with c channels: (b, l, w, c). "
        "The kernel has shape (w, c, o). Compute out[b, l, o] = sum over w and c of x * kernel.",
        "x:blwc k:wco",
        {"b": 2, "l": 5, "w": 3, "c": 4, "o": 6},
        _unfolded_conv,
        ("blwc,wco->blo",),
        (
            "Two letters are shared and summed: window and channel.",
            "Batch and position come from x, o from the kernel.",
        ),
        note="After unfolding the windows (im2col), a convolution is one einsum.",
    ),
    P(
        50,
        "beyond",
        "Per-head linear layers",
        "x has shape (b, h, d) and each head h has its own weight matrix, w of shape (h, d, f). "
        "Compute out[b, h, f] = x[b, h] @ w[h] for every b and h.",
        "x:bhd w:hdf",
        {"b": 3, "h": 2, "d": 4, "f": 5},
        lambda x, w: np.matmul(x.transpose(1, 0, 2), w).transpose(1, 0, 2).copy(),
        ("bhd,hdf->bhf",),
        ("h is shared and kept; it picks the weight matrix.", "d is summed."),
        note="Mixture-of-experts and multi-head MLPs apply a different matrix per head without a loop.",
    ),
    P(
        51,
        "beyond",
        "Covariance of centred data",
        "x has shape (n, f): n samples of f features (already centred). Compute x.T @ x.",
        "x:nf",
        {"n": 5, "f": 3},
        lambda x: x.T @ x,
        ("ni,nj->ij", "nf,ng->fg"),
        ("Pass x twice.", "The sample letter is shared and summed; each copy has its own feature letter."),
        note="Summing outer products over samples gives the (unnormalised) covariance matrix.",
        arguments=(0, 0),
    ),
    P(
        52,
        "beyond",
        "Batched diagonal",
        "For each matrix in the stack a, return its diagonal (shape (b, n)).",
        "a:bii",
        {"b": 3, "i": 4},
        lambda a: np.diagonal(a, axis1=1, axis2=2).copy(),
        ("bii->bi",),
        ("Repeat the matrix letter, keep the batch letter.", "Keep the repeated letter too."),
        note="Like the batched trace, but the diagonal is kept instead of summed.",
    ),
)

CODE_PUZZLES: tuple[Puzzle, ...] = (
    Puzzle(
        id=31,
        section="attention-head",
        title="One attention head",
        prompt=(
            "Write head(x, w_q, w_k, w_v, mask) that computes one causal attention head with einsum: project x "
            "into queries, keys and values, score queries against keys divided by sqrt(k), add the mask, "
            "softmax over the last axis, and mix the values. Every product must be an np.einsum."
        ),
        operands=(("x", "bld"), ("w_q", "dk"), ("w_k", "dk"), ("w_v", "dk"), ("mask", "ll")),
        sizes={"b": 16, "l": 10, "d": 32, "k": 8},
        expected_fn=head_reference,
        solutions=(HEAD_SOLUTION,),
        hints=(
            "Each projection is the same einsum: the model axis d is shared and summed.",
            "For the scores, give the key positions their own letter (m): 'blk,bmk->blm'.",
            "The softmax and the mask are plain numpy; the last einsum sums over the key positions m.",
        ),
        kind="code",
        function_name="head",
        starter=HEAD_STARTER,
        integer_values=False,
        make_inputs=attention_inputs(with_output=False),
    ),
    Puzzle(
        id=32,
        section="multi-head",
        title="Multi-head attention",
        prompt=(
            "Write attention(x, w_q, w_k, w_v, w_o, mask) that computes causal multi-head attention with einsum: "
            "per-head projections with w_q, w_k, w_v (d, h, k), scores per head divided by sqrt(k) plus the mask, "
            "softmax over the last axis, mixed values, and the output projection w_o (h, k, d). "
            "Every product must be an np.einsum."
        ),
        operands=(("x", "bld"), ("w_q", "dhk"), ("w_k", "dhk"), ("w_v", "dhk"), ("w_o", "hkd"), ("mask", "ll")),
        sizes={"b": 16, "l": 10, "d": 32, "h": 4, "k": 8},
        expected_fn=attention_reference,
        solutions=(ATTENTION_SOLUTION,),
        hints=(
            "Give the heads their own letter h and nothing needs reshaping: 'bld,dhk->blhk'.",
            "Scores per head: queries at l, keys at m, summed over k, laid out as (b, h, l, m).",
            "The output projection sums over both h and k at once.",
        ),
        kind="code",
        function_name="attention",
        starter=ATTENTION_STARTER,
        integer_values=False,
        make_inputs=attention_inputs(with_output=True),
    ),
)
