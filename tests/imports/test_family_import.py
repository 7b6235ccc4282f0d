"""Import of families from the previous system's file: a clean file imports; a file with
bad rows is refused with each line and its reason and imports nothing; the same file twice
creates nothing the second time; the mapping is remembered; invitations when staff choose."""

from __future__ import annotations

import json

import pytest
from flask import current_app

from app.extensions import db
from app.models import (
    Child,
    Enrolment,
    Family,
    FamilyImport,
    Guardian,
    ImportState,
    OutgoingMail,
    QuotientFamilial,
    SepaMandate,
)
from app.services.errors import CommandError
from app.services.family_import.commands import (
    CheckImport,
    InviteImported,
    StartImport,
    UploadImport,
)
from app.services.family_import.fields import saved_mapping
from app.services.family_import.jobs import start_family_import
from tests import factories
from tests.imports.builders import GOOD_IBAN, MAPPING, csv_bytes, row, xlsx_bytes


@pytest.fixture
def town(app_ctx):
    school = factories.school("École Théodore Chalmel")
    factories.school("École Sainte-Thérèse")
    factories.school_year()
    canteen = factories.service("cantine")
    app_ctx.config["PORTAL_FIXED_NOW"] = "2026-11-15T09:00:00"
    yield school, canteen
    app_ctx.config["PORTAL_FIXED_NOW"] = None


def _import(filename: str, content: bytes, mapping=MAPPING):
    record = UploadImport(filename, content, None).run()
    checked, counts = CheckImport(record.id, mapping, None).run()
    if checked.ok:
        start_family_import(record.id, None)
        current_app.extensions["portal_background"].wait()
    db.session.expire_all()
    return db.session.get(FamilyImport, record.id), checked, counts


def _counts() -> tuple[int, ...]:
    return tuple(db.session.query(m).count() for m in
                 (Family, Guardian, Child, QuotientFamilial, SepaMandate, Enrolment))


def test_a_clean_file_imports_everything_it_holds(town):
    school, canteen = town
    rows = [
        row(1, code="A001", g2f="Marc", g2l="Import1", g2m="marc.import1@example.org",
            services="cantine", qf="620", qf_from="01/09/2026", qf_to="31/08/2027",
            iban=GOOD_IBAN, bic="BDFEFRPP", rum="RUM-IMPORT-1", signed="01/09/2026"),
        # A second child of the same family (same account code): grouped.
        row(1, code="A001", cf="Zoé", birth="02/05/2021", school="Sainte-Thérèse",
            services="cantine"),
        row(2),
    ]
    record, checked, counts = _import("familles.csv", csv_bytes(rows))
    assert checked.errors == []
    assert counts == {"families": 2, "guardians": 3, "children": 3, "quotients": 1,
                      "mandates": 1}
    assert record.state == ImportState.done
    family = db.session.query(Family).filter_by(account_code="A001").one()
    assert family.name == "Famille Import1" and family.postal_code == "35430"
    assert sorted(g.email for g in family.guardians) == [
        "anne.import1@example.org", "marc.import1@example.org"]
    assert sorted((c.first_name, c.school.name) for c in family.children) == [
        ("Léo", "École Théodore Chalmel"), ("Zoé", "École Sainte-Thérèse")]
    assert [q.value for q in family.quotients] == [620]
    mandate = db.session.query(SepaMandate).one()
    assert (mandate.family_id, mandate.iban) == (family.id, GOOD_IBAN)
    assert db.session.query(Enrolment).filter_by(family_id=family.id,
                                                 service_id=canteen.id).count() == 2
    other = db.session.query(Family).filter_by(name="Famille Import2").one()
    assert other.account_code.startswith("F")
    assert json.loads(record.result)["families"] == 2


def test_bad_rows_are_refused_with_their_line_and_reason_and_nothing_is_imported(town):
    factories.family("Existant", town[0], username="deja")  # login deja@example.org
    rows = [
        row(1),
        row(2, school="École des Lilas"),  # line 3
        row(3, birth="31/02/2019"),  # line 4
        row(4, g1m="anne.import1@example.org"),  # line 5: another family's address
        row(5, iban="FR7630006000011234567890188", bic="BDFEFRPP", rum="R5",
            signed="01/09/2026"),  # line 6
        row(6, cp="3543"),  # line 7
        row(7, g1m="deja@example.org"),  # line 8: an existing login's address
        row(8),
    ]
    before = _counts()
    record, checked, _counts_preview = _import("familles.csv", csv_bytes(rows))
    assert checked.errors == [
        (3, "école « École des Lilas » inconnue"),
        (4, "date de naissance « 31/02/2019 » invalide (jj/mm/aaaa)"),
        (5, "adresse électronique « anne.import1@example.org » en double : c'est celle "
            "d'un responsable d'un autre foyer (ligne 2)"),
        (6, "IBAN invalide : vérifiez-le sur le RIB (clé de contrôle, longueur)"),
        (7, "code postal « 3543 » invalide (5 chiffres)"),
        (8, "adresse électronique « deja@example.org » déjà utilisée par un responsable "
            "d'un autre foyer"),
    ]
    assert record.state == ImportState.refused
    assert _counts() == before
    with pytest.raises(CommandError):
        StartImport(record.id).run()
    assert _counts() == before


def test_the_same_file_twice_creates_no_duplicate(town):
    rows = [row(1, code="A001", qf="620", qf_from="01/09/2026", qf_to="31/08/2027",
                services="cantine"), row(2), row(2, cf="Zoé", birth="02/05/2021")]
    content = xlsx_bytes(rows)
    _import("familles.xlsx", content)
    after_first = _counts()
    assert after_first[:3] == (2, 2, 3)
    record, checked, counts = _import("familles.xlsx", content)
    assert checked.errors == []
    assert counts == {"families": 0, "guardians": 0, "children": 0, "quotients": 0,
                      "mandates": 0}
    assert _counts() == after_first
    assert json.loads(record.result)["guardian_ids"] == []


def test_the_mapping_is_remembered_for_the_next_file(town):
    record = UploadImport("familles.csv", csv_bytes([row(1)]), None).run()
    CheckImport(record.id, MAPPING, None).run()
    assert saved_mapping()["g1_email"] == "Courriel resp."


def test_a_mapped_column_missing_from_the_file_is_named(town):
    record = UploadImport("familles.csv", csv_bytes([row(1)]), None).run()
    checked, _ = CheckImport(record.id, {**MAPPING, "school": "Etablissement"}, None).run()
    assert checked.errors[0][0] == 1
    assert "Colonne « Etablissement » (Enfant : école) absente du fichier" in \
        checked.errors[0][1]


def test_imported_guardians_are_invited_only_when_staff_choose(town):
    record, _, _ = _import("familles.csv", csv_bytes([row(1), row(2), row(3)]))
    assert db.session.query(OutgoingMail).count() == 0
    ids = json.loads(record.result)["guardian_ids"]
    assert InviteImported(record.id, ids[:1], None).run() == 1
    assert [m.recipient for m in db.session.query(OutgoingMail)] == [
        "anne.import1@example.org"]
    assert InviteImported(record.id, None, None).run() == 2  # the others
    assert db.session.query(OutgoingMail).count() == 3
    with pytest.raises(CommandError):
        InviteImported(record.id, None, None).run()  # everyone has a login now
