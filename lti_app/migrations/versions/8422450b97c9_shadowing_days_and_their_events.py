"""shadowing: days and their events

Revision ID: 8422450b97c9
Revises: 26ee1f657d0a
Create Date: 2026-11-24 23:42:09.497668

"""
from alembic import op
import sqlalchemy as sa
import lti_app.timeutil  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '8422450b97c9'
down_revision = '26ee1f657d0a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('shadow_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('context_id', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('host_library_id', sa.String(length=100), nullable=True),
    sa.Column('host_library_name', sa.String(length=200), nullable=False),
    sa.Column('host_key', sa.String(length=220), nullable=False),
    sa.Column('department', sa.String(length=200), nullable=True),
    sa.Column('host_contact_name', sa.String(length=200), nullable=True),
    sa.Column('host_contact_email', sa.String(length=320), nullable=True),
    sa.Column('learning_goals', sa.Text(), nullable=True),
    sa.Column('activities', sa.Text(), nullable=True),
    sa.Column('reflection', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decided_by', sa.String(length=20), nullable=True),
    sa.Column('decided_by_name', sa.String(length=200), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmation_id', sa.String(length=64), nullable=True),
    sa.Column('confirmation_code_hash', sa.String(length=64), nullable=True),
    sa.Column('confirmation_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['context_id'], ['contexts.id'], name=op.f('fk_shadow_days_context_id_contexts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_shadow_days_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shadow_days')),
    sa.UniqueConstraint('confirmation_code_hash', name=op.f('uq_shadow_days_confirmation_code_hash')),
    sa.UniqueConstraint('confirmation_id', name=op.f('uq_shadow_days_confirmation_id')),
    sa.UniqueConstraint('person_id', 'day', 'host_key', name=op.f('uq_shadow_days_person_id_day_host_key'))
    )
    with op.batch_alter_table('shadow_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shadow_days_context_id'), ['context_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shadow_days_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shadow_days_status'), ['status'], unique=False)

    op.create_table('shadow_day_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shadow_day_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('actor_kind', sa.String(length=20), nullable=False),
    sa.Column('actor_person_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_person_id'], ['persons.id'], name=op.f('fk_shadow_day_events_actor_person_id_persons'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shadow_day_id'], ['shadow_days.id'], name=op.f('fk_shadow_day_events_shadow_day_id_shadow_days'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shadow_day_events'))
    )
    with op.batch_alter_table('shadow_day_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shadow_day_events_shadow_day_id'), ['shadow_day_id'], unique=False)


def downgrade():
    with op.batch_alter_table('shadow_day_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shadow_day_events_shadow_day_id'))

    op.drop_table('shadow_day_events')
    with op.batch_alter_table('shadow_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shadow_days_status'))
        batch_op.drop_index(batch_op.f('ix_shadow_days_person_id'))
        batch_op.drop_index(batch_op.f('ix_shadow_days_context_id'))

    op.drop_table('shadow_days')
