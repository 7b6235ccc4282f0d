"""Menus (issue 14), back office: the one-screen week editor (copy last week or the last
5-week cycle, publication at a date), the caterer file import, the printable weekly
poster; kitchens (with their caterer) and the allergens declared for each child.

Thin: every write is a command of app.services.menus; rules live there.
"""

from __future__ import annotations

import datetime as dt

from flask import Response, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import Allergen, ChildAllergen, DishLabel, DishVariant, Kitchen
from ...services.calendar import local_now, local_today
from ...services.errors import CommandError
from ...services.menus import editor
from ...services.menus.catalog import allergen_words, label_words
from ...services.menus.week import load_menus, week_days, week_monday
from ...services.reservations.lookup import parse_typed_day
from .common import PortalStaffView, labels


def _kitchens() -> list[Kitchen]:
    return db.session.query(Kitchen).order_by(Kitchen.name).all()


def _pick_kitchen(value: str | None, kitchens: list[Kitchen]) -> Kitchen | None:
    wanted = int(value) if value and value.isdigit() else None
    return next((k for k in kitchens if k.id == wanted), kitchens[0] if kitchens else None)


def _monday(value: str | None) -> dt.date:
    return week_monday(parse_typed_day(value) or local_today())


def _flash(refused: CommandError) -> None:
    for message in refused.messages:
        flash(message, "danger")


def editor_rows(kitchen: Kitchen, monday: dt.date) -> list[dict]:
    """What the editor shows for each day: its menu and one row per slot."""
    menus = load_menus([kitchen.id], week_days(monday))
    days = []
    for day in week_days(monday):
        menu = menus.get((kitchen.id, day))
        used = set()
        slots = []
        for index, (course, variant) in enumerate(editor.EDITOR_SLOTS):
            dish = next((d for d in (menu.dishes if menu else []) if d.id not in used
                         and d.course == course and d.variant == variant), None)
            if dish is not None:
                used.add(dish.id)
            slots.append({"index": index, "course": course, "variant": variant,
                          "name": dish.name if dish else "",
                          "allergens": allergen_words(dish.allergen_codes) if dish else "",
                          "labels": label_words(dish.label_codes) if dish else ""})
        days.append({"day": day, "menu": menu, "slots": slots})
    return days


