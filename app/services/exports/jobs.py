"""Large exports as background jobs (app.services.jobs): a staff list's export with more
rows than PORTAL_EXPORT_JOB_ROWS (XLSX) or PORTAL_EXPORT_JOB_ROWS_CSV (CSV) is not
answered by its request (a million XLSX rows take longer than the server's timeout): it
becomes a job, whose handler writes the file into PORTAL_UPLOAD_DIR/exports/, reporting
its progress, and the job's page offers « Télécharger ».

- `plan_export(…)` decides: None (below the threshold: the view answers the file as
  before) or the started job. Its params are the list (the staff view's name), the format,
  the list's own query-string arguments (its FAB filters `_flt_…` and order `_oc_…`/`_od_…`)
  and the user's language: the worker rebuilds the very same query through the same view
  code (`ExportTable` from the lookup the views `provide_lists` once).
- `export_job(run)`: the handler. The file is written beside its final name and then
  renamed: a retry rewrites it, never a second file, never a half file under the name.
- `export_download(job_id, user_id, admin)`: the file for the user who started the job
  (or an admin), None for anyone else; a French `CommandError` when it is not ready,
  expired or missing.
- `purge_exports()`: deletes the files older than PORTAL_EXPORT_KEEP_DAYS (portal clock),
  run by the beat task `portal.purge_exports` (app/services/exports/tasks.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from ...extensions import db
from ...models import Job, JobState
from ..calendar import local_now
from ..errors import CommandError
from ..jobs import JobOutcome, JobRun, start_job
from .writers import XLSX_MAX_ROWS, Column, csv_chunks, write_xlsx

EXPORT_JOB = "export"
FORMATS = ("csv", "xlsx")
#: The job reports its progress every this many rows.
PROGRESS_EVERY = 5000
_LISTS_KEY = "portal.export_lists"
_ARG = re.compile(r"_flt_\d_.+")
_FILE = re.compile(r"job-(\d+)\.(csv|xlsx)(\.part)?")
MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass
class ExportTable:
    """A list's export as its view builds it: file stem, sheet title, columns, rows."""

    name: str
    title: Any
    columns: list[Column]
    rows: Iterator[tuple]


#: What the views provide: the list's name and its query-string arguments → its table.
ListLookup = Callable[[str, list[tuple[str, str]]], ExportTable | None]


def provide_lists(lookup: ListLookup) -> None:
    """Given once by the views (app/views/staff/jobs.py `register`): the worker rebuilds a
    list's export through the view's own query code, never a second query builder."""
    current_app.extensions[_LISTS_KEY] = lookup


def list_args(pairs: Iterable[tuple[str, str]], list_name: str) -> list[list[str]]:
    """The arguments of the list's query string that shape its rows: its filters and its
    order (FAB's names), in their order; nothing else (page, page size…)."""
    order = {f"_oc_{list_name}", f"_od_{list_name}"}
    return [[key, value] for key, value in pairs if key in order or _ARG.fullmatch(key)]


def threshold(fmt: str) -> int:
    config = current_app.config
    if fmt == "csv":
        return int(config.get("PORTAL_EXPORT_JOB_ROWS_CSV") or 200_000)
    return int(config.get("PORTAL_EXPORT_JOB_ROWS") or 50_000)


def count_rows(query) -> int:
    """The rows of a list's query (legacy ORM Query on one model), without loading them."""
    model = query.column_descriptions[0]["entity"]
    key = sa_inspect(model).primary_key[0]
    return query.with_entities(key).order_by(None).count()


def plan_export(list_name: str, fmt: str, args: list[list[str]], query, *,
                user_id: int | None, locale: str = "fr") -> Job | None:
    """None when the list is small enough to be answered at once; else its export job
    (started, or the same one for a double click). Refused past Excel's last row."""
    if fmt not in FORMATS:
        raise CommandError(_("Format d'export inconnu : %(fmt)s.", fmt=fmt))
    count = count_rows(query)
    if fmt == "xlsx" and count > XLSX_MAX_ROWS:
        raise CommandError(_too_many_for_excel())
    if count <= threshold(fmt):
        return None
    params = {"list": list_name, "format": fmt, "args": args, "locale": locale,
              "rows": count}
    digest = hashlib.sha256(json.dumps([list_name, fmt, args], sort_keys=True)
                            .encode()).hexdigest()[:32]
    # A double click (the same minute) gives the same job; later, a fresh export.
    key = f"export:{user_id}:{digest}:{local_now():%Y%m%d%H%M}"
    return start_job(EXPORT_JOB, params, key=key, user_id=user_id)


def _too_many_for_excel() -> str:
    return _("Cette liste dépasse %(max)s lignes, la limite d'Excel : filtrez-la ou "
             "exportez-la en CSV.", max=f"{XLSX_MAX_ROWS:,}".replace(",", "\u202f"))


def exports_dir() -> Path:
    return Path(current_app.config["PORTAL_UPLOAD_DIR"]) / "exports"


def _path(job_id: int, fmt: str) -> Path:
    return exports_dir() / f"job-{job_id}.{fmt}"


