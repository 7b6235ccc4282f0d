"""The schema the migrations build is the schema the models describe.

- On every database (SQLite by default, PostgreSQL with TEST_DATABASE_URL): Alembic's
  autogenerate finds no difference between the models and the migrated database, so a model
  change without its migration fails here; and the migrations have a single head.
- On PostgreSQL only (marked `postgres`): money columns are numeric(10,2) and round-trip
  Decimals exactly, and the booking unique constraint is enforced by the database.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import Numeric, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Booking, Invoice, Model
from tests import factories as f

ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
postgres_only = pytest.mark.skipif(
    not ON_POSTGRES, reason="needs TEST_DATABASE_URL=postgresql://…"
)


def _script_directory() -> ScriptDirectory:
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config)


def test_migrations_have_a_single_head(app_ctx):
    heads = _script_directory().get_heads()
    assert len(heads) == 1, f"several migration heads, merge them: {heads}"


def test_database_is_at_the_migrations_head(app_ctx):
    current = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert current == list(_script_directory().get_heads())


def test_models_match_the_migrated_schema(app_ctx):
    """What `flask db migrate` would generate now: must be nothing."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        differences = compare_metadata(context, Model.metadata)
    assert differences == [], (
        "the models differ from the migrations (a migration is missing):\n"
        + "\n".join(repr(d) for d in differences)
    )


def _money_columns() -> list[tuple[str, str]]:
    return [
        (table.name, column.name)
        for table in Model.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, Numeric)
    ]


@pytest.mark.postgres
@postgres_only
def test_money_columns_are_numeric_10_2(app_ctx):
    expected = _money_columns()
    assert len(expected) >= 5  # invoice, invoice lines, credit notes, payments, tariffs
    rows = db.session.execute(
        text(
            "SELECT table_name, column_name, data_type, numeric_precision, numeric_scale "
            "FROM information_schema.columns WHERE table_schema = current_schema()"
        )
    ).all()
    actual = {(r.table_name, r.column_name): (r.data_type, r.numeric_precision, r.numeric_scale)
              for r in rows}
    wrong = {c: actual.get(c) for c in expected if actual.get(c) != ("numeric", 10, 2)}
    assert wrong == {}, f"money columns that are not numeric(10,2): {wrong}"


@pytest.mark.postgres
@postgres_only
def test_money_round_trips_exactly(app_ctx):
    sch = f.school()
    fam = f.family("Decimal", sch)
    inv = f.invoice(fam, fam.children[0], f.service(schools=[sch]))
    inv.total = Decimal("1234.05") + Decimal("0.10")
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Invoice, inv.id).total
    assert isinstance(stored, Decimal)
    assert stored == Decimal("1234.15")
    raw = db.session.execute(text("SELECT total::text FROM invoice WHERE id = :id"),
                             {"id": inv.id}).scalar_one()
    assert raw == "1234.15"


@pytest.mark.postgres
@postgres_only
def test_one_booking_per_child_service_and_day(app_ctx):
    sch = f.school()
    fam = f.family("Doublon", sch)
    kid, svc, day = fam.children[0], f.service(schools=[sch]), dt.date(2026, 9, 3)
    f.booking(fam, kid, svc, day)
    db.session.add(Booking(family=fam, child=kid, service=svc, school_id=sch.id, day=day))
    with pytest.raises(IntegrityError, match="uq_booking_child_service_day"):
        db.session.commit()
    db.session.rollback()
    # Another day is fine: the constraint is on the day, not on the pair.
    f.booking(fam, kid, svc, day + dt.timedelta(days=1))
    assert db.session.query(Booking).count() == 2