class StaffMenuView(BaseView):
    """Saisie des menus: one kitchen, one week, one screen."""

    route_base = "/gestion/menus"
    default_view = "week"

    @expose("/")
    @has_access
    @permission_name("list")
    def week(self):
        kitchens = _kitchens()
        kitchen = _pick_kitchen(request.args.get("cuisine"), kitchens)
        monday = _monday(request.args.get("semaine"))
        return self._editor(kitchens, kitchen, monday, form=None)

    def _editor(self, kitchens, kitchen, monday, form, errors=None, status=200):
        return self.render_template(
            "staff/menus_week.html", kitchens=kitchens, kitchen=kitchen, monday=monday,
            days=editor_rows(kitchen, monday) if kitchen else [], form=form,
            errors=errors or {}, field_name=editor.field_name, today=local_today(),
            previous=monday - dt.timedelta(days=7), following=monday + dt.timedelta(days=7),
            allergen_list=", ".join(a.label for a in Allergen),
            label_list=", ".join(lab.label for lab in DishLabel),
            variant_labels=DishVariant.labels(), cycle=editor.CYCLE_WEEKS,
        ), status

    def _target(self):
        kitchens = _kitchens()
        return kitchens, _pick_kitchen(request.form.get("cuisine"), kitchens), \
            _monday(request.form.get("semaine"))

    def _back(self, kitchen, monday):
        return redirect(url_for(".week", cuisine=kitchen.id, semaine=monday.isoformat()), 303)

    @expose("/enregistrer", methods=["POST"])
    @has_access
    @permission_name("edit")
    def save(self):
        kitchens, kitchen, monday = self._target()
        if kitchen is None:
            return redirect(url_for(".week"), 303)
        try:
            saved = editor.SaveWeek(kitchen.id, monday, request.form, local_now()).run()
        except CommandError as refused:
            _flash(refused)
            return self._editor(kitchens, kitchen, monday, request.form, refused.fields, 400)
        flash(_("Semaine enregistrée (%(num)s jours avec un menu).", num=saved), "success")
        return self._back(kitchen, monday)

    @expose("/copier", methods=["POST"])
    @has_access
    @permission_name("edit")
    def copy(self):
        _kitchens_, kitchen, monday = self._target()
        if kitchen is None:
            return redirect(url_for(".week"), 303)
        weeks = editor.CYCLE_WEEKS if request.form.get("cycle") else 1
        try:
            copied = editor.CopyWeeks(kitchen.id, monday, weeks, local_now()).run()
        except CommandError as refused:
            _flash(refused)
        else:
            flash(_("%(num)s menus copiés.", num=copied), "success")
        return self._back(kitchen, monday)

    @expose("/publier", methods=["POST"])
    @has_access
    @permission_name("edit")
    def publish(self):
        _kitchens_, kitchen, monday = self._target()
        if kitchen is None:
            return redirect(url_for(".week"), 303)
        try:
            editor.PublishWeek(kitchen.id, monday, request.form.get("publish_on"),
                               local_now()).run()
        except CommandError as refused:
            _flash(refused)
        else:
            flash(_("Semaine publiée : les familles la voient à partir du %(day)s.",
                    day=parse_typed_day(request.form["publish_on"]).strftime("%d/%m/%Y")),
                  "success")
        return self._back(kitchen, monday)

    @expose("/affiche")
    @has_access
    @permission_name("list")
    def poster(self):
        from ...services.menus.documents import weekly_poster

        kitchen = _pick_kitchen(request.args.get("cuisine"), _kitchens())
        if kitchen is None:
            return redirect(url_for(".week"), 303)
        monday = _monday(request.args.get("semaine"))
        content = weekly_poster(kitchen, monday, local_today())
        return Response(content, mimetype="application/pdf", headers={
            "Content-Disposition": f"inline; filename=menus-{monday.isoformat()}.pdf"})


class StaffKitchenView(PortalStaffView):
    datamodel = SQLAInterface(Kitchen)
    route_base = "/gestion/cuisines"
    list_title = _l("Cuisines et prestataires")
    show_title = _l("Cuisine")
    add_title = _l("Nouvelle cuisine")
    edit_title = _l("Modifier la cuisine")
    label_columns = labels({
        "schools": _l("Écoles servies"),
        "caterer_name": _l("Prestataire"),
        "caterer_email": _l("Courriel du prestataire (commandes)"),
        "adult_meals": _l("Repas adultes par jour"),
        "alert_days": _l("Alerte allergène aux familles : jours avant"),
    })
    list_columns = ["name", "schools", "caterer_name", "caterer_email", "active"]
    add_columns = ["name", "schools", "caterer_name", "caterer_email", "adult_meals",
                   "alert_days", "active"]
    edit_columns = add_columns
    show_columns = add_columns
    base_order = ("name", "asc")


class StaffChildAllergenView(PortalStaffView):
    datamodel = SQLAInterface(ChildAllergen)
    route_base = "/gestion/allergenes-enfants"
    list_title = _l("Allergènes déclarés (allergies, PAI)")
    add_title = _l("Déclarer un allergène")
    edit_title = _l("Modifier l'allergène déclaré")
    show_title = _l("Allergène déclaré")
    label_columns = labels({"allergen": _l("Allergène")})
    enum_columns = {"allergen": Allergen}
    list_columns = ["child", "allergen"]
    add_columns = ["child", "allergen"]
    edit_columns = add_columns
    show_columns = add_columns
    search_columns = ["child", "allergen"]
