"""Right of access and portability (RGPD art. 15 and 20): one ZIP archive with everything
the portal holds about one family: `donnees.json` (every row of every family-owned table,
through the same `family_clause` as the parent views) and `documents/` (the files the
family sent).

Left out: secrets (password hashes, link tokens, payment signatures), the bodies of the
mails (they carry single-use links) and the other household's rows for a shared child.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect, select

from ...extensions import db
from ...models import FamilyDocument, Guardian, Model, OutgoingMail
from ...security.scope import PUBLIC_REFERENCE_MODELS, family_clause, is_family_owned
from ..documents import FAMILY_FOLDER

FORMAT = "portail-famille-export/1"
#: Never in the archive: secrets and what would let someone else act for the family.
_SECRET = re.compile(r"password|token|hash|secret|signature|raw_response|stored_name")
_LEFT_OUT = {OutgoingMail: {"body_text", "body_html"}}


def _jsonable(value):
    if isinstance(value, bytes):  # a stored PDF (tax certificate): in the archive as base64
        return {"base64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return value


def _row(obj) -> dict:
    skipped = _LEFT_OUT.get(type(obj), set())
    return {attr.key: _jsonable(getattr(obj, attr.key))
            for attr in inspect(obj).mapper.column_attrs
            if not _SECRET.search(attr.key) and attr.key not in skipped}


def _family_models() -> list[type]:
    models = [mapper.class_ for mapper in Model.registry.mappers]
    return sorted((m for m in models if is_family_owned(m) and m not in PUBLIC_REFERENCE_MODELS),
                  key=lambda m: m.__tablename__)


def family_data(family_id: int) -> dict:
    """Every family-owned row of the family, by table, plus its guardians' logins."""
    tables = {}
    for model in _family_models():
        rows = db.session.scalars(
            select(model).where(family_clause(model, [family_id])).order_by(model.id))
        tables[model.__tablename__] = [_row(r) for r in rows]
    logins = [
        {"username": g.user.username, "email": g.user.email, "first_name": g.user.first_name,
         "last_name": g.user.last_name, "created_on": _jsonable(g.user.created_on),
         "last_login": _jsonable(g.user.last_login), "active": g.user.active}
        for g in db.session.scalars(select(Guardian).where(Guardian.family_id == family_id))
        if g.user is not None
    ]
    return {"format": FORMAT, "family_id": family_id, "tables": tables, "logins": logins}


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^\w.\- ]+", "_", name, flags=re.UNICODE).strip(" .") or "document"
    return cleaned[:100]


def family_archive(family_id: int, exported_at: dt.datetime) -> bytes:
    """The ZIP archive of the family's data and documents."""
    data = family_data(family_id)
    data["exported_at"] = exported_at.isoformat(timespec="seconds")
    folder = Path(current_app.config["PORTAL_UPLOAD_DIR"]) / FAMILY_FOLDER
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        documents = db.session.scalars(
            select(FamilyDocument).where(FamilyDocument.family_id == family_id)
            .order_by(FamilyDocument.id))
        listed = []
        for document in documents:
            path = folder / document.stored_name
            name = f"documents/{document.id}-{_safe_name(document.original_filename)}"
            if path.is_file():
                archive.write(path, name)
                listed.append({"id": document.id, "file": name})
        data["documents"] = listed
        archive.writestr("donnees.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr("LISEZMOI.txt", _README)
    return buffer.getvalue()


_README = """Vos données du portail famille
===============================

donnees.json : toutes les informations que le portail conserve sur votre famille (foyer,
responsables, enfants, personnes autorisées, quotient familial, inscriptions, réservations,
demandes, alertes, factures, paiements, mandats, courriels envoyés), table par table.
documents/ : les justificatifs que vous avez transmis.

Les mots de passe et les liens à usage unique n'y figurent pas.
Pour toute question : le service des affaires scolaires de la mairie.
"""
