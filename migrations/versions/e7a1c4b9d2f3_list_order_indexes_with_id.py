"""list order indexes with FAB's id tie-breaker

The staff lists order by (column DESC, id DESC). With an index on the column alone
PostgreSQL reads every row of the first value and sorts them: the 20,000 bookings of a
city's last day, the 12,000 invoices of an issue date, the requests queued at the same
moment, on every page.

Revision ID: e7a1c4b9d2f3
Revises: 586c4ca647e6
Create Date: 2026-12-07 01:50:00

"""
from alembic import op


revision = 'e7a1c4b9d2f3'
down_revision = '586c4ca647e6'
branch_labels = None
depends_on = None

# table, old index, new index, columns
INDEXES = (
    ("booking", "ix_booking_day", "ix_booking_day_id", ["day", "id"]),
    ("invoice", "ix_invoice_issued_on", "ix_invoice_issued_on_id", ["issued_on", "id"]),
    ("credit_note", "ix_credit_note_issued_on", "ix_credit_note_issued_on_id",
     ["issued_on", "id"]),
    ("payment", "ix_payment_received_on", "ix_payment_received_on_id", ["received_on", "id"]),
    ("family_request", "ix_family_request_state_created_at",
     "ix_family_request_state_created_at_id", ["state", "created_at", "id"]),
)


def upgrade():
    for table, old, new, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(new, columns, unique=False)
            batch_op.drop_index(old)


def downgrade():
    for table, old, new, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(old, columns[:-1], unique=False)
            batch_op.drop_index(new)
