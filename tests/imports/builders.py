"""Import files for the tests, written the way a previous system exports them."""

from __future__ import annotations

import io

HEADER = ["Code famille", "Nom du foyer", "Adresse", "CP", "Ville", "Prénom resp.",
          "Nom resp.", "Courriel resp.", "Prénom resp. 2", "Nom resp. 2", "Courriel resp. 2",
          "Prénom enfant", "Nom enfant", "Né(e) le", "École", "Classe", "Services", "QF",
          "QF du", "QF au", "IBAN", "BIC", "RUM", "Signé le"]

#: The mapping a manager chooses for HEADER.
MAPPING = {
    "account_code": "Code famille", "family_name": "Nom du foyer", "address": "Adresse",
    "postal_code": "CP", "city": "Ville", "g1_first_name": "Prénom resp.",
    "g1_last_name": "Nom resp.", "g1_email": "Courriel resp.",
    "g2_first_name": "Prénom resp. 2", "g2_last_name": "Nom resp. 2",
    "g2_email": "Courriel resp. 2", "child_first_name": "Prénom enfant",
    "child_last_name": "Nom enfant", "child_birth_date": "Né(e) le", "school": "École",
    "class_name": "Classe", "services": "Services", "qf": "QF", "qf_from": "QF du",
    "qf_to": "QF au", "iban": "IBAN", "bic": "BIC", "rum": "RUM",
    "mandate_signed_on": "Signé le",
}

GOOD_IBAN = "FR7630006000011234567890189"


def row(n: int, school: str = "Théodore Chalmel", **over) -> list[str]:
    values = {
        "code": "", "name": f"Famille Import{n}", "address": f"{n} rue des Écoles",
        "cp": "35430", "city": "Saint-Père", "g1f": "Anne", "g1l": f"Import{n}",
        "g1m": f"anne.import{n}@example.org", "g2f": "", "g2l": "", "g2m": "",
        "cf": "Léo", "cl": f"Import{n}", "birth": "14/03/2019", "school": school,
        "class": "CP", "services": "", "qf": "", "qf_from": "", "qf_to": "", "iban": "",
        "bic": "", "rum": "", "signed": "",
    }
    values.update(over)
    return list(values.values())


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    lines = [";".join(header)] + [";".join(r) for r in rows]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def xlsx_bytes(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
