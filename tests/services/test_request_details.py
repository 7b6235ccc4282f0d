"""What a request says to the agent deciding it (app.services.request_details): a labelled
French diff instead of the stored JSON, the family's comment, the file and its preview."""

from __future__ import annotations

import json

from app.models import Enrolment, FamilyDocument, Request, RequestKind
from app.services.request_details import preview_kind, request_details


def _change(old, new) -> Request:
    return Request(kind=RequestKind.data_change, summary="Santé",
                   old_value=json.dumps(old), new_value=json.dumps(new))


def test_a_health_change_reads_as_labelled_french_lines(app_ctx):
    row = _change(
        {"target": "child", "id": 1, "fields": {"diet": "standard", "allergies": "Arachide"}},
        {"target": "child", "id": 1,
         "fields": {"diet": "no_pork", "allergies": "Arachide, fruits à coque"}})
    lines = [line.text for line in request_details(row).changes]
    assert lines == ["Régime alimentaire : Standard → Sans porc",
                     "Allergies : Arachide → Arachide, fruits à coque"]
    assert not any("{" in line or "no_pork" in line for line in lines)


def test_flat_contact_changes_booleans_and_dates_are_labelled(app_ctx):
    row = _change({"phone_mobile": "06 39 98 12 34", "address": None},
                  {"phone_mobile": "06 39 98 99 01", "address": "14 rue des Genêts"})
    assert [line.text for line in request_details(row).changes] == [
        "Téléphone portable : 06 39 98 12 34 → 06 39 98 99 01",
        "Adresse : — → 14 rue des Genêts",
    ]
    quotient = _change({"target": "quotient", "fields": {"value": 720}},
                       {"target": "quotient", "fields": {"value": 480,
                                                         "valid_from": "2026-12-01"}})
    assert [line.text for line in request_details(quotient).changes] == [
        "Quotient familial : 720 → 480", "Valable à partir du : — → 01/12/2026"]
    person = _change({"target": "person", "fields": None},
                     {"target": "person", "fields": {"can_pick_up": True}})
    assert [line.text for line in request_details(person).changes] == [
        "Peut venir chercher l'enfant : — → Oui"]


def test_an_enrolment_shows_the_parents_comment_and_an_absence_its_reason(app_ctx):
    enrolment = Request(kind=RequestKind.enrolment, summary="Inscription",
                        enrolment=Enrolment(comment="Reprise du travail à temps plein"))
    details = request_details(enrolment)
    assert details.comment == "Reprise du travail à temps plein" and details.changes == []
    absence = Request(kind=RequestKind.absence, summary="Absence", new_value=json.dumps(
        {"reason": "family", "comment": "Mariage de sa tante"}))
    assert request_details(absence).comment == "Raison familiale — Mariage de sa tante"


def test_only_pdfs_and_images_are_previewed_in_the_page(app_ctx):
    def doc(content_type):
        return FamilyDocument(content_type=content_type, original_filename="x")
    assert preview_kind(doc("application/pdf")) == "pdf"
    assert preview_kind(doc("image/jpeg")) == "image"
    assert preview_kind(doc("application/msword")) is None
    assert preview_kind(None) is None
    row = Request(kind=RequestKind.document, summary="QF", document=doc("image/png"))
    assert request_details(row).preview == "image"
