"""The family's consent and the reading of its quotient familial through API Particulier.

`FetchQuotient` asks the API first (no database write while waiting), then writes the
attestation and its audit row in ONE transaction: an error leaves no attestation, only the
audit row saying how the request ended. Without an active consent nothing is asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from ...extensions import db
from ...models import (
    BillingRun,
    BillingRunState,
    Guardian,
    Invoice,
    QfConsent,
    QfFetch,
    QfFetchOutcome,
    QuotientFamilial,
)
from ...models.base import utcnow
from ..calendar import local_today, school_year_containing
from ..command import BaseCommand
from ..errors import CommandError, ErrorCollector, transaction
from .client import Allocataire, ApiParticulierClient, ApiParticulierError, ApiSettings


def consent_purpose() -> str:
    """The text the guardian accepts, stored with the consent (always in French)."""
    with force_locale("fr"):
        return _(
            "J'accepte que la commune consulte mon quotient familial auprès de la CAF ou de "
            "la MSA par l'API Particulier, pour calculer le tarif du restaurant scolaire et "
            "de l'accueil périscolaire, maintenant et à chaque rentrée scolaire, jusqu'à ce "
            "que je retire mon accord. Je peux toujours transmettre mon attestation à la "
            "place.")


def active_consent(family_id: int) -> QfConsent | None:
    return db.session.scalars(
        select(QfConsent).where(QfConsent.family_id == family_id,
                                QfConsent.withdrawn_at.is_(None))
        .order_by(QfConsent.given_at.desc(), QfConsent.id.desc())
    ).first()


def _guardian_of(family_id: int, user_id: int) -> Guardian | None:
    return db.session.scalars(select(Guardian).where(
        Guardian.family_id == family_id, Guardian.user_id == user_id)).first()


def _parse_day(text: str) -> dt.date | None:
    text = (text or "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


class RecordQfConsent(BaseCommand):
    """A guardian gives the family's consent (replacing an earlier one)."""

    def __init__(self, family_id: int, user_id: int, form: Mapping[str, str]):
        self.family_id, self.user_id = family_id, user_id
        self.form = {k: (form.get(k) or "").strip() for k in (
            "accept", "birth_name", "first_names", "birth_date", "sex", "birth_place_cog",
            "birth_country_cog")}
        self.guardian: Guardian | None = None
        self.birth_date: dt.date | None = None

    def validate(self) -> None:
        errors, form = ErrorCollector(), self.form
        self.guardian = _guardian_of(self.family_id, self.user_id)
        if self.guardian is None:
            errors.add(_("Seul un responsable légal de la famille peut donner cet accord."))
        if form["accept"] != "oui":
            errors.add(_("Cochez la case d'accord pour continuer."), "accept")
        if not form["birth_name"]:
            errors.add(_("Indiquez le nom de naissance de l'allocataire."), "birth_name")
        if not form["first_names"]:
            errors.add(_("Indiquez les prénoms de l'allocataire."), "first_names")
        self.birth_date = _parse_day(form["birth_date"])
        if self.birth_date is None or self.birth_date >= local_today():
            errors.add(_("Date de naissance attendue au format jj/mm/aaaa."), "birth_date")
        if form["sex"] not in ("F", "M"):
            errors.add(_("Indiquez le sexe à l'état civil."), "sex")
        country = form["birth_country_cog"] or "99100"
        if len(country) != 5 or not country.startswith("99") or not country.isdigit():
            errors.add(_("Code pays de naissance attendu sur 5 chiffres (99100 pour la "
                         "France)."), "birth_country_cog")
        place = form["birth_place_cog"].upper()
        if country == "99100" and (len(place) != 5 or not place.isalnum()):
            errors.add(_("Code INSEE de la commune de naissance attendu sur 5 caractères "
                         "(par exemple 35288 pour Rennes)."), "birth_place_cog")
        errors.raise_if_any()

    def run(self) -> QfConsent:
        with transaction():
            self.validate()
            now = utcnow()
            previous = active_consent(self.family_id)
            if previous is not None:
                previous.withdrawn_at = now
            form = self.form
            country = form["birth_country_cog"] or "99100"
            consent = QfConsent(
                family_id=self.family_id, guardian_id=self.guardian.id,
                given_by_id=self.user_id, given_at=now, purpose=consent_purpose(),
                birth_name=form["birth_name"].upper(), first_names=form["first_names"],
                birth_date=self.birth_date, sex=form["sex"],
                birth_place_cog=form["birth_place_cog"].upper() if country == "99100" else None,
                birth_country_cog=country,
            )
            db.session.add(consent)
        return consent


