"""The staff's actions on an import: upload a file, check it with a mapping (dry run,
mapping remembered), start the run in the background, invite the imported guardians."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ...extensions import db
from ...models import FamilyImport, Guardian, ImportState
from ..calendar import current_school_year, local_today
from ..command import BaseCommand
from ..errors import CommandError, ErrorCollector, transaction
from ..onboarding import InviteGuardian
from .check import Checked, check_rows, would_create
from .fields import FIELDS, remember_mapping
from .files import check_file, file_rows


@dataclass
class UploadImport(BaseCommand):
    filename: str
    content: bytes
    user_id: int | None

    def validate(self) -> None:
        check_file(self.filename or "", self.content)
        file_rows(self.filename, self.content)

    def run(self) -> FamilyImport:
        self.validate()
        with transaction():
            record = FamilyImport(filename=self.filename[:255], content=self.content,
                                  state=ImportState.uploaded, created_by_id=self.user_id)
            db.session.add(record)
        return record


def _record(import_id: int, states: tuple) -> FamilyImport:
    record = db.session.get(FamilyImport, import_id)
    if record is None:
        raise CommandError(_("Import introuvable."))
    if record.state not in states:
        raise CommandError(_("Cet import est déjà lancé ou terminé : déposez le fichier à "
                             "nouveau pour un nouvel import."))
    return record


@dataclass
class CheckImport(BaseCommand):
    """The dry run with a mapping: stores the refused lines (or none) and the mapping, which
    is also remembered for the next file. Nothing of the file is imported."""

    import_id: int
    mapping: Mapping[str, str]
    user_id: int | None
    checked: Checked | None = field(default=None, init=False)

    def validate(self) -> None:
        record = _record(self.import_id, (ImportState.uploaded, ImportState.checked,
                                           ImportState.refused))
        errors = ErrorCollector()
        for name, (label, _default, required) in FIELDS.items():
            if required and not (self.mapping.get(name) or "").strip():
                errors.add(_("Choisissez la colonne de « %(field)s ».", field=label),
                           f"map_{name}")
        errors.raise_if_any()
        self.checked = check_rows(file_rows(record.filename, record.content), self.mapping,
                                  current_school_year(local_today()) is not None)

    def run(self) -> tuple[Checked, dict[str, int]]:
        self.validate()
        counts = would_create(self.checked)
        with transaction():
            record = db.session.get(FamilyImport, self.import_id)
            record.mapping = json.dumps(dict(self.mapping), ensure_ascii=False)
            record.state = ImportState.checked if self.checked.ok else ImportState.refused
            record.errors = json.dumps(self.checked.errors, ensure_ascii=False)
            record.rows_total = len(self.checked.families)
            record.result = json.dumps({"preview": counts, "lines": self.checked.lines})
            remember_mapping(self.mapping, self.user_id)
        return self.checked, counts


@dataclass
class StartImport(BaseCommand):
    """Queue a checked import (its run is all or nothing, in the background)."""

    import_id: int

    def validate(self) -> None:
        _record(self.import_id, (ImportState.checked,))

    def run(self) -> FamilyImport:
        self.validate()
        with transaction():
            record = db.session.get(FamilyImport, self.import_id)
            record.state, record.rows_done = ImportState.queued, 0
        return record


@dataclass
class InviteImported(BaseCommand):
    """Send their invitation to the guardians an import created: all of them (with an
    address and no login yet) or the ones staff ticked."""

    import_id: int
    guardian_ids: list[int] | None  # None: every one
    staff_user_id: int | None
    chosen: list[Guardian] = field(default_factory=list, init=False)

    def validate(self) -> None:
        record = _record(self.import_id, (ImportState.done,))
        created = set(json.loads(record.result or "{}").get("guardian_ids", []))
        wanted = created if self.guardian_ids is None else set(self.guardian_ids) & created
        self.chosen = [g for g in db.session.query(Guardian).filter(
            Guardian.id.in_(wanted or [-1])).order_by(Guardian.last_name, Guardian.first_name)
            if g.email and g.user_id is None]
        if not self.chosen:
            raise CommandError(_("Aucun responsable à inviter : choisissez des responsables "
                                 "importés, avec une adresse électronique et pas encore "
                                 "invités."))

    def run(self) -> int:
        self.validate()
        for guardian in self.chosen:
            InviteGuardian(guardian.id, self.staff_user_id).run()
        return len(self.chosen)
