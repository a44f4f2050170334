"""learning: module progress, quiz attempts, grade outbox

Revision ID: 6470c33a200a
Revises: 9ce1fa1b36ba
Create Date: 2026-11-24 23:29:03.818742

"""
from alembic import op
import sqlalchemy as sa
import lti_app.timeutil  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '6470c33a200a'
down_revision = '9ce1fa1b36ba'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('grade_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_link_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('score_given', sa.Double(), nullable=False),
    sa.Column('score_maximum', sa.Double(), nullable=False),
    sa.Column('activity_progress', sa.String(length=20), nullable=False),
    sa.Column('grading_progress', sa.String(length=20), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_score', sa.Double(), nullable=True),
    sa.Column('delivered_activity', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_grade_deliveries_enrollment_id_enrollments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resource_link_id'], ['resource_links.id'], name=op.f('fk_grade_deliveries_resource_link_id_resource_links'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grade_deliveries')),
    sa.UniqueConstraint('resource_link_id', 'enrollment_id', name=op.f('uq_grade_deliveries_resource_link_id_enrollment_id'))
    )
    with op.batch_alter_table('grade_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grade_deliveries_enrollment_id'), ['enrollment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grade_deliveries_resource_link_id'), ['resource_link_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grade_deliveries_status'), ['status'], unique=False)

    op.create_table('module_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('course_slug', sa.String(length=100), nullable=False),
    sa.Column('module_slug', sa.String(length=100), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('best_percent', sa.Integer(), nullable=True),
    sa.Column('passed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('passed_version', sa.String(length=40), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_module_progress_enrollment_id_enrollments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_module_progress')),
    sa.UniqueConstraint('enrollment_id', 'course_slug', 'module_slug', name=op.f('uq_module_progress_enrollment_id_course_slug_module_slug'))
    )
    with op.batch_alter_table('module_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_module_progress_enrollment_id'), ['enrollment_id'], unique=False)

    op.create_table('quiz_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('course_slug', sa.String(length=100), nullable=False),
    sa.Column('module_slug', sa.String(length=100), nullable=False),
    sa.Column('content_version', sa.String(length=40), nullable=False),
    sa.Column('submission_id', sa.String(length=64), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('correct', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('is_passed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_quiz_attempts_enrollment_id_enrollments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_attempts')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_quiz_attempts_submission_id'))
    )
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_attempts_enrollment_id'), ['enrollment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_attempts_enrollment_id'))

    op.drop_table('quiz_attempts')
    with op.batch_alter_table('module_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_module_progress_enrollment_id'))

    op.drop_table('module_progress')
    with op.batch_alter_table('grade_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grade_deliveries_status'))
        batch_op.drop_index(batch_op.f('ix_grade_deliveries_resource_link_id'))
        batch_op.drop_index(batch_op.f('ix_grade_deliveries_enrollment_id'))

    op.drop_table('grade_deliveries')
