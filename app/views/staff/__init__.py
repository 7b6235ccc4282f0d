"""The back office of the service des affaires scolaires: every staff view module, and
the order of its menu (Familles, Réservations, Finances, Documents, Communication,
Paramètres). Each module's `register()` declares its views; nothing registers by import."""

from __future__ import annotations

from flask_appbuilder import AppBuilder


def register(appbuilder: AppBuilder) -> None:
    from . import (
        accounts,  # logins and invitations, document review, missing, publishing
        attendance,  # pointage, kitchen count
        audit,
        billing,  # the billing run, invoice PDFs, credit notes
        bookings,
        consents,  # the consents' campaigns
        documents,
        dossier,  # the yearly file (dossier annuel)
        families,
        finance,  # tariffs, invoices, credit notes, payments, SEPA mandates (FAB lists)
        gdpr,  # anonymising a family (RGPD)
        home,
        imports,  # families from the previous system (CSV / XLSX)
        jobs,  # background jobs: progress bar, report, retry
        mailings,  # one message to the families chosen (publipostage)
        menu_views,  # menus, caterer import, kitchens, children's allergens
        messages,  # the families' conversations with the service
        news,
        payment_batches,  # SEPA batches, attestations fiscales
        payments,  # accounts and payments, unpaid list and reminders
        queue,  # the request queue
        schools,
        state_reports,  # CAF hours of presence, « cantine à 1 € » claim
        state_services,  # FranceConnect links, QF by API Particulier
        statistics,  # the managers' statistics (SVG charts, tables, CSV)
        structure_info,
    )

    for module in (home, statistics, families, imports, bookings, queue, attendance, finance,
                   billing, payments, payment_batches, state_reports, documents, accounts,
                   news, structure_info, mailings, messages, consents, dossier, state_services,
                   schools, audit, gdpr, menu_views, jobs):
        module.register(appbuilder)
