"""certificate name requests: a printed name other than the LMS's waits for the trainer

A learner who asks for a certificate with another name than the one the LMS
sent gets it only when the course's trainer approves that name; the request
(pending, approved or refused with a reason) is kept here, one per person and
course. Existing certificates are untouched.

Revision ID: 87ed0813fa6a
Revises: 5d1f0e7b2c19
Create Date: 2026-12-01 09:36:44.130161

"""
from alembic import op
import sqlalchemy as sa
import lti_app.timeutil  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '87ed0813fa6a'
down_revision = '5d1f0e7b2c19'
branch_labels = None
depends_on = None

STATUSES = ('pending', 'approved', 'refused')


def upgrade():
    op.create_table('certificate_name_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('context_id', sa.Integer(), nullable=True),
    sa.Column('course_slug', sa.String(length=100), nullable=False),
    sa.Column('requested_name', sa.String(length=200), nullable=False),
    sa.Column('lms_name', sa.String(length=300), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('refusal_reason', sa.Text(), nullable=True),
    sa.Column('requested_at', lti_app.timeutil.UtcDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', lti_app.timeutil.UtcDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_person_id', sa.Integer(), nullable=True),
    sa.Column('certificate_id', sa.Integer(), nullable=True),
    sa.CheckConstraint(f"status IN ({', '.join(repr(v) for v in STATUSES)})",
                       name=op.f('ck_certificate_name_requests_status')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_name_requests_certificate_id_certificates'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['context_id'], ['contexts.id'], name=op.f('fk_certificate_name_requests_context_id_contexts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_person_id'], ['persons.id'], name=op.f('fk_certificate_name_requests_decided_by_person_id_persons'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_certificate_name_requests_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_name_requests')),
    sa.UniqueConstraint('person_id', 'course_slug', name=op.f('uq_certificate_name_requests_person_id_course_slug'))
    )
    op.create_index(op.f('ix_certificate_name_requests_context_id'),
                    'certificate_name_requests', ['context_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_certificate_name_requests_context_id'),
                  table_name='certificate_name_requests')
    op.drop_table('certificate_name_requests')
