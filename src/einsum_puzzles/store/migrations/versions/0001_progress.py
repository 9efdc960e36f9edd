"""Progress: attempts, solved puzzles, hints, revealed solutions, where each learner was.

Files written before Alembic (schema 1 or 2 in ``meta``) already hold some of these tables: only the
missing ones are created, so they upgrade in place.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def _set_meta(version: str) -> None:
    op.execute(sa.text("DELETE FROM meta WHERE key IN ('app', 'schema_version')"))
    op.execute(
        sa.text("INSERT INTO meta (key, value) VALUES ('app', 'einsum-puzzles'), ('schema_version', :v)").bindparams(
            v=version
        )
    )


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "meta" not in existing:
        op.create_table(
            "meta", sa.Column("key", sa.Text, primary_key=True), sa.Column("value", sa.Text, nullable=False)
        )
    if "attempts" not in existing:
        op.create_table(
            "attempts",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("learner", sa.Text, nullable=False),
            sa.Column("puzzle", sa.Integer, nullable=False),
            sa.Column("answer", sa.Text, nullable=False),
            sa.Column("kind", sa.Text, nullable=False),
            sa.Column("correct", sa.Integer, nullable=False),
            sa.Column("at", sa.Float, nullable=False),
            sqlite_autoincrement=True,
        )
        op.create_index("attempts_by_learner", "attempts", ["learner", "puzzle"])
    for name, value in (("solved", "at"), ("hints", "shown"), ("revealed", "at")):
        if name not in existing:
            op.create_table(
                name,
                sa.Column("learner", sa.Text, primary_key=True),
                sa.Column("puzzle", sa.Integer, primary_key=True),
                sa.Column(value, sa.Integer if value == "shown" else sa.Float, nullable=False),
            )
    if "position" not in existing:
        op.create_table(
            "position",
            sa.Column("learner", sa.Text, primary_key=True),
            sa.Column("puzzle", sa.Integer, nullable=False),
            sa.Column("at", sa.Float, nullable=False),
        )
    _set_meta("2")


def downgrade() -> None:
    for name in ("position", "revealed", "hints", "solved", "attempts", "meta"):
        op.drop_table(name)
