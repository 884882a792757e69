"""helpdesk staff, their sign-ins and their actions

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 01:34:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("first_name", sa.String(length=40), nullable=False),
        sa.Column(
            "role",
            sa.Enum("agent", "supervisor", name="staffrole", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "staff_sign_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("network", sa.String(length=32), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staff_sign_ins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_sign_ins_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_sign_ins_network"), ["network"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_sign_ins_username"), ["username"], unique=False)

    op.create_table(
        "staff_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("conversation", sa.String(length=128), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staff_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_actions_conversation"), ["conversation"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_actions_staff_id"), ["staff_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("staff_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_actions_staff_id"))
        batch_op.drop_index(batch_op.f("ix_staff_actions_conversation"))

    op.drop_table("staff_actions")
    with op.batch_alter_table("staff_sign_ins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_sign_ins_username"))
        batch_op.drop_index(batch_op.f("ix_staff_sign_ins_network"))
        batch_op.drop_index(batch_op.f("ix_staff_sign_ins_at"))

    op.drop_table("staff_sign_ins")
    op.drop_table("staff")
