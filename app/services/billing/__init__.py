"""Billing (domain rules 3, 5, 6): pricing by quotient familial, the monthly billing run,
gap-free numbering, credit notes and the invoice PDF.

Entry points:
- `bill_month(month, issued_on=None)` (run.py): invoice a month, all or nothing;
- `start_run` / `execute_run` and the Celery task `portal.billing_run` (tasks.py): the
  manager's run with progress; `flask portal billing run --month 2026-09` (cli.py);
- the run's invoice mails: one `invoice_mails` job recorded in the run's transaction,
  run after its commit (mail_jobs.py; the mails themselves: notify.py);
- `CreateCreditNote(invoice_id, amount, reason).run()` (credit_notes.py);
- `invoice_pdf(invoice)` / `credit_note_pdf(note) -> bytes` render (pdf.py); the downloads
  serve `issued_invoice_pdf` / `issued_credit_note_pdf`: rendered once at issue by
  `portal.pdf_chunk` tasks (pdf_tasks.py), stored with their SHA-256
  (app.services.issued_pdfs), sent with `app.views.downloads.pdf_response`;
- what an invoice still owes: `app.services.money.InvoiceBalance`.
"""
