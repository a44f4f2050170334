"""certificate signing keys: the tool's own self-signed PDF signing certificate

Revision ID: a7c3e9f1b2d4
Revises: 7c1f0b5e2a91
Create Date: 2026-12-01 12:10:00.000000

"""
from alembic import op
import sqlalchemy as sa
import lti_app.timeutil  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'a7c3e9f1b2d4'
down_revision = '7c1f0b5e2a91'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate_signing_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('private_key_pem', sa.Text(), nullable=False),
    sa.Column('certificate_pem', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_signing_keys')),
    sa.UniqueConstraint('purpose', name=op.f('uq_certificate_signing_keys_purpose'))
    )


def downgrade():
    op.drop_table('certificate_signing_keys')
