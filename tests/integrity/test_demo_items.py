"""The demo shows a declared absence waiting for staff, a credit, and an invoice whose family
moved after it was issued."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

from pypdf import PdfReader

from app.extensions import db
from app.models import Guardian, Invoice, Request, RequestKind, RequestState, User
from app.services.billing.pdf import invoice_pdf
from app.services.payments.credits import credit_balance
from tests.test_demo import run_demo


def _family(login: str):
    user = db.session.query(User).filter_by(username=login).one()
    return db.session.query(Guardian).filter_by(user_id=user.id).one().family


def test_the_demo_shows_an_absence_a_credit_and_a_family_that_moved(app):
    run_demo(app, "--today", "2026-12-01")
    with app.app_context(), app.test_request_context():
        martin = _family("claire.martin")
        absence = db.session.query(Request).filter_by(family_id=martin.id,
                                                      kind=RequestKind.absence).one()
        assert absence.state == RequestState.pending and absence.booking is not None
        assert credit_balance(_family("thomas.bernard").id) == Decimal("18.60")
        morel = _family("julie.morel")
        assert morel.city == "Rennes"
        invoice = (db.session.query(Invoice).filter_by(family_id=morel.id)
                   .order_by(Invoice.issued_on.desc()).first())
        reader = PdfReader(io.BytesIO(invoice_pdf(invoice)))
        text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
        old = json.loads(invoice.snapshot)["debtor"]
        assert old["city"] != "Rennes" and old["address"] in text
        assert "Rennes" not in text and "Tilleuls" not in text
