"""Initial schema: residents, units, complaints, append-only events, roles, key/value.

Revision ID: 0001
Revises: 
Create Date: 2026-11-22

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# The event log is append-only: the database itself refuses UPDATE and DELETE on it.
_APPEND_ONLY = "complaint_events is append-only"


def _forbid_event_changes() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER complaint_events_no_{verb.lower()} BEFORE {verb} ON complaint_events "
                f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION complaint_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{_APPEND_ONLY}' USING ERRCODE = 'restrict_violation'; END $$"
        )
        op.execute(
            "CREATE TRIGGER complaint_events_append_only BEFORE UPDATE OR DELETE ON complaint_events "
            "FOR EACH ROW EXECUTE FUNCTION complaint_events_append_only()"
        )
        op.execute(
            "CREATE TRIGGER complaint_events_no_truncate BEFORE TRUNCATE ON complaint_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION complaint_events_append_only()"
        )


def _allow_event_changes() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS complaint_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS complaint_events_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS complaint_events_no_truncate ON complaint_events")
        op.execute("DROP TRIGGER IF EXISTS complaint_events_append_only ON complaint_events")
        op.execute("DROP FUNCTION IF EXISTS complaint_events_append_only()")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('kv_store',
    sa.Column('namespace', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('value', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('namespace', 'key', name=op.f('pk_kv_store'))
    )
    op.create_table('residents',
    sa.Column('telegram_user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('telegram_user_id', name=op.f('pk_residents'))
    )
    op.create_table('ticket_counters',
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('last_number', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_ticket_counters'))
    )
    op.create_table('units',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('region', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('name', 'region', name='uq_units_name_region')
    )
    op.create_table('complaints',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('ticket', sa.String(length=32), nullable=False),
    sa.Column('query_code_hash', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('region', sa.String(length=100), nullable=False),
    sa.Column('region_path', sa.String(length=500), nullable=False),
    sa.Column('township', sa.String(length=100), nullable=True),
    sa.Column('village', sa.String(length=100), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('attachments', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('resident_id', sa.BigInteger(), nullable=True),
    sa.Column('contact_name', sa.String(length=100), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('status', sa.Enum('submitted', 'accepted', 'in_progress', 'transferred', 'resolved', 'closed', 'rejected', 'duplicate', 'reopened', name='complaint_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('accept_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolve_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('NOT anonymous OR (resident_id IS NULL AND contact_name IS NULL AND contact_phone IS NULL)', name=op.f('ck_complaints_anonymous_has_no_identity')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.telegram_user_id'], name=op.f('fk_complaints_resident_id_residents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
    sa.UniqueConstraint('ticket', name=op.f('uq_complaints_ticket'))
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_region_path'), ['region_path'], unique=False)
        batch_op.create_index('ix_complaints_resident_created', ['resident_id', 'created_at'], unique=False)
        batch_op.create_index('ix_complaints_status_region', ['status', 'region'], unique=False)

    op.create_table('role_grants',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('role', sa.Enum('resident', 'staff', 'supervisor', 'admin', name='role', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('unit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('granted_by', sa.BigInteger(), nullable=True),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_role_grants_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_grants'))
    )
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.create_index('ix_role_grants_user_active', ['user_id', 'revoked_at'], unique=False)

    op.create_table('complaint_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('complaint_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('actor_kind', sa.Enum('resident', 'staff', 'supervisor', 'admin', 'system', name='actor_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('actor_id', sa.BigInteger(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=True),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_events_complaint_id_complaints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_events'))
    )
    with op.batch_alter_table('complaint_events', schema=None) as batch_op:
        batch_op.create_index('ix_complaint_events_complaint_id_id', ['complaint_id', 'id'], unique=False)

    op.create_table('complaint_units',
    sa.Column('complaint_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('unit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_units_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_complaint_units_unit_id_units')),
    sa.PrimaryKeyConstraint('complaint_id', 'unit_id', name=op.f('pk_complaint_units'))
    )
    with op.batch_alter_table('complaint_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_units_unit_id'), ['unit_id'], unique=False)

    _forbid_event_changes()
    if op.get_bind().dialect.name != "sqlite":
        op.execute("CREATE SEQUENCE ticket_number_seq")



def downgrade() -> None:
    """Downgrade schema."""
    _allow_event_changes()
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP SEQUENCE IF EXISTS ticket_number_seq")
    with op.batch_alter_table('complaint_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_units_unit_id'))

    op.drop_table('complaint_units')
    with op.batch_alter_table('complaint_events', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_events_complaint_id_id')

    op.drop_table('complaint_events')
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_index('ix_role_grants_user_active')

    op.drop_table('role_grants')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index('ix_complaints_status_region')
        batch_op.drop_index('ix_complaints_resident_created')
        batch_op.drop_index(batch_op.f('ix_complaints_region_path'))

    op.drop_table('complaints')
    op.drop_table('units')
    op.drop_table('ticket_counters')
    op.drop_table('residents')
    op.drop_table('kv_store')
