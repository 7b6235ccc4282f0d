"""Batch work of the finances as Celery tasks, in chunks so that a big town's batch spreads
over the workers (in-process, at once, without REDIS_URL).

- `portal.payments.tax_certificates`: render and store a chunk of families' attestations
  fiscales for a year, and tell each family by mail;
- `portal.payments.reminders`: reminder mails for a chunk of unpaid invoices;
- `portal.payments.poll` (every 10 minutes with beat): online payments still waiting for
  their notification are asked to PayFiP.
"""

from __future__ import annotations

from celery import group

from ...celery_app import add_beat, celery

CHUNK = 50


def _chunks(ids: list[int], size: int = CHUNK) -> list[list[int]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


@celery.task(name="portal.payments.tax_certificates", acks_late=True)
def tax_certificates_chunk(year: int, family_ids: list[int], notify: bool = True) -> int:
    """Idempotent: re-running a chunk refreshes the same rows (one per family and year)."""
    from ...extensions import db
    from ...models import Family
    from ...models.base import utcnow
    from ..mail import queue_mail
    from .reminders import family_address
    from .tax_certificate import issue_certificate

    done = 0
    for family_id in family_ids:
        row = issue_certificate(family_id, year)
        if row is None:
            continue
        if notify and row.mailed_at is None:
            family = db.session.get(Family, family_id)
            queue_mail(family_address(family), _subject(year), "tax_certificate",
                       family_id=family_id, kind="tax_certificate", year=year)
            row.mailed_at = utcnow()
        db.session.commit()  # one family at a time: a failure loses nothing done before
        done += 1
    return done


def _subject(year: int):
    from flask_babel import lazy_gettext as _l

    return _l("Votre attestation fiscale %(year)s est disponible", year=year)


@celery.task(name="portal.payments.reminders", acks_late=True)
def reminders_chunk(invoice_ids: list[int], user_id: int | None, portal_url: str) -> int:
    from .reminders import send_reminders

    return send_reminders(invoice_ids, user_id=user_id, portal_url=portal_url)


@celery.task(name="portal.payments.poll")
def poll_payments() -> int:
    """Online payments whose notification did not come: ask the service (PayFiP)."""
    from .notifications import poll_pending

    return poll_pending()


POLL_EVERY = 600.0  # seconds, by `celery -A app.worker beat`
add_beat("portal-payments-poll", "portal.payments.poll", POLL_EVERY)


def launch_tax_certificates(year: int, notify: bool = True) -> int:
    """Dispatch the year's certificates; returns the number of families concerned."""
    from .tax_certificate import eligible_family_ids

    family_ids = eligible_family_ids(year)
    if family_ids:
        group(tax_certificates_chunk.s(year, chunk, notify)
              for chunk in _chunks(family_ids)).apply_async()
    return len(family_ids)


def launch_reminders(invoice_ids: list[int], user_id: int | None, portal_url: str) -> int:
    """Dispatch reminder mails (invoices of one family stay in one chunk: one mail each)."""
    from ...extensions import db
    from ...models import Invoice

    rows = db.session.query(Invoice.id, Invoice.family_id).filter(
        Invoice.id.in_(invoice_ids or [-1])).order_by(Invoice.family_id, Invoice.id).all()
    chunks: list[list[int]] = []
    last_family = None
    for invoice_id, family_id in rows:
        if not chunks or (len(chunks[-1]) >= CHUNK and family_id != last_family):
            chunks.append([])
        chunks[-1].append(invoice_id)
        last_family = family_id
    if chunks:
        group(reminders_chunk.s(chunk, user_id, portal_url) for chunk in chunks).apply_async()
    return len(rows)
