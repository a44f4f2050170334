"""shadow_days: ALACT reflection steps and focus questions

Revision ID: 640513d854d5
Revises: e3a1c5b7d9f2
Create Date: 2026-12-01 10:29:24.148855

"""
from alembic import op
import sqlalchemy as sa
import lti_app.timeutil  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '640513d854d5'
down_revision = 'e3a1c5b7d9f2'
branch_labels = None
depends_on = None


COLUMNS = ('alact_action', 'alact_looking_back', 'alact_awareness', 'alact_alternatives',
           'alact_trial', 'focus_questions')


def upgrade():
    # Columns added in place (no table copy on SQLite).
    with op.batch_alter_table('shadow_days', schema=None, recreate='never') as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('shadow_days', schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
