"""What the demo must show of the menus (called from tests/test_demo.py, which already
loads the demo: no second load for this)."""

from __future__ import annotations

import datetime as dt

from app.extensions import db
from app.models import Alert, Child, ChildAllergen, Kitchen, MealOrder, Menu
from app.services.menus.check import allergen_conflicts


def check_demo_menus(today: dt.date) -> None:
    kitchens = db.session.query(Kitchen).order_by(Kitchen.name).all()
    assert len(kitchens) == 2 and all(k.caterer_email and k.schools for k in kitchens)
    for kitchen in kitchens:
        menus = db.session.query(Menu).filter_by(kitchen_id=kitchen.id).all()
        weeks = {m.day - dt.timedelta(days=m.day.weekday()) for m in menus}
        assert len(weeks) >= 5, kitchen  # a 5-week cycle at least
        dishes = [d for m in menus for d in m.dishes]
        assert any(d.allergen_codes for d in dishes) and any(d.label_codes for d in dishes)
        assert any(m.vegetarian for m in menus)
        assert {d.variant for d in dishes} >= {"standard", "vegetarian"}
        assert any(m.publish_on and m.publish_on <= today for m in menus)
    hugo = db.session.query(Child).filter_by(first_name="Hugo", last_name="Martin").one()
    assert hugo.has_pai
    assert [a.allergen for a in db.session.query(ChildAllergen).filter_by(child_id=hugo.id)] \
        == ["peanuts"]
    [conflict] = [c for c in allergen_conflicts(
        [today + dt.timedelta(days=n) for n in range(1, 8)], today) if c.child.id == hugo.id]
    assert any(name == "Cookie aux cacahuètes" for name, _codes in conflict.dishes)
    assert conflict.day > today  # a coming day he is booked at the canteen (the cross-check)
    titles = [a.title for a in db.session.query(Alert)]
    assert len([t for t in titles if "menu" in t]) == 1, titles
    assert db.session.query(MealOrder).count() > 0
