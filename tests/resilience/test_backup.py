"""`flask portal backup` / `restore`: an archive restored into an empty database and an
empty upload folder gives back the same rows (every table, every column) and the same
files. SQLite here; PostgreSQL (pg_dump / pg_restore) on our own cluster."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import inspect, select

from app import create_app
from app.extensions import db
from app.models import DocumentType, FamilyDocument, Invoice, Model
from app.tasks import init_celery
from tests import factories as f


def _app(test_app, url: str, uploads: Path):
    other = create_app("testing", SQLALCHEMY_DATABASE_URI=url, PORTAL_UPLOAD_DIR=str(uploads))
    init_celery(test_app)
    return other


def _town(source) -> None:
    """Two families with children, an invoice, and a document whose file is on disk."""
    with source.app_context():
        upgrade()
        source.appbuilder.sm.create_roles()
        school = f.school("Théodore Chalmel")
        service = f.service(schools=[school])
        family = f.family("Sauvegarde", school, children=2, username="parent.sauvegarde")
        f.family("Autre", school)
        f.invoice(family, family.children[0], service)
        kind = DocumentType(code="qf", label="Attestation CAF")
        db.session.add(kind)
        stored = secrets.token_hex(24)
        folder = Path(source.config["PORTAL_UPLOAD_DIR"]) / "family"
        folder.mkdir(parents=True)
        (folder / stored).write_bytes(b"%PDF-1.4 attestation " + secrets.token_bytes(64))
        db.session.add(FamilyDocument(
            family_id=family.id, document_type=kind, original_filename="caf.pdf",
            stored_name=stored, content_type="application/pdf", size=85,
            uploaded_at=dt.datetime(2026, 11, 30, 9, 0)))
        db.session.commit()


def _rows(some_app) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    with some_app.app_context():
        names = set(inspect(db.engine).get_table_names())
        tables = [t for t in Model.metadata.sorted_tables if t.name in names]
        rows = {t.name: [tuple(r) for r in db.session.execute(
            select(t).order_by(*t.primary_key.columns))] for t in tables}
        db.session.remove()
        return rows


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _round_trip(app, tmp_path: Path, source_url: str, target_url: str):
    source = _app(app, source_url, tmp_path / "uploads-source")
    _town(source)
    saved = source.test_cli_runner().invoke(
        args=["portal", "backup", "--output", str(tmp_path / "backups")])
    assert saved.exit_code == 0, saved.output
    [archive] = (tmp_path / "backups").glob("portail-*.tar.gz")
    assert archive.stat().st_mode & 0o077 == 0, "the archive holds health data: owner only"

    target = _app(app, target_url, tmp_path / "uploads-target")
    restored = target.test_cli_runner().invoke(args=["portal", "restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    assert "Restauration terminée" in restored.output
    return source, target, archive


def _same(source, target, tmp_path: Path) -> None:
    before, after = _rows(source), _rows(target)
    assert before["family"] and before["family_document"] and before["invoice"]
    assert after == before
    files = _files(tmp_path / "uploads-source")
    assert files and _files(tmp_path / "uploads-target") == files
    with target.app_context():  # the restored portal works: a model query, a login
        assert db.session.query(Invoice).count() == 1
        db.session.remove()
    client = target.test_client()
    assert f.login(client, "parent.sauvegarde").status_code in (302, 303)


def test_sqlite_backup_restores_the_same_rows_and_files(app, tmp_path):
    source, target, archive = _round_trip(
        app, tmp_path, f"sqlite:///{tmp_path / 'source.db'}",
        f"sqlite:///{tmp_path / 'target.db'}")
    _same(source, target, tmp_path)

    again = target.test_cli_runner().invoke(args=["portal", "restore", str(archive)])
    assert again.exit_code != 0
    assert "base vide" in again.output, "a restore never overwrites a database silently"
    replaced = target.test_cli_runner().invoke(
        args=["portal", "restore", str(archive), "--replace"])
    assert replaced.exit_code == 0, replaced.output
    _same(source, target, tmp_path)


def test_restore_refuses_a_file_that_is_not_a_backup(app, tmp_path):
    import tarfile

    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        (tmp_path / "x.txt").write_text("x")
        tar.add(tmp_path / "x.txt", "x.txt")
    target = _app(app, f"sqlite:///{tmp_path / 't.db'}", tmp_path / "u")
    result = target.test_cli_runner().invoke(args=["portal", "restore", str(bogus)])
    assert result.exit_code != 0 and "pas une sauvegarde" in result.output


@pytest.mark.postgres
def test_postgres_backup_restores_the_same_rows_and_files(app, tmp_path, pg_cluster):
    source_url = pg_cluster.create_database("backup_source")
    target_url = pg_cluster.create_database("backup_target")  # empty: no table at all
    source, target, _archive = _round_trip(app, tmp_path, source_url, target_url)
    _same(source, target, tmp_path)
    for some_app in (source, target):
        with some_app.app_context():
            db.engine.dispose()
