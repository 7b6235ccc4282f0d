"""The allergen cross-check (issue 14, "done when"): a dish with « fruits à coque » on a day
a child with that allergy is booked raises exactly one alert; none when the child is not
booked, or when the menu changes it away; a « panier repas » PAI is never alerted."""

from __future__ import annotations

from app.extensions import db
from app.models import Alert, Diet, MenuAlert
from app.services.menus.alerts import SendAllergenAlerts
from app.services.menus.check import allergen_conflicts
from app.services.menus.editor import EDITOR_SLOTS, SaveWeek, field_name
from tests import factories as f

from .builders import MONDAY, NOW, NUT_DESSERT, THURSDAY, declare, menu, town


def _alerts() -> list[Alert]:
    return db.session.query(Alert).all()


def test_nut_dessert_on_a_booked_day_raises_exactly_one_alert(app_ctx):
    t = town()
    declare(t.child, "nuts")
    menu(t.kitchen, THURSDAY, NUT_DESSERT, publish_on=MONDAY)
    f.booking(t.family, t.child, t.canteen, THURSDAY)

    conflicts = allergen_conflicts([THURSDAY], NOW.date())
    assert [(c.child.id, c.day, c.allergens) for c in conflicts] == [
        (t.child.id, THURSDAY, ["nuts"])]
    assert "Tarte aux noix (fruits à coque)" in conflicts[0].describe()

    assert SendAllergenAlerts(NOW).run() == 1
    assert SendAllergenAlerts(NOW).run() == 0  # once per child and day, whatever the runs
    alerts = _alerts()
    assert len(alerts) == 1
    assert alerts[0].family_id == t.family.id
    assert "fruits à coque" in alerts[0].message and "03/12/2026" in alerts[0].title
    assert db.session.query(MenuAlert).count() == 1


def test_no_alert_when_the_child_is_not_booked(app_ctx):
    t = town()
    declare(t.child, "nuts")
    menu(t.kitchen, THURSDAY, NUT_DESSERT, publish_on=MONDAY)
    assert allergen_conflicts([THURSDAY], NOW.date()) == []
    assert SendAllergenAlerts(NOW).run() == 0
    assert _alerts() == []


def test_no_alert_once_the_menu_changes_the_dish_away(app_ctx):
    t = town()
    declare(t.child, "nuts")
    nuts = menu(t.kitchen, THURSDAY, NUT_DESSERT, publish_on=MONDAY)
    f.booking(t.family, t.child, t.canteen, THURSDAY)
    assert len(allergen_conflicts([THURSDAY], NOW.date())) == 1
    dessert = EDITOR_SLOTS.index(("dessert", "standard"))
    form = {field_name(THURSDAY, dessert, "name"): "Compote de pommes",
            field_name(THURSDAY, dessert, "labels"): "bio"}
    SaveWeek(t.kitchen.id, MONDAY, form, NOW).run()

    assert allergen_conflicts([THURSDAY], NOW.date()) == []
    assert SendAllergenAlerts(NOW).run() == 0
    assert _alerts() == []
    db.session.refresh(nuts)
    assert nuts.modified_at is not None  # parents see « modifié »


def test_unpublished_menu_other_allergen_and_alternative_raise_nothing(app_ctx):
    t = town(children=3)
    veggie, basket, other = t.family.children
    veggie.diet, basket.diet = Diet.vegetarian, Diet.pai_basket
    db.session.commit()
    declare(basket, "nuts")
    declare(other, "fish")
    dishes = [("main", "Poulet aux noix de cajou", "nuts"),
              ("main", "Lentilles au lait de coco", "", "", "vegetarian"),
              ("dessert", "Pomme", "")]
    menu(t.kitchen, THURSDAY, dishes, publish_on=MONDAY)
    for kid in (veggie, basket, other):
        f.booking(t.family, kid, t.canteen, THURSDAY)
    # The vegetarian child gets the alternative; the panier repas brings its own meal;
    # nobody has fish on the menu.
    assert allergen_conflicts([THURSDAY], NOW.date()) == []
    declare(veggie, "nuts")
    assert allergen_conflicts([THURSDAY], NOW.date()) == []
    declare(other, "nuts")
    assert [c.child.id for c in allergen_conflicts([THURSDAY], NOW.date())] == [other.id]


def test_an_unpublished_menu_is_not_checked_yet(app_ctx):
    t = town()
    declare(t.child, "nuts")
    menu(t.kitchen, THURSDAY, NUT_DESSERT, publish_on=None)
    f.booking(t.family, t.child, t.canteen, THURSDAY)
    assert allergen_conflicts([THURSDAY], NOW.date()) == []


def test_the_family_alert_waits_for_the_kitchen_s_days_ahead(app_ctx):
    t = town()
    t.kitchen.alert_days = 1
    db.session.commit()
    declare(t.child, "nuts")
    menu(t.kitchen, THURSDAY, NUT_DESSERT, publish_on=MONDAY)
    f.booking(t.family, t.child, t.canteen, THURSDAY)
    assert SendAllergenAlerts(NOW).run() == 0  # Thursday is two days ahead
    wednesday = NOW.replace(day=2)
    assert SendAllergenAlerts(wednesday).run() == 1


def test_staff_see_the_alert_on_the_attendance_sheet_and_the_kitchen_count(app, client):
    from app.security.roles import AGENT

    with app.test_request_context():
        t = town(children=2)
        hugo, lea = t.family.children
        declare(hugo, "nuts")
        menu(t.kitchen, THURSDAY, NUT_DESSERT, publish_on=MONDAY)
        f.booking(t.family, hugo, t.canteen, THURSDAY)
        f.booking(t.family, lea, t.canteen, THURSDAY)
        f.user("agent.check", AGENT)
        f.login(client, "agent.check")
        sheet = client.get(f"/gestion/pointage/?jour=2026-12-03&ecole={t.school.id}"
                           f"&service={t.canteen.id}").data.decode()
        assert sheet.count("Allergène au menu :") == 1
        assert "Tarte aux noix (fruits à coque)" in sheet
        count = client.get("/gestion/effectifs-cuisine/?du=2026-12-03&jours=1").data.decode()
        assert f"{hugo.last_name} {hugo.first_name} : Tarte aux noix (fruits à coque)" in count
        assert lea.first_name not in count.split("Alertes allergènes au menu")[1]
