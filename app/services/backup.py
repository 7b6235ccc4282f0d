"""Backup and restore: one archive holding the database and the uploaded files.

`flask portal backup` writes `portail-AAAAMMJJ-HHMMSS.tar.gz` with:
- `manifest.json`: format, date, database kind, schema revision, rows per table;
- `database.dump` (PostgreSQL, `pg_dump --format=custom`) or `database.sqlite` (SQLite,
  a consistent copy through SQLite's online backup API, safe while the app writes);
- `uploads/`: the PORTAL_UPLOAD_DIR folder (family documents, published documents).

`flask portal restore ARCHIVE` loads it into an empty database and upload folder
(`pg_restore --single-transaction`, or the SQLite file copied back), and checks the rows
per table against the manifest. It refuses a database that already holds the portal's
tables unless `--replace` is given.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url

from ..extensions import db
from ..models import Model
from .errors import CommandError

FORMAT = "portail-famille-backup/1"
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite"
UPLOADS = "uploads"


class BackupError(CommandError):
    """A backup or restore that cannot be done (French message)."""


@dataclass
class Restored:
    tables: int
    rows: int
    files: int


# --- backup -------------------------------------------------------------------------------


def backup(target: Path) -> Path:
    """Write the archive into the folder `target` (or to the file `target` if it ends in
    .tar.gz). Returns the archive's path."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    archive = target if target.name.endswith(".tar.gz") else target / f"portail-{stamp}.tar.gz"
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="portail-backup-") as work:
        folder = Path(work)
        database_file = _dump_database(folder)
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": db.engine.dialect.name,
            "revision": _revision(),
            "rows": table_counts(),
            "files": sorted(str(p.relative_to(_uploads())) for p in _files(_uploads())),
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(folder / MANIFEST, MANIFEST)
            tar.add(database_file, database_file.name)
            if _uploads().exists():
                tar.add(_uploads(), UPLOADS)
        partial.replace(archive)  # a crash never leaves a truncated archive under the name
    os.chmod(archive, 0o600)  # children's health data: readable by the owner only
    return archive


def _dump_database(folder: Path) -> Path:
    if db.engine.dialect.name == "postgresql":
        out = folder / PG_DUMP
        _run_pg(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                 f"--file={out}"])
        return out
    if db.engine.dialect.name == "sqlite":
        out = folder / SQLITE_COPY
        source = sqlite3.connect(_sqlite_path())
        copy = sqlite3.connect(out)
        try:
            source.backup(copy)  # consistent even while the app writes
        finally:
            copy.close()
            source.close()
        return out
    raise BackupError(f"Base de données non prise en charge : {db.engine.dialect.name}.")


def _run_pg(command: list[str]) -> None:
    """A PostgreSQL client tool on the app's database; the password goes by environment,
    never on the command line (visible to every local user)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} est introuvable : installez le client PostgreSQL.")
    done = subprocess.run([tool, *command[1:], f"--dbname={conninfo}"], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} a échoué : {done.stderr.strip()[-1000:]}")


def _sqlite_path() -> str:
    path = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
    if not path or path == ":memory:":
        raise BackupError("Une base SQLite en mémoire ne se sauvegarde pas.")
    return path


def _uploads() -> Path:
    return Path(current_app.config["PORTAL_UPLOAD_DIR"])


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _revision() -> str | None:
    if "alembic_version" not in inspect(db.engine).get_table_names():
        return None
    return db.session.execute(db.text("SELECT version_num FROM alembic_version")).scalar()


def table_counts() -> dict[str, int]:
    """Rows per table of the portal's schema (every table the migrations created)."""
    names = set(inspect(db.engine).get_table_names())
    tables = [t for t in Model.metadata.sorted_tables if t.name in names]
    counts = {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in tables}
    db.session.commit()  # end the read transaction (SQLite file copies, pg_restore)
    return counts


# --- restore ------------------------------------------------------------------------------


def restore(archive: Path, replace: bool = False) -> Restored:
    """Load `archive` into the configured database and upload folder."""
    if not archive.is_file():
        raise BackupError(f"Archive introuvable : {archive}.")
    with tempfile.TemporaryDirectory(prefix="portail-restore-") as work:
        folder = Path(work)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(folder, filter="data")  # no absolute paths, no "..", no devices
        manifest = _manifest(folder)
        _check_target(replace)
        _load_database(folder, manifest)
        files = _restore_uploads(folder / UPLOADS)
    counts = table_counts()
    if counts != manifest["rows"]:
        differing = sorted(k for k in manifest["rows"] if counts.get(k) != manifest["rows"][k])
        raise BackupError("Restauration incomplète : lignes différentes dans "
                          + ", ".join(differing) + ".")
    return Restored(tables=len(counts), rows=sum(counts.values()), files=files)


def _manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError("Ce fichier n'est pas une sauvegarde du portail.") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError("Format de sauvegarde inconnu.")
    if manifest.get("database") != db.engine.dialect.name:
        raise BackupError(
            f"Sauvegarde d'une base {manifest.get('database')} : elle se restaure dans une "
            f"base du même type (ici {db.engine.dialect.name})."
        )
    return manifest


def _check_target(replace: bool) -> None:
    db.session.remove()
    existing = set(inspect(db.engine).get_table_names())
    ours = {t.name for t in Model.metadata.sorted_tables}
    if existing & ours and not replace:
        raise BackupError("La base de destination contient déjà les tables du portail : "
                          "restaurez dans une base vide, ou ajoutez --replace pour l'écraser.")
    if _files(_uploads()) and not replace:
        raise BackupError(f"Le dossier des documents {_uploads()} n'est pas vide : ajoutez "
                          "--replace pour l'écraser.")


def _load_database(folder: Path, manifest: dict) -> None:
    db.session.remove()
    db.engine.dispose()  # no pooled connection survives the swap
    if manifest["database"] == "postgresql":
        _run_pg(["pg_restore", "--no-owner", "--no-privileges", "--clean", "--if-exists",
                 "--single-transaction", "--exit-on-error", str(folder / PG_DUMP)])
    else:
        target = sqlite3.connect(_sqlite_path())
        source = sqlite3.connect(folder / SQLITE_COPY)
        try:
            source.backup(target)  # replaces the whole database, atomically
        finally:
            source.close()
            target.close()
    db.engine.dispose()


def _restore_uploads(source: Path) -> int:
    target = _uploads()
    if target.exists():
        shutil.rmtree(target)  # empty, or --replace
    target.mkdir(parents=True, exist_ok=True)
    if source.exists():
        shutil.copytree(source, target, dirs_exist_ok=True)
    return len(_files(target))
