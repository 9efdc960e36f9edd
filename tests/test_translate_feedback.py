"""What /translate shows a newcomer: one array passed twice is drawn with one set of values, the explainer
link keeps the operand names, unfinished code reads as "not finished yet", imports are explained, and an
operand shape the einsum does not use is noted."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from einsum_puzzles.argnames import named_operands, shared_examples
from einsum_puzzles.find import TranslateError, translate


@pytest.fixture
def client(tmp_path: Any) -> Any:
    from fastapi.testclient import TestClient

    from einsum_puzzles.web import create_app

    with TestClient(create_app(tmp_path / "web.sqlite3")) as test_client:
        yield test_client


def grid_values(svg: str, operand: int) -> list[str]:
    """The numbers drawn in an operand's cells (``data-operand``), in order."""
    cells = re.findall(rf'data-operand="{operand}" data-index="\d+">.*?<text[^>]*>([^<]*)</text>', svg)
    return cells


def output_values(svg: str) -> list[str]:
    return re.findall(r'class="ep-cell ep-o ep-o\d+"[^>]*>.*?<text[^>]*>([^<]*)</text>', svg)


# --- one array passed twice ---------------------------------------------------------------------------


def test_a_square_draws_one_array_twice(client: Any) -> None:
    data = client.get("/api/translate/preview", params={"code": "x * x", "operands": "x=4"}).json()
    assert data["valid"] and data["call"] == 'np.einsum("i,i->i", x, x)'
    assert "x_2 is the second argument: the same array x, passed again." in data["names_note"]
    first, second = grid_values(data["svg"], 0), grid_values(data["svg"], 1)
    assert len(first) == 4 and first == second
    assert output_values(data["svg"]) == [str(int(v) ** 2) for v in first]  # out is x squared


def test_an_array_passed_three_times_next_to_another_shares_its_values() -> None:
    result = translate("a * b * a", a=(2, 3), b=(2, 3))
    arrays = result.explanation.arrays
    assert arrays is not None and result.operands == ("a", "b", "a")
    assert np.array_equal(arrays[0], arrays[2]) and not np.array_equal(arrays[0], arrays[1])
    assert result.explanation.names == ("a", "b", "a_2")


def test_distinct_operands_keep_the_explainers_own_examples() -> None:
    assert shared_examples(["a", "b"], [(2,), (2,)]) is None
    assert translate("a * b", a=(2,), b=(2,)).explanation.arrays is None
    assert shared_examples(["a", "a"], [(200, 100), (200, 100)]) is None  # too large to draw values


def test_explainer_link_keeps_the_names_and_the_shared_values(client: Any) -> None:
    data = client.get("/api/translate/preview", params={"code": "x * x", "operands": "x=4"}).json()
    assert data["explain_url"] == "/explain?s=i%2Ci-%3Ei&shapes=4%2C4&names=x%2Cx"
    page = client.get(data["explain_url"]).text
    assert "x_2 is the second argument: the same array x, passed again." in page
    assert 'value="x,x"' in page
    svg = page[page.index("<svg") :]
    assert grid_values(svg, 0) == grid_values(svg, 1) == grid_values(data["svg"], 0)
    other = client.get("/api/translate/preview", params={"code": "w @ v", "operands": "w=2x3 v=3"}).json()
    assert other["explain_url"].endswith("&names=w%2Cv")
    assert "w[" in client.get(other["explain_url"]).text


def test_explainer_link_leaves_out_names_the_explainer_reserves(client: Any) -> None:
    data = client.get("/api/translate/preview", params={"code": "out * b", "operands": "out=2 b=2"}).json()
    assert data["valid"] and "names=" not in data["explain_url"]
    assert client.get(data["explain_url"]).status_code == 200


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ("x", "1 name for 2 operands: give one name per operand"),
        ("x,1y", "operand name '1y' is not a Python identifier"),
        ("x,out", "operand name 'out' is taken by the generated code"),
    ],
)
def test_explainer_page_refuses_names_that_do_not_fit(client: Any, names: str, message: str) -> None:
    page = client.get("/explain", params={"s": "i,i->i", "shapes": "4,4", "names": names})
    assert page.status_code == 200
    assert message in page.text.replace("&#39;", "'")


