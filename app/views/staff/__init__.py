"""The back office of the service des affaires scolaires (one module per aggregate)."""

from __future__ import annotations

from flask_appbuilder import AppBuilder


def register(appbuilder: AppBuilder) -> None:
    from . import audit, bookings, documents, families, finance, home, news, schools

    home.register(appbuilder)
    # Menu order: Familles, Réservations, Finances, Documents, Communication, Paramètres.
    families.register(appbuilder)
    bookings.register(appbuilder)
    from . import attendance, queue  # request queue, pointage, kitchen count

    queue.register(appbuilder)
    attendance.register(appbuilder)
    finance.register(appbuilder)
    from . import billing  # the billing run, invoice PDFs, credit notes

    billing.register(appbuilder)
    from . import payments  # accounts and payments, unpaid list, SEPA, attestations

    payments.register(appbuilder)
    documents.register(appbuilder)
    from . import accounts  # logins and invitations, document review, missing, publishing

    accounts.register(appbuilder)
    news.register(appbuilder)
    from . import messages  # the families' conversations with the service

    messages.register(appbuilder)
    from . import state_services  # FranceConnect links, QF by API Particulier

    state_services.register(appbuilder)
    schools.register(appbuilder)
    audit.register(appbuilder)
    from . import gdpr  # anonymising a family (RGPD)

    gdpr.register(appbuilder)
    from . import menus  # menus, caterer import, kitchens, children's allergens (issue 14)

    menus.register(appbuilder)
