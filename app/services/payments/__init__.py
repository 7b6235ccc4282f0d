"""Payments: what families owe (balance), online payment (eopayment: PayFiP or the local
sandbox), payments recorded by staff (offline), SEPA direct debit (sepa), reminders, and the
yearly attestation fiscale (tax_certificate). Batch work runs as Celery tasks (tasks)."""