def test_named_operands_refuses_one_array_with_two_shapes() -> None:
    with pytest.raises(ValueError, match=r"x is passed twice with different shapes \(\(4,\) and \(3,\)\)"):
        named_operands(["x", "x"], [(4,), (3,)])


# --- code still being typed, imports, unused shapes ----------------------------------------------------


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("np.sum(a", "Not finished yet: “np.sum(a” — its ( at column 7 is still open."),
        ("a[0", "Not finished yet: “a[0” — its [ at column 2 is still open."),
        ("a +", "Not finished yet: “a +” — Python expects more after its last character."),
        ("np.einsum('ij", "Not finished yet: “np.einsum('ij” — its string at column 11 is not closed yet."),
    ],
)
def test_unfinished_code_is_not_finished_yet(client: Any, code: str, message: str) -> None:
    data = client.get("/api/translate/preview", params={"code": code, "operands": "a=2x3"}).json()
    assert data["valid"] is False and data["error"] == "unfinished"
    assert data["message"] == message
    page = client.get("/translate", params={"code": code, "operands": "a=2x3"}).text
    assert 'id="translate-unfinished"' in page and 'id="translate-error"' not in page


@pytest.mark.parametrize("code", ["a)", "1 2", "a b"])
def test_a_real_syntax_error_is_still_an_error(client: Any, code: str) -> None:
    data = client.get("/api/translate/preview", params={"code": code, "operands": "a=2"}).json()
    assert data["error"] == "translate" and "this is not valid Python" in data["message"]


def test_unfinished_is_a_flag_of_the_python_error() -> None:
    with pytest.raises(TranslateError) as unfinished:
        translate("np.sum(a, axis=", a=(2,))
    assert unfinished.value.unfinished and "was never closed" in str(unfinished.value)
    with pytest.raises(TranslateError) as wrong:
        translate("a + b", a=(2,), b=(2,))
    assert not wrong.value.unfinished


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("import os", "import os at column 1: the only import supported is import numpy as np"),
        ("import os\na", "import os at line 1, column 1: the only import supported is import numpy as np"),
        ("from numpy import sum\nsum(a)", "the only import supported is import numpy as np (no other module"),
        ("import numpy as np", "the code must end with an expression (the result), not an import;"),
        ("x = a", "not an assignment; the code can hold assignments (x = ...) and import numpy as np, then"),
        ("for i in a: pass", "the code must end with an expression (the result), not a loop;"),
    ],
)
def test_statements_say_what_is_supported(code: str, message: str) -> None:
    with pytest.raises(TranslateError, match=re.escape(message)):
        translate(code, a=(2,))


def test_import_numpy_then_an_expression_translates() -> None:
    assert translate("import numpy as np\nnp.sum(a)", a=(2,)).call == 'np.einsum("i->", a)'


def test_an_unused_operand_shape_gets_a_note(client: Any) -> None:
    data = client.get("/api/translate/preview", params={"code": "a * a", "operands": "a=4 b=4"}).json()
    assert data["valid"] and data["unused_note"] == "b is given a shape, but the einsum does not use it."
    two = client.get("/api/translate/preview", params={"code": "a * a", "operands": "a=4 b=4 c=2"}).json()
    assert two["unused_note"] == "b and c are given a shape, but the einsum does not use them."
    used = client.get("/api/translate/preview", params={"code": "a * b", "operands": "a=4 b=4"}).json()
    assert used["unused_note"] == ""
    page = client.get("/translate", params={"code": "a * a", "operands": "a=4 b=4"}).text
    assert 'id="translation-unused">b is given a shape, but the einsum does not use it.' in page
    api = client.post("/api/translate", json={"code": "a * a", "operands": {"a": [4], "b": [4]}}).json()
    assert api["unused_note"] == "b is given a shape, but the einsum does not use it."
