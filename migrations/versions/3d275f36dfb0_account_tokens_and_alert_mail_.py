"""account tokens and alert mail preferences

Revision ID: 3d275f36dfb0
Revises: 0841a3311381
Create Date: 2026-11-26 12:27:12.762597

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3d275f36dfb0'
down_revision = '0841a3311381'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=10), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.create_index('ix_account_token_user', ['user_id', 'created_at'], unique=False)

    with op.batch_alter_table('family', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_alerts_off', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('family', schema=None) as batch_op:
        batch_op.drop_column('mail_alerts_off')

    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.drop_index('ix_account_token_user')

    op.drop_table('account_token')
