"""platforms: learned frame origins

Revision ID: dc6daba424d0
Revises: c26cc0dd44de
Create Date: 2026-11-24 23:58:08.153721

"""
from alembic import op
import sqlalchemy as sa
import lti_app.timeutil  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'dc6daba424d0'
down_revision = 'c26cc0dd44de'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('platforms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('frame_origins', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('platforms', schema=None) as batch_op:
        batch_op.drop_column('frame_origins')

