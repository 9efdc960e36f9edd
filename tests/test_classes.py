"""Classes on the web app, on SQLite and PostgreSQL: teachers, CSRF, join codes, the teacher's pages,
rate limits, /api/progress."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from einsum_puzzles.store import classes, open_database
from einsum_puzzles.web import create_app
from tests.postgres import Cluster

PASSWORD = "correct horse battery"


@pytest.fixture(params=["sqlite", "postgresql"])
def app_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    else:
        cluster: Cluster = request.getfixturevalue("postgres")
        url = cluster.database()
    monkeypatch.setenv("DATABASE_URL", url)
    with open_database(url) as db:
        classes.add_teacher(db, "ada@school.example", PASSWORD)
        classes.add_teacher(db, "bob@school.example", PASSWORD)
    return url


def browser() -> TestClient:
    return TestClient(create_app(), base_url="http://127.0.0.1:8000")


def csrf(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def sign_in(client: TestClient, email: str = "ada@school.example", password: str = PASSWORD) -> int:
    token = csrf(client, "/teacher")
    response = client.post(
        "/teacher/signin", data={"csrf": token, "email": email, "password": password}, follow_redirects=False
    )
    return response.status_code


def new_class(client: TestClient, name: str) -> tuple[int, str]:
    token = csrf(client, "/teacher")
    response = client.post("/teacher/classes", data={"csrf": token, "name": name}, follow_redirects=False)
    assert response.status_code == 303, response.text
    class_id = int(response.headers["location"].rsplit("/", 1)[1])
    page = client.get(f"/teacher/classes/{class_id}")
    code = re.search(r'id="join-code">([A-Z0-9]+)<', page.text)
    assert code
    return class_id, code.group(1)


def join(client: TestClient, code: str, name: str) -> int:
    token = csrf(client, "/class")
    return client.post(
        "/class/join", data={"csrf": token, "code": code, "name": name}, follow_redirects=False
    ).status_code


def test_a_class_from_sign_in_to_csv(app_url: str) -> None:
    teacher = browser()
    assert teacher.get("/teacher").text.count('type="password"') == 1
    assert sign_in(teacher, password="wrong password!") == 401
    assert sign_in(teacher) == 303
    class_id, code = new_class(teacher, "Physics 101")
    assert len(code) == 8

    learners = {name: browser() for name in ("Ann", "Ben", "Cy")}
    for name, client in learners.items():
        assert join(client, code.lower(), name) == 303  # codes are read case-insensitively
        assert f"as <strong>{name}</strong>" in client.get("/class").text
    ann, ben, cy = learners.values()
    assert ann.post("/api/check", json={"puzzle": 21, "answer": "ij,jk->ki"}).json()["correct"] is False
    assert ann.post("/api/check", json={"puzzle": 21, "answer": "ij,jk->ik"}).json()["correct"] is True
    for _ in range(6):
        ben.post("/api/check", json={"puzzle": 21, "answer": "ij,jk->ki"})
    cy.post("/api/check", json={"puzzle": 25, "answer": "ij->j"})

    own = ann.get("/api/progress").json()
    assert [(a["puzzle"], a["answer"], a["correct"]) for a in own["attempts"]] == [
        (21, "ij,jk->ki", False),
        (21, "ij,jk->ik", True),
    ]
    assert own["solved"] == [21] and own["class"] == {"name": "Physics 101", "display_name": "Ann"}
    assert all(isinstance(a["time"], float) for a in own["attempts"])

    page = teacher.get(f"/teacher/classes/{class_id}").text
    row = re.search(
        r"<td>#21 [^<]*</td>\s*<td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>"
        r"<td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>",
        page,
    )
    assert row and row.groups() == ("1", "2", "1", "8")  # solved, attempted, stuck (Ben: 6 wrong), attempts
    assert "<svg" in page and "1/2 solved, 8 attempts" in page
    assert "<code>ij,jk-&gt;ki</code>" in page  # the common mistake, with its example answer
    timeline = teacher.get(f"/teacher/classes/{class_id}/learners/Ann").text
    assert timeline.count("<tr>") == 3 and "✓ correct" in timeline
    table = list(csv.reader(io.StringIO(teacher.get(f"/teacher/classes/{class_id}/attempts.csv").text)))
    assert table[0] == ["learner", "puzzle", "answer", "kind", "correct", "time_utc"] and len(table) == 1 + 9

    # another teacher sees nothing of it
    other = browser()
    assert sign_in(other, "bob@school.example") == 303
    assert other.get(f"/teacher/classes/{class_id}").status_code == 404
    assert other.get(f"/teacher/classes/{class_id}/attempts.csv").status_code == 404

    # a learner leaves: the teacher no longer sees them; they keep their progress
    token = csrf(cy, "/class")
    assert cy.post("/class/leave", data={"csrf": token}, follow_redirects=False).status_code == 303
    assert cy.get("/api/progress").json()["class"] is None and len(cy.get("/api/progress").json()["attempts"]) == 1
    assert "Cy" not in teacher.get(f"/teacher/classes/{class_id}").text


def test_forms_need_the_csrf_token(app_url: str) -> None:
    teacher = browser()
    csrf(teacher, "/teacher")  # gets the learner cookie
    no_token = teacher.post("/teacher/signin", data={"email": "ada@school.example", "password": PASSWORD})
    assert no_token.status_code == 403 and "ep_teacher" not in no_token.cookies
    assert sign_in(teacher) == 303
    forged = teacher.post("/teacher/classes", data={"csrf": "x" * 40, "name": "Forged"}, follow_redirects=False)
    assert forged.status_code == 403
    # a token made for another browser does not work here
    stranger = browser()
    token = csrf(stranger, "/class")
    stolen = teacher.post("/teacher/classes", data={"csrf": token, "name": "Stolen"}, follow_redirects=False)
    assert stolen.status_code == 403
    assert "Forged" not in teacher.get("/teacher").text and "Stolen" not in teacher.get("/teacher").text
    learner = browser()
    csrf(learner, "/class")
    assert learner.post("/class/join", data={"code": "ABCDEFGH", "name": "x"}).status_code == 403


def test_join_mistakes_are_messages_and_rate_limited(app_url: str) -> None:
    teacher = browser()
    sign_in(teacher)
    _, code = new_class(teacher, "Maths")
    a, b = browser(), browser()
    assert join(a, code, "Zoe") == 303
    assert join(b, code, "Zoe") == 400  # the name is taken in this class
    assert join(b, code, "") == 400
    assert join(b, code, "<script>") == 400
    for _ in range(classes_limit()):
        assert join(b, "WRONGCOD", "Yan") == 404
    assert join(b, "WRONGCOD", "Yan") == 429
    assert join(b, code, "Yan") == 429  # wait before trying again, even with the right code


def classes_limit() -> int:
    from einsum_puzzles.web.classes import JOIN_LIMIT

    return JOIN_LIMIT


def test_sign_in_is_rate_limited_and_sessions_are_signed(app_url: str) -> None:
    from einsum_puzzles.web.classes import SIGNIN_LIMIT

    client = browser()
    for _ in range(SIGNIN_LIMIT):
        assert sign_in(client, password="not the password") == 401
    assert sign_in(client) == 429  # even the right password, until the window passes
    forged = browser()
    forged.cookies.set("ep_teacher", "1.forged.signature")
    assert 'type="password"' in forged.get("/teacher").text


def test_a_new_password_ends_old_sessions(app_url: str) -> None:
    client = browser()
    assert sign_in(client) == 303
    assert "Signed in as ada@school.example" in client.get("/teacher").text
    with open_database(app_url) as db:
        classes.add_teacher(db, "ada@school.example", "a brand new password", replace=True)
    assert 'type="password"' in client.get("/teacher").text


def test_teacher_cli_refuses_bad_input(app_url: str) -> None:
    with open_database(app_url) as db:
        with pytest.raises(classes.StoreError, match="not an email"):
            classes.add_teacher(db, "nobody", PASSWORD)
        with pytest.raises(classes.StoreError, match="at least 10"):
            classes.add_teacher(db, "c@school.example", "short")
        assert classes.add_teacher(db, "ada@school.example", "another long one", replace=True) is False
        assert classes.verify_teacher(db, "ADA@school.example", "another long one") is not None
        assert classes.verify_teacher(db, "ada@school.example", PASSWORD) is None
