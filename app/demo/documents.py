"""The demo town's published documents as real-looking PDFs (xhtml2pdf): the month's
canteen menus, the year's tariffs (the demo's own brackets), the règlement intérieur."""

from __future__ import annotations

import datetime as dt
import io

from babel.dates import format_date
from werkzeug.datastructures import FileStorage

from ..services.attendance import render_pdf
from ..services.money import euros
from .town import CANTEEN, CARE_EVENING, CARE_MORNING, TARIFFS

TOWN = "Ville de Saint-Père"
SERVICE = "Service des affaires scolaires"
ADDRESS = "Mairie, 1 place de l'Église, 35430 Saint-Père — 02 99 58 81 17"

STARTERS = ("Carottes râpées vinaigrette", "Velouté de potiron", "Salade de lentilles",
            "Betteraves au persil", "Concombre à la crème", "Taboulé à la menthe",
            "Potage de légumes du jardin", "Céleri rémoulade")
MAINS = ("Sauté de volaille label Rouge, riz pilaf", "Lasagnes aux légumes (végétarien)",
         "Poisson pané MSC, purée de brocolis", "Bœuf bourguignon, pommes vapeur",
         "Omelette aux fines herbes, haricots verts (végétarien)",
         "Filet de colin sauce citron, semoule", "Rôti de porc (sans porc : dinde), lentilles",
         "Chili sin carne, riz complet (végétarien)")
DAIRY = ("Yaourt nature bio", "Emmental", "Fromage blanc", "Camembert", "Petit-suisse")
DESSERTS = ("Pomme bio", "Compote maison", "Clémentines", "Gâteau au chocolat",
            "Poire", "Riz au lait", "Banane", "Crème vanille")
SERVICES = ((CANTEEN, "Restauration scolaire (le repas)"),
            (CARE_MORNING, "Accueil périscolaire du matin (la séance)"),
            (CARE_EVENING, "Accueil périscolaire du soir (la séance)"))


def _upload(filename: str, data: bytes) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=filename,
                       content_type="application/pdf")


def _render(title: str, subtitle: str, sections: list[dict], footer: str) -> bytes:
    return render_pdf("pdf/demo_document.html", title=title, subtitle=subtitle,
                      sections=sections, footer=footer, town=TOWN, service=SERVICE,
                      address=ADDRESS)


def menus_pdf(month: dt.date, filename: str) -> FileStorage:
    """Every school day of the month (Monday, Tuesday, Thursday, Friday), four courses."""
    days, day = [], month
    while day.month == month.month:
        if day.weekday() in (0, 1, 3, 4):
            days.append(day)
        day += dt.timedelta(days=1)
    rows = [(format_date(d, "EEEE d MMMM", locale="fr").capitalize(),
             STARTERS[i % len(STARTERS)], MAINS[(i * 3) % len(MAINS)],
             DAIRY[i % len(DAIRY)], DESSERTS[(i * 5) % len(DESSERTS)])
            for i, d in enumerate(days)]
    month_name = format_date(month, "MMMM yyyy", locale="fr")
    sections = [{"table": (("Jour", "Entrée", "Plat", "Laitage", "Dessert"), rows),
                 "note": "Produits bio ou sous signe de qualité : plus de 50 % (loi EGalim). "
                         "Un repas végétarien par semaine. Allergènes : liste affichée dans "
                         "chaque restaurant et sur le portail famille. Menus susceptibles de "
                         "modifications selon les livraisons."}]
    data = _render(f"Menus de {month_name}", "Restaurants scolaires de toutes les écoles",
                   sections, f"Menus de {month_name}")
    return _upload(filename, data)


