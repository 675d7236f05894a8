"""progress: covering indexes for scale accounting

The progress service pivots each enterprise's yearly figures and looks up its counted chain
memberships in one pass (progress/accounting.py). These indexes let both scans read only the
index, in enterprise order, instead of visiting every table row.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_financial_progress",
        "enterprise_financial",
        ["enterprise_id", "year", "revenue_wan", "output_value_wan"],
    )
    op.create_index(
        "ix_membership_progress",
        "chain_membership",
        ["enterprise_id", "status", "chain_id", "node_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_membership_progress", table_name="chain_membership")
    op.drop_index("ix_financial_progress", table_name="enterprise_financial")
