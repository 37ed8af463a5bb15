"""Expiring counters under keyed hashes (filings per day, anonymous re-sends, wrong query codes);
complaints.filing_key, so that the same draft is filed once.

Revision ID: 0002_security
Revises: 0001
Create Date: 2026-11-29

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0002_security'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'expiring_counters',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_expiring_counters')),
    )
    op.create_index('ix_expiring_counters_expires_at', 'expiring_counters', ['expires_at'], unique=False)
    op.add_column('complaints', sa.Column('filing_key', sa.String(length=64), nullable=True))
    op.create_index('ix_complaints_filing_key', 'complaints', ['filing_key'], unique=True)


def downgrade() -> None:
    op.drop_index('ix_complaints_filing_key', table_name='complaints')
    with op.batch_alter_table('complaints') as batch:
        batch.drop_column('filing_key')
    op.drop_index('ix_expiring_counters_expires_at', table_name='expiring_counters')
    op.drop_table('expiring_counters')
