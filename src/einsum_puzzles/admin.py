"""The class server's commands: ``teacher add|list`` and ``db upgrade|check`` (registered in ``cli.py``)."""

from __future__ import annotations

import argparse
import getpass
import sys

from .store import StoreError, describe, open_database, store_url

EXIT_OK, EXIT_BEHIND, EXIT_USAGE = 0, 1, 2


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise StoreError("no password on standard input (give it as one line)")
        return line.rstrip("\r\n")
    first = getpass.getpass("Password (at least 10 characters): ")
    if getpass.getpass("The same password again: ") != first:
        raise StoreError("the two passwords differ; nothing was changed")
    return first


def cmd_teacher(args: argparse.Namespace) -> int:
    from .store import classes

    with open_database() as db:
        if args.action == "list":
            rows = classes.teachers(db)
            for email, count in rows:
                print(f"{email}  ({count} class{'es' if count != 1 else ''})")
            if not rows:
                print(f"No teacher yet in {db.location}. Add one: einsum-puzzles teacher add EMAIL")
            return EXIT_OK
        if not args.email:
            raise StoreError("give the teacher's email address: einsum-puzzles teacher add EMAIL")
        email = classes.normal_email(args.email)
        new = classes.add_teacher(db, email, _password(args), replace=args.replace)
        where = db.location
    print(f"{'Added' if new else 'Changed the password of'} teacher {email} in {where}.")
    print("They sign in at /teacher on the web app (einsum-puzzles serve).")
    return EXIT_OK


def cmd_db(args: argparse.Namespace) -> int:
    from .store.migrate import current, upgrade

    url = store_url()
    if args.action == "upgrade":
        with open_database(url):  # checks it is ours (never touches a foreign or damaged store)
            pass
        upgrade(url)
        revision, head = current(url)
        print(f"{describe(url)}: schema revision {revision} (the newest).")
        return EXIT_OK
    if url.startswith("sqlite:///"):
        from pathlib import Path

        if not Path(describe(url)).exists():
            print(f"No progress file yet at {describe(url)}; it is made on first use (or by 'db upgrade').")
            return EXIT_BEHIND
    revision, head = current(url)
    if revision == head:
        print(f"{describe(url)}: reachable, schema revision {revision} (the newest).")
        return EXIT_OK
    print(
        f"{describe(url)}: reachable, schema revision {revision or 'none'}; run 'einsum-puzzles db upgrade' ({head})."
    )
    return EXIT_BEHIND


def prepare_store() -> None:
    """Open the store once (migrating it when behind; a message when it cannot be used), then let go of it:
    the server's workers open their own connections."""
    from .store.database import forget_engines

    open_database().close()
    forget_engines()


def register(add: object) -> None:
    """Add ``teacher`` and ``db`` with ``cli.build_parser``'s ``add``."""
    teacher = add("teacher", cmd_teacher, "teacher accounts for the class pages of the web app", json_flag=False)  # type: ignore[operator]
    teacher.add_argument("action", choices=["add", "list"], help="add a teacher (or a new password), or list them")
    teacher.add_argument("email", nargs="?", metavar="EMAIL")
    teacher.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    teacher.add_argument("--replace", action="store_true", help="give an existing teacher a new password")
    db = add("db", cmd_db, "the store (DATABASE_URL or the progress file): migrate or check it", json_flag=False)  # type: ignore[operator]
    db.add_argument(
        "action", choices=["upgrade", "check"], help="upgrade: run the migrations; check: connect and report"
    )