class _Counted:
    """The rows, counted as they are read, with a progress report every PROGRESS_EVERY."""

    def __init__(self, rows: Iterable[tuple], run: JobRun, total: int):
        self.rows, self.run, self.total, self.count = rows, run, total, 0

    def __iter__(self) -> Iterator[tuple]:
        for self.count, row in enumerate(self.rows, start=1):  # noqa: B020
            yield row
            if self.count % PROGRESS_EVERY == 0:
                self.run.progress(self.count, max(self.count, self.total))


def export_job(run: JobRun) -> JobOutcome:
    """Write the export's file (see the module's docstring) and report it in French."""
    params = run.params
    fmt = params["format"]
    if fmt not in FORMATS:
        raise CommandError(_("Format d'export inconnu : %(fmt)s.", fmt=fmt))
    lookup: ListLookup | None = current_app.extensions.get(_LISTS_KEY)
    with force_locale(params.get("locale") or "fr"):
        table = lookup(params["list"], [tuple(p) for p in params["args"]]) if lookup else None
        if table is None:
            raise CommandError(_("Cette liste ne peut plus être exportée."))
        total = int(params.get("rows") or 0)  # counted when the export was asked for
        run.progress(0, total)
        target = _path(run.id, fmt)
        written = _write(target, fmt, table, _Counted(table.rows, run, total))
        run.progress(written, written)
        download_name = f"{table.name}-{local_now().date().isoformat()}.{fmt}"
    with force_locale("fr"):
        summary = _("Export terminé : %(count)s lignes au format %(format)s, à télécharger "
                    "pendant %(days)d jours.", count=_number(written), format=fmt.upper(),
                    days=keep_days())
    return JobOutcome(summary, result={
        "rows": written, "format": fmt, "file": target.name, "name": download_name,
        "written_at": local_now().isoformat(timespec="seconds")})


def _number(count: int) -> str:
    return f"{count:,}".replace(",", "\u202f")


def _write(target: Path, fmt: str, table: ExportTable, rows: _Counted) -> int:
    """The file, written under a temporary name then renamed (atomic): a retry replaces
    it whole. Returns the number of rows."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    try:
        if fmt == "csv":
            with partial.open("w", encoding="utf-8", newline="") as handle:
                for chunk in csv_chunks(table.columns, rows):
                    handle.write(chunk)
        else:
            try:
                write_xlsx(str(partial), str(table.title or table.name), table.columns, rows)
            except ValueError as exc:
                raise CommandError(_too_many_for_excel()) from exc
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return rows.count


# --- Download and expiry ---------------------------------------------------------------


def keep_days() -> int:
    return int(current_app.config.get("PORTAL_EXPORT_KEEP_DAYS") or 7)


def may_download(job: Job, user_id: int | None, admin: bool) -> bool:
    """Only the staff user who started the export, or an admin."""
    return job.kind == EXPORT_JOB and (admin or (user_id is not None
                                                 and job.started_by_id == user_id))


@dataclass(frozen=True)
class ExportFile:
    path: Path
    name: str
    mimetype: str


def _expired(result: dict) -> bool:
    try:
        written = dt.datetime.fromisoformat(result["written_at"])
    except (KeyError, TypeError, ValueError):
        return True
    return local_now() - written > dt.timedelta(days=keep_days())


def export_download(job_id: int, user_id: int | None, admin: bool) -> ExportFile | None:
    """The finished export's file; None (a 404) for a job that is not an export the user
    may download; a French CommandError when it is not ready, expired or gone."""
    job = db.session.get(Job, job_id)
    if job is None or not may_download(job, user_id, admin):
        return None
    if job.state != JobState.done:
        raise CommandError(_("Cet export n'est pas encore prêt : suivez son avancement "
                             "ci-dessous."))
    result = job.result or {}
    path = _path(job.id, result.get("format", ""))
    if result.get("format") not in FORMATS or _expired(result) or not path.is_file():
        raise CommandError(_("Ce fichier d'export n'est plus disponible (il est gardé "
                             "%(days)d jours) : exportez la liste à nouveau.",
                             days=keep_days()))
    return ExportFile(path, result.get("name") or path.name, MIMETYPES[result["format"]])


def purge_exports() -> int:
    """Delete the export files past PORTAL_EXPORT_KEEP_DAYS (and the leftovers of a job
    no longer running). Returns how many files were deleted."""
    folder = exports_dir()
    if not folder.is_dir():
        return 0
    files = [(m, p) for p in folder.iterdir() if (m := _FILE.fullmatch(p.name))]
    ids = {int(m.group(1)) for m, _p in files}
    jobs = {job.id: job for job in db.session.scalars(select(Job).where(Job.id.in_(ids)))}
    deleted = 0
    for match, path in files:
        job = jobs.get(int(match.group(1)))
        if job is None or job.kind != EXPORT_JOB:
            stale = True
        elif match.group(3):  # a partial file: only while its job runs
            stale = job.state not in (JobState.queued, JobState.running)
        else:
            stale = _expired(job.result or {})
        if stale:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
