"""closed vocabularies are checked; certificate dates are dates, snapshots JSON

CHECK constraints on the status, role, action and progress columns (the
models' StrEnums, lti_app.dbtypes.checked_enum), certificates.completed_on
from an ISO string to a DATE ('' becomes NULL), certificates.snapshot from
JSON text to JSON, and the indexes of the grade queue and of confirmed days.

Revision ID: 9055d967dc7d
Revises: dc6daba424d0
Create Date: 2026-11-26 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import lti_app.timeutil  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '9055d967dc7d'
down_revision = 'dc6daba424d0'
branch_labels = None
depends_on = None

ACTIVITY = ('Initialized', 'Started', 'InProgress', 'Submitted', 'Completed')
GRADING = ('FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady')
# table -> (column, its values); each constraint is named ck_<table>_<column>.
CHECKS = {
    'enrollments': [('role', ('learner', 'trainer', 'admin'))],
    'shadow_days': [
        ('status', ('planned', 'submitted', 'confirmed', 'declined')),
        ('decided_by', ('learner', 'host', 'trainer')),
    ],
    'shadow_day_events': [
        ('action', ('created', 'updated', 'submitted', 'new_link', 'confirmed',
                    'declined', 'reopened')),
        ('actor_kind', ('learner', 'host', 'trainer')),
    ],
    'grade_deliveries': [
        ('status', ('pending', 'delivered')),
        ('activity_progress', ACTIVITY),
        ('grading_progress', GRADING),
        ('delivered_activity', ACTIVITY),
    ],
    'jobs': [('status', ('queued', 'running', 'done', 'failed'))],
}


def _condition(column, values):
    # As SQLAlchemy's Enum writes it; a NULL passes a CHECK, as for nullable columns.
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, values in checks:
                batch_op.create_check_constraint(
                    op.f(f'ck_{table}_{column}'), _condition(column, values))
            if table == 'grade_deliveries':
                batch_op.create_index(
                    'ix_grade_deliveries_status_next_attempt_at',
                    ['status', 'next_attempt_at'], unique=False)
            if table == 'shadow_days':
                batch_op.create_index(
                    'ix_shadow_days_person_id_status', ['person_id', 'status'], unique=False)

    # completed_on by way of a new column: on SQLite a batch type change would
    # copy CAST(completed_on AS DATE), which is a number there.
    is_postgresql = op.get_bind().dialect.name == 'postgresql'
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completed_on_date', sa.Date(), nullable=True))
        batch_op.alter_column('snapshot', existing_type=sa.Text(), type_=sa.JSON(),
                              existing_nullable=False, postgresql_using='snapshot::json')
    # SQLite keeps a DATE as its ISO text, which completed_on already is.
    value = ("CAST(NULLIF(completed_on, '') AS DATE)" if is_postgresql
             else "NULLIF(completed_on, '')")
    op.execute(f"UPDATE certificates SET completed_on_date = {value}")
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('completed_on')
        batch_op.alter_column('completed_on_date', new_column_name='completed_on',
                              existing_type=sa.Date(), existing_nullable=True)


def downgrade():
    is_postgresql = op.get_bind().dialect.name == 'postgresql'
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completed_on_text', sa.String(length=10), nullable=True))
        batch_op.alter_column('snapshot', existing_type=sa.JSON(), type_=sa.Text(),
                              existing_nullable=False, postgresql_using='snapshot::text')
    value = ("COALESCE(to_char(completed_on, 'YYYY-MM-DD'), '')" if is_postgresql
             else "COALESCE(completed_on, '')")
    op.execute(f"UPDATE certificates SET completed_on_text = {value}")
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('completed_on')
        batch_op.alter_column('completed_on_text', new_column_name='completed_on',
                              existing_type=sa.String(length=10), nullable=False)

    for table, checks in reversed(list(CHECKS.items())):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == 'shadow_days':
                batch_op.drop_index('ix_shadow_days_person_id_status')
            if table == 'grade_deliveries':
                batch_op.drop_index('ix_grade_deliveries_status_next_attempt_at')
            for column, _values in reversed(checks):
                batch_op.drop_constraint(op.f(f'ck_{table}_{column}'), type_='check')
