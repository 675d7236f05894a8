"""progress: covering indexes for scale accounting

`ix_financial_progress` lets the progress figure scan (progress/reading.py) read only the index,
in enterprise order, instead of visiting every table row. `ix_membership_progress` was added for
the counted-membership read, which turned out not to need it (a table scan is as fast); it serves
the enterprise search's chain filter (web/data/enterprises.py: EXISTS on enterprise, status and
chain — on SQLite 0.4 s with it, > 20 s without, 200 k enterprises) and lookups by enterprise id.

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
