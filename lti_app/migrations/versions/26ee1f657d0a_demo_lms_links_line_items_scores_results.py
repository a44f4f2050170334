"""demo lms: links, line items, scores, results

Revision ID: 26ee1f657d0a
Revises: 6470c33a200a
Create Date: 2026-11-24 23:33:31.147053

"""
from alembic import op
import sqlalchemy as sa
import lti_app.timeutil  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '26ee1f657d0a'
down_revision = '6470c33a200a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('demo_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('context_id', sa.String(length=255), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=True),
    sa.Column('custom_json', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demo_links')),
    sa.UniqueConstraint('key', name=op.f('uq_demo_links_key'))
    )
    with op.batch_alter_table('demo_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demo_links_context_id'), ['context_id'], unique=False)

    op.create_table('demo_line_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('context_id', sa.String(length=255), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=500), nullable=False),
    sa.Column('score_maximum', sa.Double(), nullable=False),
    sa.Column('resource_id', sa.String(length=255), nullable=True),
    sa.Column('tag', sa.String(length=255), nullable=True),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['demo_links.id'], name=op.f('fk_demo_line_items_link_id_demo_links'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demo_line_items'))
    )
    with op.batch_alter_table('demo_line_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demo_line_items_context_id'), ['context_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_demo_line_items_link_id'), ['link_id'], unique=False)

    op.create_table('demo_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_item_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=255), nullable=False),
    sa.Column('result_score', sa.Double(), nullable=True),
    sa.Column('result_maximum', sa.Double(), nullable=False),
    sa.Column('activity_progress', sa.String(length=30), nullable=False),
    sa.Column('grading_progress', sa.String(length=30), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('timestamp', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['line_item_id'], ['demo_line_items.id'], name=op.f('fk_demo_results_line_item_id_demo_line_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demo_results')),
    sa.UniqueConstraint('line_item_id', 'user_id', name=op.f('uq_demo_results_line_item_id_user_id'))
    )
    with op.batch_alter_table('demo_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demo_results_line_item_id'), ['line_item_id'], unique=False)

    op.create_table('demo_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_item_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=255), nullable=False),
    sa.Column('score_given', sa.Double(), nullable=True),
    sa.Column('score_maximum', sa.Double(), nullable=True),
    sa.Column('activity_progress', sa.String(length=30), nullable=False),
    sa.Column('grading_progress', sa.String(length=30), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('timestamp', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('is_accepted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['line_item_id'], ['demo_line_items.id'], name=op.f('fk_demo_scores_line_item_id_demo_line_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demo_scores'))
    )
    with op.batch_alter_table('demo_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demo_scores_line_item_id'), ['line_item_id'], unique=False)


def downgrade():
    with op.batch_alter_table('demo_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demo_scores_line_item_id'))

    op.drop_table('demo_scores')
    with op.batch_alter_table('demo_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demo_results_line_item_id'))

    op.drop_table('demo_results')
    with op.batch_alter_table('demo_line_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demo_line_items_link_id'))
        batch_op.drop_index(batch_op.f('ix_demo_line_items_context_id'))

    op.drop_table('demo_line_items')
    with op.batch_alter_table('demo_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demo_links_context_id'))

    op.drop_table('demo_links')
