"""Every puzzle, as data. Puzzles 1-32 keep the seed notebook's numbering and meaning (with its errors
fixed, see docs/curriculum.md); 33 and up go further along the same path.

``expected`` functions use plain numpy only: the test suite checks that no puzzle's target is computed
with einsum.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
    fixed_sizes: frozenset[str] = frozenset(),
    make_inputs: Any = None,
    vary_rank: tuple[int, ...] = (),
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
        fixed_sizes=fixed_sizes,
        make_inputs=make_inputs,
        vary_rank=vary_rank,
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
    scores = ...  # (b, l, l): queries against keys, / sqrt(key size w_k.shape[1]), plus the mask
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
    scores = ...  # (b, h, l, l): per head, queries against keys, / sqrt(key size w_k.shape[2]), plus the mask
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


def _levi_civita_inputs(rng: Any, sizes: Mapping[str, int]) -> tuple[Any, ...]:
    eps = np.zeros((3, 3, 3))
    for i, j, k in ((0, 1, 2), (1, 2, 0), (2, 0, 1)):
        eps[i, j, k], eps[i, k, j] = 1.0, -1.0
    return eps, rng.integers(-5, 6, size=3).astype(float), rng.integers(-5, 6, size=3).astype(float)


def _graph_inputs(rng: Any, sizes: Mapping[str, int]) -> tuple[Any, ...]:
    n = sizes["n"]
    return ((rng.random((n, n)) < 0.4).astype(np.int64),)


def _kron_blocks(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    (i, j), (k, m) = a.shape, b.shape
    return np.kron(a, b).reshape(i, k, j, m)


MORE_PUZZLES: tuple[Puzzle, ...] = (
    # --- skills taught but not yet practised ------------------------------------------------------------
    P(
        53,
        "broadcasting",
        "A column stretched across a matrix",
        "c has shape (3, 1), a column as keepdims=True leaves it, and m has shape (3, 4). Compute c * m (numpy "
        "stretches the size-1 axis of c across the 4 columns), giving c's second axis the same letter as m's "
        "second axis.",
        "c:io m:ij",
        {"i": 3, "o": 1, "j": 4},
        lambda c, m: c * m,
        ("ij,ij->ij",),
        (
            "A shared letter may have size 1 in one operand: einsum stretches it like numpy broadcasting.",
            "Both terms get the same two letters, and the output keeps both.",
        ),
        note="A letter of size 1 in one operand and size n in another is stretched, exactly as numpy "
        "broadcasting stretches a size-1 axis. This is how results of keepdims=True sums combine with einsum.",
        fixed_sizes=frozenset({"o"}),
    ),
    P(
        54,
        "ellipsis",
        "Stacks that broadcast",
        "a is a (5, 1) grid of vectors of length 3, shape (5, 1, 3); b is a stack of 7 matrices of shape 3 x 4, "
        "shape (7, 3, 4). Multiply every vector by every matrix, lining the stacks up from the right and "
        "broadcasting them as numpy does, (a[..., None, :] @ b)[..., 0, :]: shape (5, 7, 4).",
        "a:pqj b:rjk",
        {"p": 5, "q": 1, "j": 3, "r": 7, "k": 4},
        lambda a, b: (a[..., None, :] @ b)[..., 0, :],
        ("...j,...jk->...k",),
        (
            "Name the vector's axis and the matrix's two axes; let '...' cover the stack axes, whatever their number.",
            "The '...' parts of the inputs broadcast against each other like numpy shapes.",
        ),
        note="Under '...', stacks of different ranks broadcast from the right, with size 1 stretching: the same "
        "rule numpy's @ follows.",
        fixed_sizes=frozenset({"q"}),
    ),
    P(
        55,
        "implicit",
        "Batched product without an arrow",
        "Compute a @ b for the stacks a of shape (4, 2, 3) and b of shape (4, 3, 5), with a subscript that has "
        "no arrow.",
        "a:bij b:bjk",
        {"b": 4, "i": 2, "j": 3, "k": 5},
        lambda a, b: a @ b,
        ("...ij,...jk",),
        (
            "Without an arrow, a letter used in both terms is summed, and the batch must not be summed.",
            "The implicit output starts with the '...' dimensions.",
            "Let '...' stand for the batch axis in both terms.",
        ),
        note="An arrowless subscript sums every letter used twice, batch letters included; the '...' "
        "dimensions are kept, and they come first.",
        implicit_only=True,
    ),
    P(
        56,
        "implicit",
        "Arrowless permutation",
        "Reorder the axes of a, shape (2, 3, 4, 5), to shape (5, 4, 2, 3), with a subscript that has no arrow.",
        "a:ijkl",
        {"i": 2, "j": 3, "k": 4, "l": 5},
        lambda a: np.transpose(a, (3, 2, 0, 1)).copy(),
        ("rsqp", "rsQP"),
        (
            "The output is the letters sorted, whatever order you write them in.",
            "Uppercase letters sort before lowercase ones: an uppercase letter on an axis sends it to the front.",
            "Give the size-5 axis the letter that sorts first, the size-4 axis the next one, and so on.",
        ),
        note="Sorting decides the implicit output: to put an axis first, give it the letter that sorts first. "
        "Uppercase letters come before all lowercase ones.",
        implicit_only=True,
    ),
    P(
        57,
        "matmul",
        "Weighted Gram matrix",
        "x holds 5 samples of 3 features, shape (5, 3), and w one weight per sample, shape (5,). Compute "
        "x.T @ np.diag(w) @ x, the Gram matrix of the features with every sample weighted (shape (3, 3)).",
        "w:n x:nd",
        {"n": 5, "d": 3},
        lambda w, x: x.T @ (w[:, None] * x),
        ("n,ni,nj->ij",),
        (
            "The call passes w, then x twice: three terms.",
            "The sample letter is in all three terms: it is multiplied along in all of them and summed.",
            "Each copy of x keeps its feature axis under a letter of its own.",
        ),
        note="One letter can be shared by three operands. Weighted least squares needs exactly this matrix, and "
        "einsum never builds the n x n diagonal matrix.",
        arguments=(0, 1, 1),
    ),
    P(
        58,
        "diagonal",
        "Scale rows by a diagonal",
        "Multiply row r of the matrix b by the diagonal element a[r, r] of the square matrix a: "
        "np.diag(a)[:, None] * b.",
        "a:ii b:ij",
        {"i": 3, "j": 4},
        lambda a, b: np.diag(a)[:, None] * b,
        ("ii,ij->ij",),
        (
            "Repeat one letter in a's term to read its diagonal.",
            "The same letter names b's rows, and it is kept: nothing is summed.",
        ),
        note="np.diag(a) @ b would build a diagonal matrix and multiply by it; einsum reads the diagonal and "
        "scales the rows in one step.",
    ),
    P(
        71,
        "ellipsis",
        "Traces of a stack of any depth",
        "a is a stack of square matrices (the example: 2 matrices of shape 5 x 5; other draws have one more "
        "leading axis, or none). Return the trace of every matrix, np.trace(a, axis1=-2, axis2=-1).",
        "a:bii",
        {"b": 2, "i": 5},
        lambda a: np.trace(a, axis1=-2, axis2=-1),
        ("...ii->...",),
        (
            "Let '...' cover the leading axes.",
            "A repeated letter reads the diagonal; leaving it out sums it.",
        ),
        note="'...' and a repeated letter combine: the diagonal is taken in the last two axes, whatever comes "
        "before them.",
        vary_rank=(0,),
    ),
    # --- patterns from real code ----------------------------------------------------------------------------
    P(
        59,
        "beyond",
        "Mixture-of-experts dispatch",
        "A router gives every token a weight for every expert: g of shape (2, 5, 3) (batch, token, expert). The "
        "tokens x have shape (2, 5, 4) (batch, token, width). Build each expert's input: for every expert and "
        "batch, the weighted sum of the tokens, laid out as (expert, batch, width): shape (3, 2, 4).",
        "g:bse x:bsd",
        {"b": 2, "s": 5, "e": 3, "d": 4},
        lambda g, x: np.transpose(np.swapaxes(g, 1, 2) @ x, (1, 0, 2)).copy(),
        ("bse,bsd->ebd",),
        (
            "The token axis is shared and summed; the batch is shared and kept.",
            "The output starts with the expert axis, which only g has.",
        ),
        note="Mixture-of-experts layers (Switch Transformer, GShard) dispatch tokens to experts with this "
        "einsum, and combine the experts' outputs with its mirror image.",
    ),
    P(
        60,
        "beyond",
        "Per-example weight gradients",
        "For a linear layer applied at every position of a sequence, the weight gradient of one example is the "
        "sum over positions of the outer product of the output gradient and the input. With g of shape "
        "(2, 5, 3) (example, position, output) and x of shape (2, 5, 4) (example, position, input), compute one "
        "gradient per example: shape (2, 3, 4).",
        "g:nto x:nti",
        {"n": 2, "t": 5, "o": 3, "i": 4},
        lambda g, x: np.swapaxes(g, 1, 2) @ x,
        ("nto,nti->noi",),
        (
            "The example is shared and kept; the position is shared and summed.",
            "The output and input widths each keep a letter of their own, output first.",
        ),
        note="Differential privacy and influence functions need each example's gradient separately; libraries "
        "such as Opacus compute them with this einsum.",
    ),
    P(
        61,
        "beyond",
        "Bilinear layer",
        "torch.nn.Bilinear combines two inputs with a weight tensor: x of shape (2, 3), y of shape (2, 5) (one row "
        "per example) and w of shape (4, 3, 5). Output unit u of example r is x[r] @ w[u] @ y[r]. Compute it for "
        "every example and unit: shape (2, 4).",
        "x:bn w:anm y:bm",
        {"b": 2, "n": 3, "a": 4, "m": 5},
        lambda x, w, y: np.stack([np.array([x[r] @ w[u] @ y[r] for u in range(w.shape[0])]) for r in range(len(x))]),
        ("bn,anm,bm->ba",),
        (
            "Three operands: x meets w's second axis, y meets w's third.",
            "The example letter is in x and y and kept; w's first axis is kept too.",
        ),
        note="A bilinear layer is a bilinear form per output unit and per example: one einsum with three operands.",
    ),
    P(
        62,
        "beyond",
        "Cross product with the Levi-Civita symbol",
        "eps is the Levi-Civita symbol, shape (3, 3, 3): +1 for even permutations of (0, 1, 2), -1 for odd ones, "
        "0 elsewhere. Compute np.cross(a, b) for the 3-vectors a and b, as one contraction of eps with a and b.",
        "eps:ijk a:j b:k",
        {"i": 3, "j": 3, "k": 3},
        lambda eps, a, b: np.cross(a, b),
        ("ijk,j,k->i",),
        (
            "a meets eps's second axis and b its third.",
            "Both of those letters are summed; eps's first axis is kept.",
        ),
        note="Physics writes the cross product as (a × b)_i = Σ_jk ε_ijk a_j b_k: drop the Σ and that is the "
        "subscript.",
        fixed_sizes=frozenset({"i", "j", "k"}),
        make_inputs=_levi_civita_inputs,
    ),
    P(
        63,
        "beyond",
        "Partial trace",
        "r describes two coupled systems of sizes 2 and 3, stored with shape (2, 3, 2, 3): r[a, b, c, d] couples "
        "state (a, b) with state (c, d). Trace out the second system: keep the first system's two axes and add "
        "up the elements where the second system's two indices agree: shape (2, 2).",
        "r:abab",
        {"a": 2, "b": 3},
        lambda r: np.trace(r, axis1=1, axis2=3),
        ("ijkj->ik",),
        (
            "A letter repeated in one term ties two axes that need not be next to each other.",
            "Tie the second system's axes and leave that letter out; the first system's axes get two letters.",
        ),
        note="In quantum mechanics this is the reduced density matrix of a subsystem: a trace over some axes only.",
    ),
    P(
        64,
        "beyond",
        "A linear map on matrices",
        "c has shape (2, 3, 4, 5): a linear map from 4 x 5 matrices to 2 x 3 matrices, as an elasticity tensor "
        "maps strain to stress. Apply it to the matrix e of shape (4, 5): every output element is the sum over "
        "all positions of e of c's matching coefficient times e. Shape (2, 3).",
        "c:ijkl e:kl",
        {"i": 2, "j": 3, "k": 4, "l": 5},
        lambda c, e: np.tensordot(c, e, axes=([2, 3], [0, 1])),
        ("ijkl,kl->ij",),
        (
            "e's two axes meet c's last two.",
            "Both shared letters are summed.",
        ),
        note="Hooke's law in a solid, σ_ij = Σ_kl C_ijkl ε_kl, is this contraction.",
    ),
    P(
        65,
        "beyond",
        "Bilinear attention scores",
        "Luong's general attention scores a query against a key through a weight matrix: q of shape (2, 3, 4) "
        "(batch, query position, width), w of shape (4, 5), k of shape (2, 6, 5) (batch, key position, key width). "
        "Compute q @ w @ np.swapaxes(k, -1, -2): shape (2, 3, 6).",
        "q:bqd w:de k:bke",
        {"b": 2, "q": 3, "d": 4, "e": 5, "k": 6},
        lambda q, w, k: q @ w @ np.swapaxes(k, -1, -2),
        ("bid,de,bje->bij",),
        (
            "The query width meets w's rows, the key width w's columns: both summed.",
            "The batch is in q and k and kept.",
        ),
        note="Three operands in one call; with optimize=True numpy picks which product to do first.",
    ),
    P(
        72,
        "beyond",
        "Kronecker product",
        "np.kron(a, b) for a of shape (2, 3) and b of shape (4, 5) has shape (8, 15): block (r, c) is a[r, c] * b. "
        "It is an einsum followed by a reshape to (8, 15). Give the einsum: shape (2, 4, 3, 5).",
        "a:ij b:kl",
        {"i": 2, "j": 3, "k": 4, "l": 5},
        _kron_blocks,
        ("ij,kl->ikjl",),
        (
            "Nothing is shared: every element of a times every element of b.",
            "The rows of the result run over a's rows, then b's rows within each block.",
        ),
        note="einsum cannot merge axes; the reshape that follows it can, because the axes are already in the "
        "order the merged ones need.",
    ),
    # --- reading costs ---------------------------------------------------------------------------------------
    P(
        66,
        "cost",
        "Which product first?",
        "x has many more rows than columns (in the model this comes from, 100000 x 8; the example is 6 x 2). "
        "You need x @ x.T @ x. Grouped as (x @ x.T) @ x it first forms a rows x rows matrix, about "
        "rows·rows·columns multiplications; grouped as x @ (x.T @ x) it first forms a columns x columns matrix, "
        "about rows·columns·columns. Give the einsum of the first product of the cheaper grouping (the call "
        "passes x twice).",
        "x:nd",
        {"n": 6, "d": 2},
        lambda x: x.T @ x,
        ("ni,nj->ij",),
        (
            "Compare rows·rows·columns with rows·columns·columns for 100000 rows and 8 columns.",
            "The cheaper first product sums over the rows and keeps two column axes.",
        ),
        note="Matrix products are associative, but their costs are not: the grouping that keeps the intermediate "
        "small wins. np.einsum_path with optimize='optimal' makes this choice for you.",
        arguments=(0, 0),
    ),
    P(
        67,
        "cost",
        "A trace without the product",
        "np.trace(a @ b) for a of shape (4, 3) and b of shape (3, 4) forms the whole 4 x 4 product, about "
        "4·3·4 multiplications, to keep only its diagonal. Write one einsum that gives the same number with "
        "about 4·3 multiplications.",
        "a:ij b:ji",
        {"i": 4, "j": 3},
        lambda a, b: np.trace(a @ b),
        ("ij,ji->",),
        (
            "Only the diagonal elements of the product are needed: out = Σ_i Σ_j a[i, j] · b[j, i].",
            "Drop the Σ signs and read the subscript off the indices.",
        ),
        note="trace(a @ b) is the sum of a * b.T: einsum computes it without the product, which matters when the "
        "product is large.",
    ),
    P(
        68,
        "cost",
        "Quadratic forms, one per row",
        "For every row r of x (shape (5, 3)), compute x[r] @ m @ x[r] for the square matrix m (3 x 3). "
        "np.diag(x @ m @ x.T) gives it, but forms a 5 x 5 matrix (for n rows, n·n·3 products) to keep its "
        "diagonal. Write one einsum that never forms it (the call passes x, m, x).",
        "x:nd m:dd",
        {"n": 5, "d": 3},
        lambda x, m: np.diag(x @ m @ x.T).copy(),
        ("ni,ij,nj->n",),
        (
            "The row letter is in both copies of x and kept: the output has one number per row.",
            "m's rows meet the first copy of x, its columns the second; both are summed.",
        ),
        note="Squared Mahalanobis distances and per-sample losses have this form. Keeping the row letter in both "
        "copies of x computes only the diagonal.",
        arguments=(0, 1, 0),
    ),
    # --- types and views ---------------------------------------------------------------------------------------
    P(
        69,
        "dtype-views",
        "Count two-step walks",
        "a is a 0/1 integer adjacency matrix of 5 nodes: a[u, v] is 1 when there is an edge from u to v. Count, "
        "for every pair of nodes, the walks of exactly two steps from the first to the second (a walk may come "
        "back to where it started), with one einsum (the call passes a twice). On a boolean matrix the same "
        "einsum would only say whether such a walk "
        "exists, since numpy's einsum sums booleans with 'or'; the integers count.",
        "a:nn",
        {"n": 5},
        lambda a: a @ a,
        ("ij,jk->ik",),
        (
            "A two-step walk goes through a middle node: the middle node is summed over.",
            "The first copy's columns and the second copy's rows are the middle node.",
        ),
        note="Powers of an adjacency matrix count walks. Keep such counts in integers: booleans would turn the "
        "sums into 'or' (and int8 would wrap around past 127).",
        arguments=(0, 0),
        make_inputs=_graph_inputs,
    ),
    # --- what einsum cannot do ----------------------------------------------------------------------------------
    P(
        70,
        "limits",
        "Merge the heads",
        "Attention outputs o of shape (2, 4, 5, 3) (batch, head, position, width) must become (2, 5, 12): per "
        "position, the heads' vectors side by side. einsum cannot merge axes, but it can put them in the order a "
        "reshape to (2, 5, 12) needs. Give that einsum: shape (2, 5, 4, 3).",
        "o:bhlk",
        {"b": 2, "h": 4, "l": 5, "k": 3},
        lambda o: np.transpose(o, (0, 2, 1, 3)).copy(),
        ("bhlk->blhk",),
        (
            "A reshape merges neighbouring axes: the head and width axes must end up next to each other, last.",
            "Nothing is summed: only the output order changes.",
        ),
        note="einsum and reshape split the work: einsum names and moves the axes, reshape merges them. "
        "einops' rearrange does both in one call.",
    ),
)


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
        "Compute np.multiply.outer(a, b) for the vector a and the matrix b: every element of a times every "
        "element of b, with a's axis first.",
        "a:i b:jk",
        {"i": 3, "j": 2, "k": 4},
        lambda a, b: np.multiply.outer(a, b),
        ("i,jk->ijk", "i,jk"),
        (
            "Nothing is shared: three different letters, one per axis.",
            "a's axis comes first in the output, then b's two.",
        ),
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
        (
            "Match each output size with the input axis that has it.",
            "Write each size of a under its letter, then read the letters off in the order of the output sizes.",
        ),
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
        ("nij,njk->nik", "...ij,...jk->...ik"),
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
        "Compute a @ b for b of shape (5, 6) and an a with any number of leading axes: the example has shape "
        "(3, 4, 5), and other draws have one axis more or one fewer, so only '...' covers them all.",
        "a:ijk b:kl",
        {"i": 3, "j": 4, "k": 5, "l": 6},
        lambda a, b: a @ b,
        ("...j,jk->...k",),
        ("Only the last axis of a meets b.", "Keep '...' in the output, followed by b's last letter."),
        vary_rank=(0,),
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
        "a is a block matrix of 3 x 3 blocks, each of size 2 x 4, stored with shape (3, 2, 3, 4): block (r, c) "
        "is a[r, :, c, :]. Return the blocks on the diagonal, (0, 0), (1, 1) and (2, 2), stacked: shape (3, 2, 4).",
        "a:ipiq",
        {"i": 3, "p": 2, "q": 4},
        _diag_blocks,
        ("ipiq->ipq",),
        (
            "The diagonal blocks are those where the block row equals the block column.",
            "Tie axes 0 and 2 with one letter; the two axes inside a block get letters of their own.",
        ),
        note="A repeated letter can tie axes that are not next to each other: here block row and block column.",
    ),
    P(
        35,
        "axis-sums",
        "Energy per channel",
        "x holds 2 recordings of 3 channels over 5 time steps: shape (2, 3, 5). Compute the energy of each "
        "channel, the sum of the squared values over recordings and time: np.sum(x * x, axis=(0, 2)).",
        "x:bct",
        {"b": 2, "c": 3, "t": 5},
        lambda x: np.sum(x * x, axis=(0, 2)),
        ("bct,bct->c",),
        (
            "The call passes x twice: both copies get the same letters, so they are multiplied element by element.",
            "Two of the three letters are summed away.",
        ),
        note="Squaring is multiplying an array by itself: pass it twice with the same letters. Summing over two "
        "axes at once is leaving both letters out.",
        arguments=(0, 0),
    ),
    P(
        36,
        "diagonal",
        "Weighted trace",
        "Add up the diagonal of the square matrix a, each diagonal element weighted by the matching element of "
        "the vector w: np.diag(a) @ w.",
        "a:ii w:i",
        {"i": 4},
        lambda a, w: np.diag(a) @ w,
        ("ii,i->",),
        (
            "A repeated letter in a's term reads its diagonal.",
            "w shares that letter, so the diagonal is multiplied by w along it.",
            "Nothing is kept.",
        ),
        note="A diagonal combines with a product in one call: the repeated letter is tied inside a, and shared "
        "with w at the same time.",
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
        "For each row of a and the same row of b, form their outer product (np.outer(a[r], b[r]) for every "
        "row r), stacked along a first axis.",
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
        "Compute the Gram matrix of the rows of x: element (r, s) is the dot product of row r with row s.",
        "x:nf",
        {"n": 4, "f": 3},
        lambda x: x @ x.T,
        ("if,jf->ij", "nf,mf->nm"),
        (
            "The call already passes x twice: write one term for each copy.",
            "Both terms share the feature letter, and each has its own row letter.",
        ),
        note="The same array is passed twice. The rows of each copy need different letters, the features the same one.",
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
        note="One call takes any number of operands. With numpy's default optimize=False it runs one loop over "
        "every letter at once (far more work than two products on large matrices); optimize=True contracts two at a "
        "time in the cheapest order it finds. The cost lesson shows how to read that.",
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
            "The call passes P twice: one term for A, one for each copy of P.",
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
        "m is a stack of matrices and v a stack of vectors with the same leading axes (the example: 4 matrices "
        "of shape (3, 2) and 4 vectors of length 2; other draws have one leading axis more or none). Compute "
        "the matrix-vector product for every pair, (m @ v[..., None])[..., 0].",
        "m:bij v:bj",
        {"b": 4, "i": 3, "j": 2},
        lambda m, v: (m @ v[..., None])[..., 0],
        ("...ij,...j->...i",),
        ("Let '...' cover the batch axes in both operands.", "Only the matrix's column letter is shared and summed."),
        note="With '...' the same subscript works for one matrix or a stack of any depth.",
        vary_rank=(0, 1),
    ),
    P(
        45,
        "implicit",
        "Arrowless transposed product",
        "Compute (a @ b).T with a subscript that has no arrow.",
        "a:ij b:jk",
        {"i": 2, "j": 5, "k": 3},
        lambda a, b: (a @ b).T.copy(),
        ("ij,jh", "mn,nk"),
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
        ("ji", "ts"),
        ("The implicit output is sorted.", "Which order of two letters makes the sorted output swap them?"),
        note="An arrowless subscript can transpose: its output letters are sorted, whatever order you wrote.",
        implicit_only=True,
    ),
    P(
        47,
        "multi-head",
        "Grouped-query attention scores",
        "Queries q have shape (2, 3, 4, 5, 7): for 2 sequences, 3 groups of 4 heads, 5 query positions of "
        "width 7. Keys k have shape (2, 3, 6, 7): one key head per group, 6 key positions. Score every query "
        "against every key of its group (dot products over the width): shape (2, 3, 4, 5, 6).",
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
        "One new query per sequence and head, q of shape (2, 3, 4) (sequence, head, width), is scored against a "
        "cache of 5 past keys, kc of shape (2, 5, 3, 4) (sequence, time, head, width). Compute the dot products "
        "laid out as (sequence, head, time): shape (2, 3, 5).",
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
        "x holds, for 2 sequences and 5 positions each, a window of 3 neighbouring inputs with 4 channels: shape "
        "(2, 5, 3, 4). The kernel (3, 4, 6) maps a window to 6 output channels. Compute the convolution: for every "
        "sequence and position, the window times the kernel, summed over window offset and channel: shape (2, 5, 6).",
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
        "x has shape (3, 2, 4): for 3 examples, 2 heads with a vector of 4 each. w has shape (2, 4, 5): each head "
        "has its own 4 x 5 weight matrix. For every example and head, multiply that head's vector by that head's "
        "matrix: shape (3, 2, 5).",
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
        "Linear attention summary",
        "Linear attention replaces the softmax with a feature map and sums keys times values once per head: for "
        "keys k of shape (2, 3, 5, 4) and values v of shape (2, 3, 5, 6) (batch, head, position, width), compute "
        "for every batch and head the sum over positions of the outer product of key and value, "
        "np.swapaxes(k, -1, -2) @ v: shape (2, 3, 4, 6).",
        "k:bhnd v:bhne",
        {"b": 2, "h": 3, "n": 5, "d": 4, "e": 6},
        lambda k, v: np.swapaxes(k, -1, -2) @ v,
        ("bhnd,bhne->bhde",),
        (
            "Batch and head are shared and kept; the position is shared and summed.",
            "The key width and the value width each have a letter of their own, key's first in the output.",
        ),
        note="Linear attention (Katharopoulos et al.) computes this d x e summary once, then multiplies each query "
        "by it: the n x n score matrix of ordinary attention is never formed.",
    ),
    P(
        52,
        "beyond",
        "Relative-position scores",
        "Each query attends with an extra term that depends on the pair of positions: q has shape (2, 4, 5) "
        "(batch, query position, width) and r has shape (4, 6, 5): a width-5 vector for every pair of query "
        "position and key position. Compute, for every batch, query and key, the dot product of the query "
        "with r[query, key]: shape (2, 4, 6).",
        "q:bqd r:qkd",
        {"b": 2, "q": 4, "d": 5, "k": 6},
        lambda q, r: np.sum(q[:, :, None, :] * r[None], axis=-1),
        ("bid,ijd->bij",),
        (
            "The query position is in both operands and kept: r has one vector per query position.",
            "The width is shared and summed; the key position comes from r only.",
        ),
        note="Relative-position attention (Shaw et al., Transformer-XL) adds such scores to the usual ones; "
        "the query position is shared by both operands without being summed.",
    ),
    *MORE_PUZZLES,
)

CODE_PUZZLES: tuple[Puzzle, ...] = (
    Puzzle(
        id=31,
        section="attention-head",
        title="One attention head",
        prompt=(
            "Write head(x, w_q, w_k, w_v, mask) that computes one causal attention head with einsum: project x "
            "into queries, keys and values, score queries against keys divided by the square root of the key size "
            "(w_k.shape[1]), add the mask, "
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
            "per-head projections with w_q, w_k, w_v (d, h, k), scores per head divided by the square root of the "
            "key size (w_k.shape[2]) plus the mask, "
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
