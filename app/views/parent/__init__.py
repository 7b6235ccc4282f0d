"""The parent space (the brochure's rubriques), always scoped to the user's families."""

from __future__ import annotations

from flask_appbuilder import AppBuilder


def register(appbuilder: AppBuilder) -> None:
    from . import (
        absence,
        account,
        alert_count,
        api,
        consents,
        data_export,
        documents,
        dossier,
        enrolment,
        family_switch,
        finances,
        home,
        menus,
        messages,
        news,
        payment,
        planning,
        quotient_caf,
        requests,
    )

    # planning and enrolment first: they open the « Mes réservations » menu.
    for module in (home, news, account, planning, enrolment, absence, menus, requests,
                   finances, payment, documents, messages, consents, dossier, api,
                   alert_count, quotient_caf, data_export, family_switch):
        module.register(appbuilder)
