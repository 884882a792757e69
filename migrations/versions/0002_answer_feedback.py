"""answer feedback

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("chunk_id", sa.String(length=200), nullable=False),
        sa.Column("question", sa.String(length=1000), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_answer_feedback_sender_id", "answer_feedback", ["sender_id"])
    op.create_index("ix_answer_feedback_chunk_id", "answer_feedback", ["chunk_id"])


def downgrade() -> None:
    op.drop_index("ix_answer_feedback_chunk_id", table_name="answer_feedback")
    op.drop_index("ix_answer_feedback_sender_id", table_name="answer_feedback")
    op.drop_table("answer_feedback")
