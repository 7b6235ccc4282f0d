"""Contrôle anti-intrusion (CNIL, délibération 2022-100), shared by every worker.

Per login: an attempt is *reserved* before its password is checked, by one atomic
`UPDATE login_state SET failures = failures + 1 WHERE … failures < max AND not locked
RETURNING …`: however many workers and parallel requests, at most `PORTAL_MAX_FAILED_LOGINS`
passwords are tried before the lock. The failure that reaches the limit locks the login for
a delay that doubles with each lock (`PORTAL_LOCK_MINUTES`, 2×, 4×… up to
`PORTAL_LOCK_MAX_MINUTES`); an attempt during a lock is refused without being counted, so it
never extends the lock. A successful login resets everything. The owner is mailed a
single-use unlock link when the lock starts; staff have a « Débloquer » button.

Per client address: failed logins are counted in fixed windows (`PORTAL_ADDRESS_WINDOW_MINUTES`)
with `INSERT … ON CONFLICT DO UPDATE SET failures = failures + 1 RETURNING`; past
`PORTAL_ADDRESS_MAX_FAILURES` the address may not try any login until the window ends. The
default (200 failures per 15 minutes) lets 50 parents behind one school or town-hall
connection each mistype three times at 8:00 with room to spare; successful logins are never
counted. Guessing stays bounded per account whatever the number of addresses.

Every statement commits at once: the counters are visible to the other workers immediately,
and no transaction stays open while a password hash is computed.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import NamedTuple

from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import LoginAddressFailure, LoginState
from ..models.base import utcnow

log = logging.getLogger(__name__)

DEFAULTS = {
    "PORTAL_MAX_FAILED_LOGINS": 5,
    "PORTAL_LOCK_MINUTES": 15,
    "PORTAL_LOCK_MAX_MINUTES": 24 * 60,
    "PORTAL_ADDRESS_MAX_FAILURES": 200,
    "PORTAL_ADDRESS_WINDOW_MINUTES": 15,
}


class Reservation(NamedTuple):
    """An attempt allowed to check its password: its rank and the locks before it."""

    rank: int
    locks: int


def setting(name: str) -> int:
    value = current_app.config.get(name)
    return int(value if value not in (None, "") else DEFAULTS[name])


def _insert(table):
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _ensure_state(user_id: int) -> None:
    db.session.execute(
        _insert(LoginState).values(user_id=user_id)
        .on_conflict_do_nothing(index_elements=[LoginState.user_id])
    )


def is_locked(user) -> bool:
    """The login is locked now (too many failed attempts)."""
    state = getattr(user, "login_state", None)
    return bool(state and state.locked_until and state.locked_until > utcnow())


def lock_delay(previous_locks: int) -> dt.timedelta:
    """15 min, 30 min, 1 h, 2 h… (doubling with each lock), at most the configured maximum."""
    minutes = setting("PORTAL_LOCK_MINUTES") * 2 ** min(previous_locks, 16)
    return dt.timedelta(minutes=min(minutes, setting("PORTAL_LOCK_MAX_MINUTES")))


# --- per login -----------------------------------------------------------------------------


def reserve_attempt(user_id: int, now: dt.datetime | None = None) -> Reservation | None:
    """Count one attempt before its password is checked; None when the login is locked (or
    its attempts are all taken by requests in progress): then the password is not checked."""
    now = now or utcnow()
    _ensure_state(user_id)
    row = db.session.execute(
        update(LoginState)
        .where(
            LoginState.user_id == user_id,
            LoginState.failures < setting("PORTAL_MAX_FAILED_LOGINS"),
            or_(LoginState.locked_until.is_(None), LoginState.locked_until <= now),
        )
        .values(failures=LoginState.failures + 1)
        .returning(LoginState.failures, LoginState.locks)
    ).first()
    db.session.commit()
    return Reservation(row[0], row[1]) if row else None


def attempt_failed(user_id: int, reservation: Reservation,
                   now: dt.datetime | None = None) -> dt.datetime | None:
    """The reserved attempt had a wrong password. The one that reached the limit locks the
    login and returns the end of the lock (to mail the owner); others return None."""
    if reservation.rank < setting("PORTAL_MAX_FAILED_LOGINS"):
        return None
    until = (now or utcnow()) + lock_delay(reservation.locks)
    db.session.execute(
        update(LoginState)
        .where(LoginState.user_id == user_id)
        .values(failures=0, locks=LoginState.locks + 1, locked_until=until)
    )
    db.session.commit()
    log.warning("Compte %s bloqué jusqu'au %s (UTC) après des échecs répétés.", user_id, until)
    return until


def attempt_succeeded(user_id: int) -> None:
    clear_lock(user_id)
    db.session.commit()


def clear_lock(user_id: int) -> None:
    """Unlock (owner's link, staff, successful login, new password), in the caller's
    transaction."""
    db.session.execute(
        update(LoginState).where(LoginState.user_id == user_id)
        .values(failures=0, locks=0, locked_until=None)
    )


def locked_until(user_id: int, now: dt.datetime | None = None) -> dt.datetime | None:
    """End of the current lock, None when the login is not locked."""
    until = db.session.execute(
        select(LoginState.locked_until).where(LoginState.user_id == user_id)
    ).scalar()
    return until if until is not None and until > (now or utcnow()) else None


def locked_ids(user_ids: list[int], now: dt.datetime | None = None) -> set[int]:
    """Which of these logins are locked now (one query, for lists)."""
    if not user_ids:
        return set()
    rows = db.session.execute(
        select(LoginState.user_id).where(
            LoginState.user_id.in_(user_ids), LoginState.locked_until > (now or utcnow()))
    )
    return {row[0] for row in rows}


# --- sessions --------------------------------------------------------------------------------


def session_version(user_id: int) -> int:
    version = db.session.execute(
        select(LoginState.session_version).where(LoginState.user_id == user_id)
    ).scalar()
    return int(version or 1)


def bump_session_version(user_id: int) -> int:
    """End every session of this login (in the caller's transaction); returns the new
    version."""
    _ensure_state(user_id)
    return int(db.session.execute(
        update(LoginState).where(LoginState.user_id == user_id)
        .values(session_version=LoginState.session_version + 1)
        .returning(LoginState.session_version)
    ).scalar_one())


# --- per address -----------------------------------------------------------------------------


def _window(now: dt.datetime) -> dt.datetime:
    minutes = setting("PORTAL_ADDRESS_WINDOW_MINUTES")
    start = now.replace(second=0, microsecond=0)
    return start - dt.timedelta(minutes=(start.hour * 60 + start.minute) % minutes)


def address_blocked(address: str | None, now: dt.datetime | None = None) -> bool:
    """Too many failed logins from this address in the current window."""
    if not address:
        return False
    failures = db.session.execute(
        select(LoginAddressFailure.failures).where(
            LoginAddressFailure.address == address[:64],
            LoginAddressFailure.window_start == _window(now or utcnow()))
    ).scalar()
    return (failures or 0) >= setting("PORTAL_ADDRESS_MAX_FAILURES")


def address_failed(address: str | None, now: dt.datetime | None = None) -> int:
    """Count one failed login from this address (atomic); returns the window's count."""
    if not address:
        return 0
    window = _window(now or utcnow())
    table = LoginAddressFailure
    statement = _insert(table).values(address=address[:64], window_start=window, failures=1)
    count = db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.address, table.window_start],
            set_={"failures": table.failures + 1},
        ).returning(table.failures)
    ).scalar_one()
    if count == 1:  # first failure of a new window: forget the old windows
        db.session.execute(delete(table).where(table.window_start < window))
    db.session.commit()
    return int(count)
