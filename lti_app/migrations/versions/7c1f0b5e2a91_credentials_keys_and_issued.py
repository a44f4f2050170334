"""credentials: signing keys and each certificate's Open Badges 3.0 credential

Revision ID: 7c1f0b5e2a91
Revises: 640513d854d5
Create Date: 2026-12-01 12:30:00

"""
from alembic import op
import sqlalchemy as sa
import lti_app.timeutil


# revision identifiers, used by Alembic.
revision = '7c1f0b5e2a91'
down_revision = '640513d854d5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'credential_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kid', sa.String(length=100), nullable=False),
        sa.Column('private_key_pem', sa.Text(), nullable=False),
        sa.Column('public_jwk', sa.Text(), nullable=False),
        sa.Column('created_at', lti_app.timeutil.UtcDateTime(timezone=True), nullable=False),
        sa.Column('retired_at', lti_app.timeutil.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_credential_keys')),
        sa.UniqueConstraint('kid', name=op.f('uq_credential_keys_kid')),
    )
    op.create_table(
        'issued_credentials',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('certificate_id', sa.Integer(), nullable=False),
        sa.Column('credential_uri', sa.String(length=500), nullable=False),
        sa.Column('subject_uri', sa.String(length=100), nullable=False),
        sa.Column('issuer_key', sa.String(length=40), nullable=False),
        sa.Column('issuer_name', sa.String(length=300), nullable=False),
        sa.Column('status_list', sa.Integer(), nullable=False),
        sa.Column('status_index', sa.Integer(), nullable=False),
        sa.Column('include_email', sa.Boolean(), nullable=False),
        sa.Column('kid', sa.String(length=100), nullable=False),
        sa.Column('jwt', sa.Text(), nullable=False),
        sa.Column('created_at', lti_app.timeutil.UtcDateTime(timezone=True), nullable=False),
        sa.Column('signed_at', lti_app.timeutil.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'],
                                name=op.f('fk_issued_credentials_certificate_id_certificates'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_credentials')),
        sa.UniqueConstraint('certificate_id', name=op.f('uq_issued_credentials_certificate_id')),
        sa.UniqueConstraint('credential_uri', name=op.f('uq_issued_credentials_credential_uri')),
        sa.UniqueConstraint('issuer_key', 'status_list', 'status_index',
                            name=op.f('uq_issued_credentials_issuer_key_status_list_status_index')),
    )
    with op.batch_alter_table('issued_credentials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_credentials_issuer_key'), ['issuer_key'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('issued_credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_credentials_issuer_key'))
    op.drop_table('issued_credentials')
    op.drop_table('credential_keys')
