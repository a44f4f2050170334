"""certificates, their PDFs, background jobs

Revision ID: a05433637dee
Revises: 8422450b97c9
Create Date: 2026-11-24 23:52:20.427117

"""
from alembic import op
import sqlalchemy as sa
import lti_app.timeutil  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'a05433637dee'
down_revision = '8422450b97c9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('context_id', sa.Integer(), nullable=True),
    sa.Column('course_slug', sa.String(length=100), nullable=False),
    sa.Column('course_version', sa.String(length=40), nullable=False),
    sa.Column('verification_code', sa.String(length=64), nullable=False),
    sa.Column('learner_name', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('completed_on', sa.String(length=10), nullable=False),
    sa.Column('trainer_name', sa.String(length=200), nullable=True),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_person_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.Text(), nullable=True),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['context_id'], ['contexts.id'], name=op.f('fk_certificates_context_id_contexts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['issued_by_person_id'], ['persons.id'], name=op.f('fk_certificates_issued_by_person_id_persons'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_certificates_person_id_persons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['certificates.id'], name=op.f('fk_certificates_superseded_by_id_certificates'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('verification_code', name=op.f('uq_certificates_verification_code'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_context_id'), ['context_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_person_id'), ['person_id'], unique=False)
        batch_op.create_index('uq_certificates_current', ['person_id', 'course_slug'], unique=True, sqlite_where=sa.text('revoked_at IS NULL AND superseded_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL AND superseded_at IS NULL'))

    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('context_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('result', sa.LargeBinary(), nullable=True),
    sa.Column('result_name', sa.String(length=200), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['context_id'], ['contexts.id'], name=op.f('fk_jobs_context_id_contexts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_context_id'), ['context_id'], unique=False)

    op.create_table('certificate_pdfs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_pdfs_certificate_id_certificates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_pdfs')),
    sa.UniqueConstraint('certificate_id', 'language', name=op.f('uq_certificate_pdfs_certificate_id_language'))
    )
    with op.batch_alter_table('certificate_pdfs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_pdfs_certificate_id'), ['certificate_id'], unique=False)


def downgrade():
    with op.batch_alter_table('certificate_pdfs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_pdfs_certificate_id'))

    op.drop_table('certificate_pdfs')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_context_id'))

    op.drop_table('jobs')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('uq_certificates_current', sqlite_where=sa.text('revoked_at IS NULL AND superseded_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL AND superseded_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_certificates_person_id'))
        batch_op.drop_index(batch_op.f('ix_certificates_context_id'))

    op.drop_table('certificates')
