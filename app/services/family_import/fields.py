"""The fields an import file may hold, the header expected for each by default, the
mapping remembered from the last file, and the matching rules shown on the page."""

from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import ImportMapping
from ...models.base import utcnow

KIND = "families"

#: field → (label, default header, required)
FIELDS: dict[str, tuple] = {
    "account_code": (_l("Numéro de compte du foyer"), "code_famille", False),
    "family_name": (_l("Nom du foyer"), "nom_foyer", True),
    "address": (_l("Adresse"), "adresse", False),
    "postal_code": (_l("Code postal"), "code_postal", False),
    "city": (_l("Ville"), "ville", False),
    "phone": (_l("Téléphone du foyer"), "telephone", False),
    "g1_first_name": (_l("Responsable 1 : prénom"), "resp1_prenom", True),
    "g1_last_name": (_l("Responsable 1 : nom"), "resp1_nom", True),
    "g1_email": (_l("Responsable 1 : adresse électronique"), "resp1_email", False),
    "g1_phone": (_l("Responsable 1 : téléphone portable"), "resp1_telephone", False),
    "g1_relationship": (_l("Responsable 1 : lien (mère, père…)"), "resp1_lien", False),
    "g2_first_name": (_l("Responsable 2 : prénom"), "resp2_prenom", False),
    "g2_last_name": (_l("Responsable 2 : nom"), "resp2_nom", False),
    "g2_email": (_l("Responsable 2 : adresse électronique"), "resp2_email", False),
    "g2_phone": (_l("Responsable 2 : téléphone portable"), "resp2_telephone", False),
    "child_first_name": (_l("Enfant : prénom"), "enfant_prenom", False),
    "child_last_name": (_l("Enfant : nom"), "enfant_nom", False),
    "child_birth_date": (_l("Enfant : date de naissance (jj/mm/aaaa)"), "enfant_naissance",
                         False),
    "school": (_l("Enfant : école"), "ecole", False),
    "class_name": (_l("Enfant : classe"), "classe", False),
    "services": (_l("Enfant : inscriptions (codes des services, séparés par des virgules)"),
                 "inscriptions", False),
    "qf": (_l("Quotient familial"), "qf", False),
    "qf_from": (_l("QF valable du (jj/mm/aaaa)"), "qf_debut", False),
    "qf_to": (_l("QF valable au (jj/mm/aaaa)"), "qf_fin", False),
    "iban": (_l("Mandat SEPA : IBAN"), "iban", False),
    "bic": (_l("Mandat SEPA : BIC"), "bic", False),
    "rum": (_l("Mandat SEPA : RUM"), "rum", False),
    "mandate_signed_on": (_l("Mandat SEPA : signé le (jj/mm/aaaa)"), "mandat_signe_le", False),
}

#: How a row finds what already exists (shown on the page): a second import of the same
#: file matches everything and creates nothing.
MATCHING_RULES = (
    _l("Foyer : par son numéro de compte ; sans numéro, par le foyer du responsable 1 "
       "(son adresse électronique) s'il porte le même nom ; sinon un nouveau foyer. Les "
       "lignes d'un même foyer (même numéro, ou même nom et même responsable 1) sont "
       "regroupées : une ligne par enfant."),
    _l("Responsable : par son adresse électronique ; sans adresse, par foyer + prénom + nom."),
    _l("Enfant : par foyer + prénom + date de naissance."),
    _l("Quotient familial : par foyer + date de début de validité."),
    _l("Inscription : par enfant + service + année scolaire."),
    _l("Mandat SEPA : par sa RUM."),
    _l("Ce qui existe déjà n'est jamais modifié ni supprimé : l'import ne fait qu'ajouter."),
)


def default_mapping() -> dict[str, str]:
    return {name: spec[1] for name, spec in FIELDS.items()}


def saved_mapping() -> dict[str, str]:
    """The mapping of the last import (the default headers for the first one)."""
    row = db.session.query(ImportMapping).filter_by(kind=KIND).first()
    mapping = default_mapping()
    if row is not None:
        mapping.update({k: v for k, v in json.loads(row.mapping).items() if k in FIELDS})
    return mapping


def remember_mapping(mapping: dict[str, str], user_id: int | None) -> None:
    """Store the mapping for the next file (in the caller's transaction)."""
    row = db.session.query(ImportMapping).filter_by(kind=KIND).first()
    if row is None:
        row = ImportMapping(kind=KIND)
        db.session.add(row)
    row.mapping = json.dumps({k: mapping.get(k, "") for k in FIELDS}, ensure_ascii=False)
    row.updated_by_id = user_id
    row.updated_at = utcnow()
