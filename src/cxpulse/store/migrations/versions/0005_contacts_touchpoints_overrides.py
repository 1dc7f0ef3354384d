"""Contacts (who a case reply goes to), touchpoints logged in the app, manual health overrides
(their own audit trail), case titles as catalogue keys, and survey fatigue per survey.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 19:34:23.699838
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("contact_id", sa.String(length=200), nullable=False),
        sa.Column("account_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index("ix_contacts_account_id", ["account_id"], unique=False)

    op.create_table(
        "band_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=200), nullable=False),
        sa.Column("band", sa.String(length=10), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=320), nullable=True),
        sa.CheckConstraint(
            "band IN ('red', 'yellow', 'green')", name=op.f("ck_band_overrides_band")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_band_overrides")),
    )
    with op.batch_alter_table("band_overrides", schema=None) as batch_op:
        batch_op.create_index(
            "ix_band_overrides_account_id_created_at", ["account_id", "created_at"], unique=False
        )

    op.create_table(
        "logged_touchpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=200), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('call', 'meeting', 'email', 'qbr', 'visit', 'chat', 'training')",
            name=op.f("ck_logged_touchpoints_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_logged_touchpoints_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logged_touchpoints")),
    )
    with op.batch_alter_table("logged_touchpoints", schema=None) as batch_op:
        batch_op.create_index(
            "ix_logged_touchpoints_account_id_occurred_at",
            ["account_id", "occurred_at"],
            unique=False,
        )

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title_key", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("title_values", sa.JSON(), nullable=True))

    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fatigue_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_column("fatigue_days")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("title_values")
        batch_op.drop_column("title_key")

    with op.batch_alter_table("logged_touchpoints", schema=None) as batch_op:
        batch_op.drop_index("ix_logged_touchpoints_account_id_occurred_at")

    op.drop_table("logged_touchpoints")
    with op.batch_alter_table("band_overrides", schema=None) as batch_op:
        batch_op.drop_index("ix_band_overrides_account_id_created_at")

    op.drop_table("band_overrides")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_account_id")

    op.drop_table("contacts")
