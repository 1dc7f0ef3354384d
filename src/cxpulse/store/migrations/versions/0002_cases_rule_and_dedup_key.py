"""cases: the closed-loop rule that opened a case and a unique key that makes opening idempotent.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:44:06.598600
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rule", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("dedup_key", sa.String(length=300), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_cases_dedup_key"), ["dedup_key"])


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_cases_dedup_key"), type_="unique")
        batch_op.drop_column("dedup_key")
        batch_op.drop_column("rule")
