"""The managers' tools in the shop window: the périscolaire slots' hours (the CAF report
counts them), a mailing sent to the families of one school, and two imports of the
previous system's file, one refused with its lines and one checked and ready to run.
Idempotent: each item is found first (mailing by subject, imports by file name)."""

from __future__ import annotations

import datetime as dt
import json

from ..extensions import db
from ..models import FamilyImport, ImportState, Mailing, MailingRecipient, School, Service
from ..models.base import utcnow
from ..services.alerts import alert_family
from ..services.family_import.check import check_rows, would_create
from ..services.family_import.fields import default_mapping
from ..services.mailings.criteria import Criteria
from ..services.mailings.queries import addresses_by_family, recipients
from ..services.menus.imports import read_rows
from .people import CARE_EVENING, CARE_MORNING
from .town import Town

SLOTS = {CARE_MORNING: (dt.time(7, 30), dt.time(8, 35)),
         CARE_EVENING: (dt.time(16, 30), dt.time(18, 45))}
MAILING_SUBJECT = "Spectacle de fin d'année à l'école Théodore Chalmel"
MAILING_BODY = ("Bonjour,\n\nLe spectacle de fin d'année des élèves aura lieu vendredi 18 "
                "décembre à 17h00 dans la salle des fêtes. L'accueil périscolaire du soir "
                "accompagnera les enfants inscrits.\n\nLe service des affaires scolaires")
HEADER = ("code_famille;nom_foyer;adresse;code_postal;ville;resp1_prenom;resp1_nom;"
          "resp1_email;enfant_prenom;enfant_nom;enfant_naissance;ecole;classe")
READY = [
    ";Famille Aubert;4 rue de la Mairie;35430;Saint-Père;Claire;Aubert;"
    "claire.aubert@example.org;Noé;Aubert;12/02/2019;Théodore Chalmel;CP",
    ";Famille Aubert;4 rue de la Mairie;35430;Saint-Père;Claire;Aubert;"
    "claire.aubert@example.org;Lou;Aubert;30/06/2021;Théodore Chalmel;PS",
    ";Famille Besnard;9 impasse des Lilas;35430;Saint-Père;Yann;Besnard;"
    "yann.besnard@example.org;Maël;Besnard;03/09/2017;Sainte-Thérèse;CE2",
    ";Famille Coquelin;2 chemin du Port;35430;Saint-Père;Inès;Coquelin;"
    "ines.coquelin@example.org;Jade;Coquelin;21/11/2018;Sainte-Thérèse;CE1",
]
REFUSED = [
    READY[0],
    ";Famille Dupuis;1 rue Haute;3543;Saint-Père;Marc;Dupuis;marc.dupuis@example.org;"
    "Tom;Dupuis;31/02/2019;Théodore Chalmel;CP",
    ";Famille Even;3 rue Basse;35430;Saint-Père;Léa;Even;claire.aubert@example.org;"
    "Zoé;Even;04/04/2020;École des Lilas;MS",
]


def add_manager_features(town: Town, manager_id: int | None) -> None:
    _slot_hours(town)
    _mailing(manager_id)
    for name, lines in (("ancien-logiciel-familles.csv", READY),
                        ("ancien-logiciel-familles-erreurs.csv", REFUSED)):
        _import(name, lines, manager_id)


def _slot_hours(town: Town) -> None:
    for code, (start, end) in SLOTS.items():
        service: Service = town.services[code]
        if service.slot_start is None:
            service.slot_start, service.slot_end = start, end


def _mailing(manager_id: int | None) -> None:
    if db.session.query(Mailing.id).filter_by(subject=MAILING_SUBJECT).first():
        return
    school = db.session.query(School).filter(School.name.like("%Chalmel%")).first()
    if school is None:
        return
    db.session.flush()
    criteria = Criteria(school_ids=[school.id])
    chosen = recipients(criteria)
    mailing = Mailing(subject=MAILING_SUBJECT, body=MAILING_BODY, criteria=criteria.to_json(),
                      criteria_label=criteria.label(), family_count=chosen.count,
                      mail_count=0, sent_by_id=manager_id, sent_at=utcnow())
    db.session.add(mailing)
    addresses = addresses_by_family([f for f, _c, _n in chosen.families])
    for family_id, _code, _name in chosen.families:
        alert = alert_family(family_id, MAILING_SUBJECT, MAILING_BODY)
        mailing.recipients.append(MailingRecipient(family_id=family_id, alert=alert))
        mailing.mail_count += addresses.get(family_id, 0) if alert.mailed else 0


def _import(filename: str, lines: list[str], manager_id: int | None) -> None:
    if db.session.query(FamilyImport.id).filter_by(filename=filename).first():
        return
    content = ("\ufeff" + "\r\n".join([HEADER, *lines]) + "\r\n").encode("utf-8")
    db.session.flush()
    mapping = default_mapping()
    checked = check_rows(read_rows(filename, content), mapping)
    db.session.add(FamilyImport(
        filename=filename, content=content, created_by_id=manager_id,
        mapping=json.dumps(mapping, ensure_ascii=False),
        state=ImportState.checked if checked.ok else ImportState.refused,
        errors=json.dumps(checked.errors, ensure_ascii=False),
        rows_total=len(checked.families),
        result=json.dumps({"preview": would_create(checked), "lines": checked.lines})))
