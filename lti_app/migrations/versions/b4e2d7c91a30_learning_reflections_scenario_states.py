"""learning: private reflection answers and branching-scenario states

Revision ID: b4e2d7c91a30
Revises: 87ed0813fa6a
Create Date: 2026-12-01 10:05:00.000000

"""
from alembic import op
import sqlalchemy as sa
import lti_app.timeutil  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'b4e2d7c91a30'
down_revision = '87ed0813fa6a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reflection_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('course_slug', sa.String(length=100), nullable=False),
    sa.Column('module_slug', sa.String(length=100), nullable=False),
    sa.Column('prompt_id', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_reflection_answers_enrollment_id_enrollments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reflection_answers')),
    sa.UniqueConstraint('enrollment_id', 'course_slug', 'module_slug', 'prompt_id', name=op.f('uq_reflection_answers_enrollment_id_course_slug_module_slug_prompt_id'))
    )
    with op.batch_alter_table('reflection_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reflection_answers_enrollment_id'), ['enrollment_id'], unique=False)

    op.create_table('scenario_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('course_slug', sa.String(length=100), nullable=False),
    sa.Column('module_slug', sa.String(length=100), nullable=False),
    sa.Column('node_id', sa.String(length=100), nullable=False),
    sa.Column('path', sa.JSON(), nullable=False),
    sa.Column('content_version', sa.String(length=40), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_scenario_states_enrollment_id_enrollments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenario_states')),
    sa.UniqueConstraint('enrollment_id', 'course_slug', 'module_slug', name=op.f('uq_scenario_states_enrollment_id_course_slug_module_slug'))
    )
    with op.batch_alter_table('scenario_states', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scenario_states_enrollment_id'), ['enrollment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('scenario_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scenario_states_enrollment_id'))
    op.drop_table('scenario_states')
    with op.batch_alter_table('reflection_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reflection_answers_enrollment_id'))
    op.drop_table('reflection_answers')
