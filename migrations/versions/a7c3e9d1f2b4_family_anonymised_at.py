"""family.anonymised_at (GDPR anonymisation)

Revision ID: a7c3e9d1f2b4
Revises: 47cbe5f5d1f2
Create Date: 2026-12-01 21:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e9d1f2b4'
down_revision = '47cbe5f5d1f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('family', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('family', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
