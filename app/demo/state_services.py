"""The State's services in the demo: Yann Le Gall's account is linked to FranceConnect (with
`make run PORTAL_STANDINS=1` he logs in with the button), and the Martin family consented
to API Particulier, whose QF was read once (staff see it in Familles › Quotient familial
CAF / MSA). Claire Martin's birth date is the stand-in's, so she can link FranceConnect."""

from __future__ import annotations

import datetime as dt

from ..devservers.cli import DEMO_CLIENT_ID
from ..devservers.franceconnect import pairwise_sub
from ..extensions import db
from ..models import FranceConnectLink, QfConsent, QfFetch, QfFetchOutcome, QuotientFamilial
from ..models.base import utcnow
from ..services.api_particulier.commands import consent_purpose, validity
from .days import Period
from .families import Built


def _guardian(item: Built, first_name: str):
    return next((g for g in item.family.guardians if g.first_name == first_name), None)


def state_services(built: list[Built], period: Period) -> None:
    featured = {item.spec.index: item for item in built if item.spec.index in (1, 2)}
    if (martin := featured.get(1)) and (claire := _guardian(martin, "Claire")):
        claire.birth_date = dt.date(1986, 4, 12)
        _consent_and_reading(martin, claire, period)
    if (legall := featured.get(2)) and (yann := _guardian(legall, "Yann")):
        yann.birth_date = dt.date(1982, 11, 3)
        db.session.add(FranceConnectLink(
            guardian=yann, sub=pairwise_sub(DEMO_CLIENT_ID, "yann.legall"), given_name="Yann",
            family_name="LE GALL", birthdate=yann.birth_date, gender="male",
            birthplace="29019", birthcountry="99100", linked_at=utcnow()))
    db.session.flush()


def _consent_and_reading(item: Built, claire, period: Period) -> None:
    moment = dt.datetime.combine(period.today - dt.timedelta(days=20), dt.time(18, 5))
    consent = QfConsent(
        family_id=item.family.id, guardian_id=claire.id, given_by_id=claire.user_id,
        given_at=moment, purpose=consent_purpose(), birth_name="MARTIN",
        first_names="Claire Anne", birth_date=claire.birth_date, sex="F",
        birth_place_cog="35288", birth_country_cog="99100")
    db.session.add(consent)
    db.session.flush()
    start, end = validity(item.family.id, period.today)
    quotient = QuotientFamilial(
        family_id=item.family.id, value=620, valid_from=start, valid_to=end,
        source="API Particulier – CAF, QF de 08/2026", provider="CAF",
        reference_month=dt.date(2026, 8, 1), fetched_at=moment + dt.timedelta(minutes=1))
    db.session.add(quotient)
    db.session.add(QfFetch(
        family_id=item.family.id, consent_id=consent.id, requested_by_id=claire.user_id,
        requested_at=moment + dt.timedelta(minutes=1), origin="parent",
        outcome=QfFetchOutcome.found, quotient=quotient))
