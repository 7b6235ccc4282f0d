"""structure information page (Accueil of the parents)

Revision ID: b4e1c2d3f5a6
Revises: a9b87c006e23
Create Date: 2026-12-06 22:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b4e1c2d3f5a6'
down_revision = 'a9b87c006e23'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'structure_info',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('hours', sa.Text(), nullable=True),
        sa.Column('addresses', sa.Text(), nullable=True),
        sa.Column('contacts', sa.Text(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade():
    op.drop_table('structure_info')
