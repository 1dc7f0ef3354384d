"""Invitations carry their channel and an updated_at, so they sync to the workspace's
``invitations`` table incrementally (response rate by survey and channel).

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-02 00:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_invitations_updated_at_id", ["updated_at", "id"], unique=False)
    # existing invitations: the latest thing that happened to them; emailed ones say so
    op.execute(
        "UPDATE invitations SET updated_at = COALESCE(responded_at, sent_at, created_at), "
        "channel = CASE WHEN sent_at IS NOT NULL AND email IS NOT NULL THEN 'email' "
        "ELSE 'link' END"
    )


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_invitations_updated_at_id")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("channel")
