"""Every back-office page renders, in French, for the right roles only."""

from __future__ import annotations

import re

import pytest

from app.views.base import StaffModelView
from tests import factories as f
from tests.views import builders as b

# Words that are the same in French and in FAB's generated English labels.
_SAME_IN_BOTH = {"Code", "Service", "Date", "Action", "Total", "Message", "Type", "Format", "Zone",
                 "Actif", "Titre", "Allergies", "Document",
                 "Description"}


# The generic entity views (other staff modules add work queues, billing…).
_OURS = {f"app.views.staff.{name}" for name in ("families", "schools", "bookings", "finance",
                                                "documents", "news", "audit")}


def _staff_views(app) -> list[StaffModelView]:
    return [v for v in app.appbuilder.baseviews if isinstance(v, StaffModelView)]


def _routes(app, view) -> set[str]:
    endpoint = type(view).__name__
    return {rule.endpoint.split(".")[1] for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith(endpoint + ".")}


@pytest.fixture
def town(app):
    with app.app_context():
        ref = b.town(2)
        for role in ("Admin", "Gestionnaire", "Agent"):
            f.user(role.lower() + "1", role)
        return {"families": [fam.id for fam in ref["families"]]}


def test_every_staff_page_renders_for_an_admin(app, client, town):
    f.login(client, "admin1")
    views = [v for v in _staff_views(app) if v.datamodel.obj in b.BUILT_MODELS]
    assert len(views) >= 25
    for view in views:
        routes = _routes(app, view)
        listing = client.get(f"{view.route_base}/list/")
        assert listing.status_code == 200, view.route_base
        # A row this view shows (its base filters may hide some).
        shown = re.search(re.escape(view.route_base) + r"/show/(\d+)",
                          listing.get_data(as_text=True))
        assert shown or type(view).__module__ not in _OURS, view.route_base
        urls = [f"{view.route_base}/add"] if "add" in routes else []
        if shown:
            urls.append(f"{view.route_base}/show/{shown.group(1)}")
            if "edit" in routes:
                urls.append(f"{view.route_base}/edit/{shown.group(1)}")
        for url in urls:
            page = client.get(url)
            assert page.status_code == 200, url
            html = page.get_data(as_text=True)
            titles = (view.list_title, view.show_title, view.add_title, view.edit_title)
            assert any(title and str(title) in html for title in titles), url


def test_every_column_has_a_french_label(app):
    missing = []
    for view in _staff_views(app):
        columns = {*view.list_columns, *view.show_columns, *view.search_columns}
        if "can_add" in view.base_permissions:
            columns |= set(view.add_columns)
        if "can_edit" in view.base_permissions:
            columns |= set(view.edit_columns)
        for column in columns:
            label = str(view.label_columns.get(column, ""))
            generated = view._prettify_column(column)
            if not label or (label == generated and label not in _SAME_IN_BOTH):
                missing.append(f"{type(view).__name__}.{column}: {label!r}")
        for title in (view.list_title, view.show_title):
            assert not str(title).startswith(("List ", "Show ")), type(view).__name__
    assert not missing


def test_invoices_credit_notes_and_lines_have_no_write_route(app, client, town):
    read_only = {"FinanceInvoiceView", "FinanceCreditNoteView", "FinanceInvoiceLineView",
                 "StaffBookingView", "StaffRequestView", "StaffAuditLogView"}
    for view in _staff_views(app):
        if type(view).__name__ in read_only:
            assert not _routes(app, view) & {"add", "edit", "delete", "download"}, view
    f.login(client, "admin1")
    assert client.get("/gestion/factures/edit/1").status_code == 404
    assert client.post("/gestion/factures/delete/1").status_code == 404
    assert client.get("/gestion/factures/add").status_code == 404
    show = client.get("/gestion/factures/show/1").get_data(as_text=True)
    assert "/gestion/factures/edit/" not in show
    assert "/gestion/factures/delete/" not in show


def test_coded_states_show_their_french_label(app, client, town):
    f.login(client, "admin1")
    invoices = client.get("/gestion/factures/list/").get_data(as_text=True)
    assert "À payer" in invoices and ">issued<" not in invoices
    assert "70,55\u00a0€" in invoices
    bookings = client.get("/gestion/reservations/list/").get_data(as_text=True)
    assert "Réservé" in bookings and "14/09/2026" in bookings
    add_service = client.get("/gestion/services/add").get_data(as_text=True)
    assert "Accueil périscolaire du soir" in add_service  # a select, not a free text


def test_family_page_shows_its_children_and_tabs(app, client, town):
    """Family↔child is many-to-many: the Enfants tab lists the family's children only."""
    f.login(client, "admin1")
    first, second = town["families"]
    page = client.get(f"/gestion/familles/show/{first}").get_data(as_text=True)
    for tab in ("Responsables légaux", "Enfants", "Quotients familiaux", "Inscriptions",
                "Réservations", "Demandes", "Factures", "Règlements", "Documents des familles"):
        assert tab in page, tab
    assert "Famille000Enfant0" in page and "Famille000Enfant1" in page
    assert "Famille001Enfant0" not in page


def test_agent_sees_his_menus_but_not_tariffs_nor_the_audit_log(app, client, town):
    f.login(client, "agent1")
    home = client.get("/gestion/familles/list/").get_data(as_text=True)
    for menu in ("Familles", "Réservations", "Factures", "Règlements", "Actualités",
                 "Documents des familles", "Écoles", "Fermetures"):
        assert menu in home, menu
    for hidden in ("Tarifs", "Avoirs", "Mandats SEPA", "Journal des modifications"):
        assert hidden not in home, hidden
    assert "Exporter en CSV" not in home


def test_agent_is_refused_tariffs_csv_settings_changes_and_audit(app, client, town):
    f.login(client, "agent1")
    for url in ("/gestion/tarifs/list/", "/gestion/tarifs/add", "/gestion/familles/csv",
                "/gestion/factures/csv", "/gestion/avoirs/list/", "/gestion/mandats-sepa/list/",
                "/gestion/ecoles/add", "/gestion/services/edit/1", "/gestion/journal/list/"):
        response = client.get(url)
        assert response.status_code == 403, url
    # What an agent does: families, enrolments, payments, and reading the settings.
    for url in ("/gestion/familles/add", "/gestion/inscriptions/add", "/gestion/reglements/add",
                "/gestion/factures/show/1", "/gestion/ecoles/list/", "/gestion/services/show/1"):
        assert client.get(url).status_code == 200, url


def test_agent_invoice_page_has_no_credit_note_tab(app, client, town):
    f.login(client, "agent1")
    page = client.get("/gestion/factures/show/1").get_data(as_text=True)
    assert "Lignes de facture" in page and "Règlements" in page
    assert "Avoirs" not in page
    client.get("/logout/")
    f.login(client, "gestionnaire1")
    assert "Avoirs" in client.get("/gestion/factures/show/1").get_data(as_text=True)


def test_parent_cannot_open_the_back_office(app, client, town):
    f.login(client, "parent0")
    for url in ("/gestion/familles/list/", "/gestion/familles/csv", "/gestion/factures/list/"):
        assert client.get(url).status_code == 403, url
