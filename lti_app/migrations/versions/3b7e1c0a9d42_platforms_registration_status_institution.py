"""platforms: registration status (pending/approved/refused) and institution

A dynamic registration now waits for the operator's approval; the
registrations that exist already were accepted before this check existed, so
they become approved. ``institution`` names who vouches for the certificates
issued through a registration; ``suggested_institution`` keeps the name the
platform's configuration offered, for the operator to see at approval.

On SQLite the columns are added with ALTER TABLE, never by copying the
table: the copy drops the old ``platforms`` table, and with foreign keys on
that deletes every person, enrollment and certificate (ON DELETE CASCADE).

Revision ID: 3b7e1c0a9d42
Revises: f99284054186
Create Date: 2026-12-01 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7e1c0a9d42'
down_revision = 'f99284054186'
branch_labels = None
depends_on = None

STATUSES = ('pending', 'approved', 'refused')
CHECK = f"status IN ({', '.join(repr(v) for v in STATUSES)})"
NEW_COLUMNS = ('suggested_institution', 'institution', 'status')


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # A column's own CHECK can come with ADD COLUMN; a table constraint cannot.
        op.execute("ALTER TABLE platforms ADD COLUMN status VARCHAR(20) DEFAULT 'pending'"
                   f" NOT NULL CONSTRAINT ck_platforms_status CHECK ({CHECK})")
    else:
        op.add_column('platforms', sa.Column('status', sa.String(length=20), nullable=False,
                                             server_default='pending'))
        op.create_check_constraint(op.f('ck_platforms_status'), 'platforms', CHECK)
    op.add_column('platforms', sa.Column('institution', sa.String(length=200), nullable=True))
    op.add_column('platforms', sa.Column('suggested_institution', sa.String(length=200),
                                         nullable=True))
    # The registrations that exist were accepted before approval existed.
    op.execute("UPDATE platforms SET status = 'approved'")


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite (3.35+) drops a column in place; see the module's docstring.
        for column in NEW_COLUMNS:
            op.execute(f"ALTER TABLE platforms DROP COLUMN {column}")
        return
    op.drop_constraint(op.f('ck_platforms_status'), 'platforms', type_='check')
    for column in NEW_COLUMNS:
        op.drop_column('platforms', column)
