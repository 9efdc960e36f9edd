"""What the cost lesson says about numpy's einsum, measured on this machine (ratios, never asserted).

1. ``ij,jk->ik`` with the default ``optimize=False`` against ``a @ b`` (BLAS), 600x600.
2. A chain ``ij,jk,kl->il`` of 150x150 matrices, ``optimize=False`` against ``optimize=True``.

    python bench/einsum_cost.py
"""

from __future__ import annotations

import sys

import numpy as np

from timing import median_time


def main() -> int:
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((600, 600)), rng.standard_normal((600, 600))
    loop = median_time(lambda: np.einsum("ij,jk->ik", a, b), repeats=5)
    blas = median_time(lambda: a @ b, repeats=5)
    print(f"ij,jk->ik 600x600: einsum {loop:.4f} s, a @ b {blas:.4f} s, ratio {loop / blas:.1f}")
    x, y, z = (rng.standard_normal((150, 150)) for _ in range(3))
    naive = median_time(lambda: np.einsum("ij,jk,kl->il", x, y, z), repeats=3)
    paired = median_time(lambda: np.einsum("ij,jk,kl->il", x, y, z, optimize=True), repeats=3)
    print(
        f"ij,jk,kl->il 150x150: optimize=False {naive:.4f} s, optimize=True {paired:.4f} s, ratio {naive / paired:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
