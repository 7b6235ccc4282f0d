"""billing run

Revision ID: 5f64298511bc
Revises: 3d275f36dfb0
Create Date: 2026-11-26 12:28:35.154623

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5f64298511bc'
down_revision = '3d275f36dfb0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('billing_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('families_total', sa.Integer(), nullable=False),
    sa.Column('families_done', sa.Integer(), nullable=False),
    sa.Column('invoices_created', sa.Integer(), nullable=False),
    sa.Column('amount_total', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('first_number', sa.String(length=20), nullable=True),
    sa.Column('last_number', sa.String(length=20), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['started_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('billing_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_run_month'), ['month'], unique=False)


def downgrade():
    with op.batch_alter_table('billing_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_run_month'))

    op.drop_table('billing_run')