class WithdrawQfConsent(BaseCommand):
    def __init__(self, family_id: int, user_id: int):
        self.family_id, self.user_id = family_id, user_id
        self.consent: QfConsent | None = None

    def validate(self) -> None:
        if _guardian_of(self.family_id, self.user_id) is None:
            raise CommandError(_("Seul un responsable légal de la famille peut retirer cet "
                                 "accord."))
        self.consent = active_consent(self.family_id)
        if self.consent is None:
            raise CommandError(_("Aucun accord n'est en cours."))

    def run(self) -> None:
        with transaction():
            self.validate()
            self.consent.withdrawn_at = utcnow()


def next_invoice_month(family_id: int, today: dt.date) -> dt.date:
    """First day of the month the next invoice will bill (terme échu): after the family's
    last invoice and the last completed billing run; else last month."""
    last_invoice = db.session.scalar(
        select(func.max(Invoice.period_start)).where(Invoice.family_id == family_id))
    last_run = db.session.scalar(
        select(func.max(BillingRun.month)).where(BillingRun.state == BillingRunState.done))
    latest = max([d for d in (last_invoice, last_run) if d is not None], default=None)
    if latest is None:
        return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return (latest.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def validity(family_id: int, today: dt.date) -> tuple[dt.date, dt.date]:
    """From the next invoice's month to 31 August of its school year (the yearly batch
    reads it again at the start of the next one); a year without a school year."""
    start = next_invoice_month(family_id, today)
    year = school_year_containing(start)
    if year is not None:
        return start, dt.date(year.end_date.year, 8, 31)
    return start, start.replace(year=start.year + 1) - dt.timedelta(days=1)


class FetchQuotient(BaseCommand):
    """Read the family's QF (parent, staff or the yearly batch)."""

    def __init__(self, family_id: int, user_id: int | None, origin: str,
                 batch_id: int | None = None, client: ApiParticulierClient | None = None):
        self.family_id, self.user_id, self.origin = family_id, user_id, origin
        self.batch_id = batch_id
        self.client = client
        self.consent: QfConsent | None = None

    def validate(self) -> None:
        settings = ApiSettings.from_config(current_app.config)
        if not settings.enabled:
            raise CommandError(_("La consultation du quotient familial par l'API Particulier "
                                 "n'est pas configurée pour cette commune."))
        self.client = self.client or ApiParticulierClient(settings)
        self.consent = active_consent(self.family_id)
        if self.consent is None:
            raise CommandError(_("Sans l'accord de la famille, son quotient familial ne peut "
                                 "pas être consulté."))

    def run(self) -> QuotientFamilial:
        self.validate()
        consent = self.consent
        person = Allocataire(consent.birth_name, consent.first_names, consent.birth_date,
                             consent.sex, consent.birth_place_cog, consent.birth_country_cog)
        db.session.commit()  # no transaction stays open while the API answers
        try:
            result = self.client.quotient_familial(person)
        except ApiParticulierError as error:
            outcome = (QfFetchOutcome.not_found if error.kind == "not_found"
                       else QfFetchOutcome.error)
            with transaction():
                db.session.add(self._audit(outcome, error.message))
            raise CommandError(error.message) from error
        with transaction():
            quotient = self._attestation(result)
            fetch = self._audit(QfFetchOutcome.found, None)
            fetch.quotient = quotient
            db.session.add(fetch)
        return quotient

    def _attestation(self, result) -> QuotientFamilial:
        start, end = validity(self.family_id, local_today())
        with force_locale("fr"):
            source = _("API Particulier – %(provider)s, QF de %(month)s",
                       provider=result.provider, month=f"{result.month:%m/%Y}")
        same = db.session.scalars(select(QuotientFamilial).where(
            QuotientFamilial.family_id == self.family_id, QuotientFamilial.valid_from == start,
            QuotientFamilial.value == result.value, QuotientFamilial.provider.isnot(None),
        )).first()
        if same is not None:  # the same answer again (batch run twice): nothing new
            same.fetched_at = utcnow()
            return same
        quotient = QuotientFamilial(
            family_id=self.family_id, value=result.value, valid_from=start, valid_to=end,
            source=source, provider=result.provider, reference_month=result.month,
            fetched_at=utcnow(),
        )
        db.session.add(quotient)
        return quotient

    def _audit(self, outcome: str, message: str | None) -> QfFetch:
        return QfFetch(
            family_id=self.family_id, consent_id=self.consent.id,
            requested_by_id=self.user_id, requested_at=utcnow(), origin=self.origin,
            batch_id=self.batch_id, outcome=outcome, message=(message or "")[:255] or None,
        )