def tariffs_pdf(year_label: str, filename: str) -> FileStorage:
    """The demo's tariffs by quotient familial (app/demo/town.py TARIFFS)."""
    sections = [{"paragraphs": [
        "Les tarifs dépendent du quotient familial (QF) de la CAF ou de la MSA en vigueur le "
        "jour de l'accueil. Sans attestation transmise, le tarif de la dernière tranche "
        "s'applique. Un accueil sans réservation est facturé au tarif majoré."]}]
    for code, label in SERVICES:
        rows = []
        for lo, hi, price, unbooked in TARIFFS[code]:
            bracket = f"de {lo} à {hi}" if hi is not None else f"{lo} et plus"
            rows.append((bracket, euros(price), euros(unbooked)))
        sections.append({"heading": label,
                         "table": (("Quotient familial", "Tarif", "Sans réservation"), rows)})
    sections.append({"note": "Tarifs votés par le conseil municipal. La tranche de QF 0 à 450 "
                             "bénéficie de la « cantine à 1 € » avec le soutien de l'État."})
    data = _render(f"Tarifs {year_label}", "Restauration scolaire et accueil périscolaire",
                   sections, f"Tarifs {year_label}")
    return _upload(filename, data)


REGLEMENT = (
    ("Article 1 — Objet", "Le présent règlement fixe les conditions d'accès à la "
     "restauration scolaire et à l'accueil périscolaire des écoles publiques et privées de "
     "la commune. L'inscription vaut acceptation du règlement."),
    ("Article 2 — Inscription", "L'inscription se fait chaque année sur le portail famille, "
     "avec le dossier annuel : fiche sanitaire, attestation d'assurance et attestation de "
     "quotient familial."),
    ("Article 3 — Réservations et annulations", "Les repas et les séances se réservent sur "
     "le portail jusqu'à deux jours ouvrés avant 10 h. Passé ce délai, la demande est "
     "étudiée par le service. Une annulation dans le délai n'est pas facturée."),
    ("Article 4 — Absences", "Une absence pour maladie signalée sur le portail, avec un "
     "certificat médical dans les huit jours, n'est pas facturée à partir du deuxième jour."),
    ("Article 5 — Santé et allergies", "Un enfant allergique est accueilli dans le cadre "
     "d'un projet d'accueil individualisé (PAI) signé par la famille, le médecin scolaire "
     "et la commune. Aucun médicament n'est donné hors PAI."),
    ("Article 6 — Facturation et paiement", "Une facture mensuelle est émise au début du "
     "mois suivant. Elle se paie en ligne (PayFiP), par prélèvement, chèque, espèces ou "
     "CESU pour l'accueil périscolaire."),
    ("Article 7 — Vie collective", "Les enfants respectent les camarades, le personnel et "
     "les locaux. Un comportement dangereux est signalé à la famille ; une exclusion "
     "temporaire peut être décidée après un entretien."),
)


def reglement_pdf(filename: str) -> FileStorage:
    sections = [{"heading": heading, "paragraphs": [text]} for heading, text in REGLEMENT]
    data = _render("Règlement intérieur de la restauration scolaire et de l'accueil "
                   "périscolaire", "Approuvé par délibération du conseil municipal",
                   sections, "Règlement intérieur")
    return _upload(filename, data)


def structure_info():
    """The information page of the Accueil, as the service would write it."""
    from ..models import StructureInfo

    return StructureInfo(
        title="Le service des affaires scolaires",
        hours="Lundi, mardi, jeudi et vendredi : 8 h 30 – 12 h et 13 h 30 – 17 h 30\n"
              "Mercredi : 8 h 30 – 12 h\nFermé pendant les vacances de Noël le matin.",
        addresses="Accueil du service : mairie, 1 place de l'Église, 35430 Saint-Père\n"
                  "École Théodore Chalmel : 4 rue des Écoles\n"
                  "École Sainte-Thérèse : 12 rue du Moulin",
        contacts="Service des affaires scolaires : 02 99 58 81 17, "
                 "affaires.scolaires@ville-saint-pere.fr\n"
                 "Facturation : 02 99 58 81 20\n"
                 "Restaurant scolaire Chalmel (absence du jour, avant 9 h) : 02 99 58 81 25")
