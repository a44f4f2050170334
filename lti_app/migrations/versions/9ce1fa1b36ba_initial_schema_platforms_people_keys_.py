"""initial schema: platforms, people, keys, store

Revision ID: 9ce1fa1b36ba
Revises: 
Create Date: 2026-11-24 23:19:49.888198

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9ce1fa1b36ba'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('platforms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('auth_login_url', sa.String(length=500), nullable=False),
    sa.Column('auth_token_url', sa.String(length=500), nullable=False),
    sa.Column('auth_audience', sa.String(length=500), nullable=True),
    sa.Column('jwks_url', sa.String(length=500), nullable=True),
    sa.Column('static_jwks', sa.Text(), nullable=True),
    sa.Column('product_family', sa.String(length=50), nullable=True),
    sa.Column('accepts_new_deployments', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platforms')),
    sa.UniqueConstraint('issuer', 'client_id', name=op.f('uq_platforms_issuer_client_id'))
    )
    op.create_table('stored_values',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_stored_values'))
    )
    with op.batch_alter_table('stored_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_values_expires_at'), ['expires_at'], unique=False)

    op.create_table('tool_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kid', sa.String(length=100), nullable=False),
    sa.Column('private_key_pem', sa.Text(), nullable=False),
    sa.Column('public_jwk', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tool_keys')),
    sa.UniqueConstraint('kid', name=op.f('uq_tool_keys_kid'))
    )
    op.create_table('deployments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_deployments_platform_id_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deployments')),
    sa.UniqueConstraint('platform_id', 'deployment_id', name=op.f('uq_deployments_platform_id_deployment_id'))
    )
    with op.batch_alter_table('deployments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deployments_platform_id'), ['platform_id'], unique=False)

    op.create_table('persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('sub', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=True),
    sa.Column('given_name', sa.String(length=200), nullable=True),
    sa.Column('family_name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('locale', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_persons_platform_id_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persons')),
    sa.UniqueConstraint('platform_id', 'sub', name=op.f('uq_persons_platform_id_sub'))
    )
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_persons_platform_id'), ['platform_id'], unique=False)

    op.create_table('contexts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.Integer(), nullable=False),
    sa.Column('lms_context_id', sa.String(length=255), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=True),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('memberships_url', sa.String(length=1000), nullable=True),
    sa.Column('lineitems_url', sa.String(length=1000), nullable=True),
    sa.Column('ags_scopes', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployments.id'], name=op.f('fk_contexts_deployment_id_deployments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contexts')),
    sa.UniqueConstraint('deployment_id', 'lms_context_id', name=op.f('uq_contexts_deployment_id_lms_context_id'))
    )
    with op.batch_alter_table('contexts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contexts_deployment_id'), ['deployment_id'], unique=False)

    op.create_table('enrollments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('context_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('lti_roles', sa.String(length=2000), nullable=True),
    sa.Column('has_launched', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_launch_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['context_id'], ['contexts.id'], name=op.f('fk_enrollments_context_id_contexts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_enrollments_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrollments')),
    sa.UniqueConstraint('person_id', 'context_id', name=op.f('uq_enrollments_person_id_context_id'))
    )
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrollments_context_id'), ['context_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrollments_person_id'), ['person_id'], unique=False)

    op.create_table('resource_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('context_id', sa.Integer(), nullable=False),
    sa.Column('lms_resource_link_id', sa.String(length=255), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=True),
    sa.Column('course_slug', sa.String(length=100), nullable=True),
    sa.Column('module_slug', sa.String(length=100), nullable=True),
    sa.Column('lineitem_url', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['context_id'], ['contexts.id'], name=op.f('fk_resource_links_context_id_contexts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_links')),
    sa.UniqueConstraint('context_id', 'lms_resource_link_id', name=op.f('uq_resource_links_context_id_lms_resource_link_id'))
    )
    with op.batch_alter_table('resource_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_links_context_id'), ['context_id'], unique=False)


def downgrade():
    with op.batch_alter_table('resource_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_links_context_id'))

    op.drop_table('resource_links')
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrollments_person_id'))
        batch_op.drop_index(batch_op.f('ix_enrollments_context_id'))

    op.drop_table('enrollments')
    with op.batch_alter_table('contexts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contexts_deployment_id'))

    op.drop_table('contexts')
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_persons_platform_id'))

    op.drop_table('persons')
    with op.batch_alter_table('deployments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deployments_platform_id'))

    op.drop_table('deployments')
    op.drop_table('tool_keys')
    with op.batch_alter_table('stored_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_values_expires_at'))

    op.drop_table('stored_values')
    op.drop_table('platforms')
