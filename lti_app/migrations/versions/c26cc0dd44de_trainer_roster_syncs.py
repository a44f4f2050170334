"""trainer: roster syncs

Revision ID: c26cc0dd44de
Revises: a05433637dee
Create Date: 2026-11-24 23:54:12.941727

"""
from alembic import op
import sqlalchemy as sa
import lti_app.timeutil  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'c26cc0dd44de'
down_revision = 'a05433637dee'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('roster_syncs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('context_id', sa.Integer(), nullable=False),
    sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('member_count', sa.Integer(), nullable=False),
    sa.Column('is_complete', sa.Boolean(), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['context_id'], ['contexts.id'], name=op.f('fk_roster_syncs_context_id_contexts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_syncs')),
    sa.UniqueConstraint('context_id', name=op.f('uq_roster_syncs_context_id'))
    )


def downgrade():
    op.drop_table('roster_syncs')
