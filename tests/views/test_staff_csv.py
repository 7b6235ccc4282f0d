"""CSV export of a back-office list: the current filters, UTF-8 with BOM, `;`, French
headers and values (French Excel opens it as is)."""

from __future__ import annotations

import csv
import io

import pytest

from tests import factories as f
from tests.views import builders as b


@pytest.fixture
def families(app):
    with app.app_context():
        school = f.school()
        for name in ("Dupont", "Martin", "Dupontel", "Durand"):
            f.family(name, school)
        f.user("gestionnaire1", "Gestionnaire")
        f.user("agent1", "Agent")


def _rows(response) -> list[list[str]]:
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff"), "no BOM: Excel would read the accents wrongly"
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_families_csv_keeps_the_search_filter(client, families):
    f.login(client, "gestionnaire1")
    # FAB's search form sends `_flt_<filter index>_<column>`; 2 = "contains".
    response = client.get("/gestion/familles/csv?_flt_2_name=Dupont")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _rows(response)
    assert rows[0][:8] == ["N° de compte", "Nom du foyer", "Adresse", "Code postal", "Commune",
                           "Téléphone", "Courriel", "Compte actif"]
    assert rows[0][8:10] == ["Responsable 1", "Lien (responsable 1)"]
    names = sorted(row[1] for row in rows[1:])
    assert names == ["Famille Dupont", "Famille Dupontel"]
    assert rows[1][7] == "Oui"


def test_families_csv_without_filter_has_every_family_in_list_order(client, families):
    f.login(client, "gestionnaire1")
    rows = _rows(client.get("/gestion/familles/csv"))
    assert [row[1] for row in rows[1:]] == ["Famille Dupont", "Famille Dupontel",
                                            "Famille Durand", "Famille Martin"]
    equal = _rows(client.get("/gestion/familles/csv?_flt_3_name=Famille Martin"))
    assert [row[1] for row in equal[1:]] == ["Famille Martin"]


def test_list_page_offers_the_csv_of_its_current_filters(client, families):
    f.login(client, "gestionnaire1")
    page = client.get("/gestion/familles/list/?_flt_2_name=Dupont").get_data(as_text=True)
    assert "Exporter en CSV" in page
    assert 'href="/gestion/familles/csv?_flt_2_name=Dupont"' in page


def test_agent_has_neither_the_button_nor_the_export(client, families):
    f.login(client, "agent1")
    page = client.get("/gestion/familles/list/").get_data(as_text=True)
    assert "Famille Dupont" in page
    assert "Exporter en CSV" not in page
    assert client.get("/gestion/familles/csv").status_code == 403


def test_invoices_csv_has_french_amounts_dates_and_states(app, client):
    with app.app_context():
        b.town(1)
        f.user("gestionnaire1", "Gestionnaire")
    f.login(client, "gestionnaire1")
    rows = _rows(client.get("/gestion/factures/csv"))
    assert rows[0] == ["Numéro", "N° de compte", "Famille", "Mois facturé", "Émise le",
                       "Échéance", "Total", "État", "Prélèvement", "Avoirs", "Payé", "Reste dû"]
    number, _code, family, month, issued, due, total, state, debit, *balance = rows[1]
    assert number.startswith("FAC-2026-")
    assert family.startswith("Famille Famille000")
    assert (month, issued, due, total, state, debit) == (
        "09/2026", "01/10/2026", "31/10/2026", "70,55", "À payer", "Non")
    assert balance == ["4,15", "10,00", "56,40"]  # the town's credit note and payment


def test_times_are_in_the_towns_time_zone(app, client):
    """Stored in UTC; staff read Paris time (12:00 in summer for 10:00 UTC)."""
    import datetime as dt

    from app.extensions import db
    from app.models import AuditLog

    with app.app_context():
        db.session.add(AuditLog(at=dt.datetime(2026, 7, 1, 10, 0), username="agent",
                                action="delete", table_name="news", object_id="7"))
        db.session.commit()
        f.user("gestionnaire1", "Gestionnaire")
    f.login(client, "gestionnaire1")
    rows = _rows(client.get("/gestion/journal/csv"))
    assert rows[1] == ["01/07/2026 12:00", "agent", "Suppression", "Actualité (news)", "7"]
    page = client.get("/gestion/journal/list/").get_data(as_text=True)
    assert "01/07/2026 12:00" in page


def test_bookings_csv_filtered_by_state(app, client):
    import datetime as dt

    from app.models import BookingState

    with app.app_context():
        ref = b.town(1)
        kid = ref["families"][0].children[0]
        f.booking(ref["families"][0], kid, ref["services"][1], dt.date(2026, 9, 21),
                  state=BookingState.waiting)
        f.user("gestionnaire1", "Gestionnaire")
    f.login(client, "gestionnaire1")
    # 3 = "equal to" for a text column; the search form offers the French labels.
    rows = _rows(client.get("/gestion/reservations/csv?_flt_3_state=waiting"))
    assert [(row[0], row[8]) for row in rows[1:]] == [("21/09/2026", "Liste d'attente")]
    page = client.get("/gestion/reservations/list/").get_data(as_text=True)
    # The search form (JSON in FAB's page) offers the state by its French label.
    assert r'value=\"waiting\"\u003eListe d\u0027attente' in page
