"""certificates: an index of the ended ones (status list) and of the PDFs' hashes (upload check)

Revision ID: b9d4e2f7a1c3
Revises: a7c3e9f1b2d4
Create Date: 2026-12-01 13:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b9d4e2f7a1c3'
down_revision = 'a7c3e9f1b2d4'
branch_labels = None
depends_on = None

_ENDED = "revoked_at IS NOT NULL OR superseded_at IS NOT NULL"


def upgrade():
    op.create_index('ix_certificates_ended', 'certificates', ['id'], unique=False,
                    sqlite_where=sa.text(_ENDED), postgresql_where=sa.text(_ENDED))
    op.create_index(op.f('ix_certificate_pdfs_sha256'), 'certificate_pdfs', ['sha256'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_certificate_pdfs_sha256'), table_name='certificate_pdfs')
    op.drop_index('ix_certificates_ended', table_name='certificates',
                  sqlite_where=sa.text(_ENDED), postgresql_where=sa.text(_ENDED))
