"""A small town with a term of varied bookings, attendance, late cancellations, invoices
and payments, for the statistics tests (fixed clock of tests/staff: 26/11/2026)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from app.extensions import db
from app.models import (
    Booking,
    CreditNote,
    Invoice,
    InvoiceLine,
    Payment,
    Request,
    RequestKind,
)
from tests import factories as f

STATES = ("booked", "booked", "booked", "modification", "cancellation", "pending", "waiting",
          "refused", "cancelled")
ATTENDANCE = (None, "present", "present", "present", "absent_unexcused", "absent_excused")
METHODS = ("cheque", "card", "cash", "transfer")


def stats_town(seed: int = 7) -> dict:
    rng = random.Random(seed)
    north, south = f.school("École Nord"), f.school("École Sud")
    canteen = f.service("cantine", capacity=3, schools=[north, south])
    care = f.service("garderie", kind="care_evening", capacity=2, schools=[north])
    fams = [f.family(f"S{i}", north if i % 3 else south) for i in range(6)]
    day = dt.date(2026, 9, 1)
    while day <= dt.date(2026, 11, 30):
        if day.weekday() < 5 and day.weekday() != 2:
            for fam in fams:
                kid = fam.children[0]
                for svc in (canteen, care):
                    if svc is care and kid.school_id != north.id or rng.random() < 0.3:
                        continue
                    booking = Booking(family=fam, child=kid, service=svc,
                                      school_id=kid.school_id, day=day,
                                      state=rng.choice(STATES),
                                      attendance=rng.choice(ATTENDANCE) if day < dt.date(
                                          2026, 11, 26) else None)
                    db.session.add(booking)
                    if rng.random() < 0.08:
                        db.session.add(Request(
                            family=fam, kind=RequestKind.cancellation, booking=booking,
                            summary="Annulation tardive",
                            state=rng.choice(("pending", "validated", "refused"))))
        day += dt.timedelta(days=1)
    for month in (9, 10):
        for fam in fams:
            amount = Decimal(rng.randint(1000, 9000)) / 100
            inv = Invoice(number=f"FAC-2026-{month}{fam.id:04d}", family=fam,
                          period_start=dt.date(2026, month, 1),
                          issued_on=dt.date(2026, month + 1, 1),
                          due_on=dt.date(2026, month + 1, 28), total=amount)
            inv.lines.append(InvoiceLine(label="Repas", quantity=1, unit_price=amount,
                                         amount=amount))
            db.session.add(inv)
            if rng.random() < 0.7:
                db.session.add(Payment(family=fam, invoice=inv, amount=amount / 2,
                                       method=rng.choice(METHODS),
                                       received_on=dt.date(2026, month + 1, rng.randint(2, 20))))
            if rng.random() < 0.2:
                db.session.add(CreditNote(number=f"AV-2026-{month}{fam.id:04d}", invoice=inv,
                                          family=fam, issued_on=dt.date(2026, month + 1, 3),
                                          amount=Decimal("1.50"), reason="Erreur"))
    db.session.commit()
    f.user("gestionnaire1", "Gestionnaire")
    f.user("agent1", "Agent")
    return {"north": north.id, "south": south.id, "canteen": canteen.id, "care": care.id}
