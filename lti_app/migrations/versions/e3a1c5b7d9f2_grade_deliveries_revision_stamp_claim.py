"""grade_deliveries: revision, the last timestamp sent, a claim of its own

Revision ID: e3a1c5b7d9f2
Revises: b4e2d7c91a30
Create Date: 2026-12-08 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import lti_app.timeutil  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'e3a1c5b7d9f2'
down_revision = 'b4e2d7c91a30'
branch_labels = None
depends_on = None


def upgrade():
    # Columns added in place (no table copy on SQLite).
    with op.batch_alter_table('grade_deliveries', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('last_timestamp', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('grade_deliveries', schema=None) as batch_op:
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('last_timestamp')
        batch_op.drop_column('revision')
