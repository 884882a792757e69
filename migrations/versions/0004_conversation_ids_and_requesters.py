"""conversation ids carry their channel; session-bound identity links; requesters in the audit trail

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES_WITH_SENDERS = (
    "identity_links",
    "audit_records",
    "escalations",
    "organisation_requests",
    "answer_feedback",
)


def upgrade() -> None:
    with op.batch_alter_table("identity_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requester", sa.String(length=128), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_records_requester"), ["requester"], unique=False)
    # A link made on REST or the widget was a bearer credential that never expired: it goes. Codes last
    # ten minutes: they go too. Everything else is renamed to the conversation id with its channel.
    op.execute("DELETE FROM identity_links WHERE channel NOT IN ('whatsapp', 'telegram')")
    op.execute("DELETE FROM email_codes")
    for table in TABLES_WITH_SENDERS:
        op.execute(
            f"UPDATE {table} SET sender_id = channel || ':' || sender_id "
            "WHERE channel IN ('rest', 'widget', 'telegram', 'whatsapp') "
            "AND sender_id NOT LIKE channel || ':%'"
        )


def downgrade() -> None:
    for table in TABLES_WITH_SENDERS:
        op.execute(
            f"UPDATE {table} SET sender_id = substr(sender_id, length(channel) + 2) "
            "WHERE sender_id LIKE channel || ':%'"
        )
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_records_requester"))
        batch_op.drop_column("requester")
    with op.batch_alter_table("identity_links", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
        batch_op.drop_column("session_key")
