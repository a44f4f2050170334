"""platforms: drop learned frame origins that are not plainly origins

Before the strict parse (lti_app/origins.py) a launch's return_url such as
``https://evil.example *`` was stored verbatim and became part of every
page's ``frame-ancestors``. The tool now ignores such values when it reads
them; this removes them. Data only; the downgrade has nothing to restore.

Revision ID: 5d1f0e7b2c19
Revises: 3b7e1c0a9d42
Create Date: 2026-12-01 09:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

from lti_app.origins import strict_origins


# revision identifiers, used by Alembic.
revision = '5d1f0e7b2c19'
down_revision = '3b7e1c0a9d42'
branch_labels = None
depends_on = None


def upgrade():
    platforms = sa.table('platforms', sa.column('id', sa.Integer),
                         sa.column('frame_origins', sa.Text))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(platforms.c.id, platforms.c.frame_origins)
        .where(platforms.c.frame_origins.is_not(None))
    ).all()
    for platform_id, learned in rows:
        kept = ' '.join(sorted(strict_origins(learned.split()))) or None
        if kept != learned:
            connection.execute(
                platforms.update().where(platforms.c.id == platform_id)
                .values(frame_origins=kept)
            )


def downgrade():
    pass
