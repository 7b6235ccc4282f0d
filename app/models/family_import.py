"""Imports of families, guardians and children from the previous system's file (CSV / XLSX):
the uploaded file, its column mapping, its check and its run (state, progress, result)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, DateTime, Integer, LargeBinary, String, Text
from sqlalchemy.orm import relationship

from .base import LabelledEnum, Model, user_fk, utcnow


class ImportState(LabelledEnum):
    uploaded = "uploaded"  # the file is stored, its columns not yet mapped or checked
    checked = "checked"  # the dry run found no refused row
    refused = "refused"  # the dry run refused rows (listed in `errors`)
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"  # nothing was imported


ImportState.LABELS = {
    ImportState.uploaded: _l("Fichier déposé"),
    ImportState.checked: _l("Vérifié, prêt à importer"),
    ImportState.refused: _l("Lignes refusées"),
    ImportState.queued: _l("En file d'attente"),
    ImportState.running: _l("Import en cours"),
    ImportState.done: _l("Importé"),
    ImportState.failed: _l("Échec (rien n'a été importé)"),
}


class FamilyImport(Model):
    """One uploaded file and what became of it. The rows are imported in one transaction;
    progress is written beside it (its own short transactions) so the page shows it move."""

    __tablename__ = "family_import"
    id = Column(Integer, primary_key=True)
    filename = Column(String(255), nullable=False)
    content = Column(LargeBinary, nullable=False)
    mapping = Column(Text)  # JSON {field: column header}
    state = Column(String(16), nullable=False, default=ImportState.uploaded)
    rows_total = Column(Integer, nullable=False, default=0)
    rows_done = Column(Integer, nullable=False, default=0)
    errors = Column(Text)  # JSON [[line, reason], …] of the dry run, or the failure
    result = Column(Text)  # JSON counts created / matched, imported guardian ids
    created_by_id = user_fk()
    created_at = Column(DateTime, nullable=False, default=utcnow)
    started_at = Column(DateTime)
    finished_at = Column(DateTime)

    created_by = relationship("User", foreign_keys=[created_by_id])

    def __repr__(self) -> str:
        return self.filename


class ImportMapping(Model):
    """The column mapping last used for a kind of import, offered for the next file."""

    __tablename__ = "import_mapping"
    id = Column(Integer, primary_key=True)
    kind = Column(String(32), unique=True, nullable=False)  # "families"
    mapping = Column(Text, nullable=False)  # JSON {field: column header}
    updated_by_id = user_fk()
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


__all__ = ["FamilyImport", "ImportMapping", "ImportState"]
