"""A small course for CLI tests: two sections, three puzzles (one code puzzle), ids 901-903."""

from __future__ import annotations

import numpy as np

from einsum_puzzles.curriculum.model import Puzzle, Section

LESSON_A = "# Fixture basics\n\nA tiny lesson.\n\n```einsum\ni->i 3\n```\n"
LESSON_B = "# Fixture code\n\nWrite a function.\n"

TRANSPOSE = Puzzle(
    id=901,
    section="fx-basics",
    title="Fixture transpose",
    prompt="Transpose a.",
    operands=(("a", "ij"),),
    sizes={"i": 2, "j": 3},
    expected_fn=lambda a: a.T.copy(),
    solutions=("ij->ji",),
    hints=("Swap the letters.", "The output order is the axis order."),
)
TOTAL = Puzzle(
    id=902,
    section="fx-basics",
    title="Fixture sum",
    prompt="Sum every element of a.",
    operands=(("a", "ij"),),
    sizes={"i": 2, "j": 3},
    expected_fn=lambda a: np.sum(a),
    solutions=("ij->",),
    hints=("Leave every letter out.", "Nothing after the arrow."),
)
DOUBLE = Puzzle(
    id=903,
    section="fx-code",
    title="Fixture code",
    prompt="Write double(a) with einsum.",
    operands=(("a", "i"),),
    sizes={"i": 4},
    expected_fn=lambda a: 2 * a,
    solutions=("import numpy as np\n\ndef double(a):\n    return 2 * np.einsum('i->i', a)\n",),
    hints=("Multiply by two.", "einsum('i->i', a) is a."),
    kind="code",
    function_name="double",
    starter="import numpy as np\n\ndef double(a):\n    return ...\n",
    integer_values=False,
)

COURSE = (
    Section("fx-basics", "Fixture basics", LESSON_A, (TRANSPOSE, TOTAL)),
    Section("fx-code", "Fixture code", LESSON_B, (DOUBLE,)),
)
