"""An index for the statistics' grouped count of cases (/stats, the dashboard): status,
category and region, with region_path for a supervisor's scope, so that the count reads the
index alone, in group order, instead of every row of complaints.

Revision ID: 0004_statistics_index
Revises: 0003_web
Create Date: 2026-11-30

"""
from typing import Sequence, Union

from alembic import op


revision: str = '0004_statistics_index'
down_revision: Union[str, Sequence[str], None] = '0003_web'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index(
        'ix_complaints_status_category_region',
        'complaints',
        ['status', 'category', 'region', 'region_path'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_complaints_status_category_region', table_name='complaints')
