"""The demo's published documents are real PDFs with real content: a month's menus (a row
per school day), the tariffs (the demo's own brackets), the règlement intérieur."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

from app.demo import documents


def _text(upload) -> str:
    data = upload.stream.read()
    assert data.startswith(b"%PDF")
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
                    .split())


def test_the_months_menus_list_every_school_day(app):
    with app.app_context():
        text = _text(documents.menus_pdf(dt.date(2026, 12, 1), "menus-2026-12.pdf"))
    assert "Menus de décembre 2026" in text
    assert "Mardi 1 décembre" in text and "Jeudi 31 décembre" in text
    assert "Mercredi" not in text  # no school on Wednesdays
    assert "Entrée" in text and "Dessert" in text and "Sauté de volaille" in text


def test_tariffs_and_reglement(app):
    with app.app_context():
        tariffs = _text(documents.tariffs_pdf("2026-2027", "tarifs.pdf"))
        reglement = _text(documents.reglement_pdf("reglement.pdf"))
    assert "Tarifs 2026-2027" in tariffs and "de 0 à 450" in tariffs
    assert "1,00 €" in tariffs and "4,15 €" in tariffs and "1201 et plus" in tariffs
    assert "Article 3 — Réservations et annulations" in reglement
    assert "projet d'accueil individualisé" in reglement
