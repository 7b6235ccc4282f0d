"""Demo logins: the staff accounts and one personal login per guardian.

Passwords are fixed and printed (it is a demo). Hashing is slow by design (scrypt), so each
password is hashed once and the hash shared by the accounts that use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..security.roles import ADMIN, AGENT, MANAGER, PARENT

PARENT_PASSWORD = "Parent-Demo-2026"
# role, login, password, first name, last name
STAFF = (
    (ADMIN, "admin", "Admin-Demo-2026", "Alice", "Administratrice"),
    (MANAGER, "gestionnaire", "Gestion-Demo-2026", "Nathalie", "Roux"),
    (AGENT, "agent", "Agent-Demo-2026", "Julien", "Perrin"),
)


@dataclass
class Account:
    role: str
    login: str
    password: str | None  # None: the account existed with another password

    def line(self) -> str:
        return f"{self.role} {self.login} {self.password or '(mot de passe inchangé)'}"


@lru_cache(maxsize=8)
def _hash(password: str, method: str, salt_length: int) -> str:
    return generate_password_hash(password, method=method, salt_length=salt_length)


def password_hash(password: str) -> str:
    config = current_app.config
    return _hash(password, config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
                 config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16))


def has_password(user, password: str) -> bool:
    return _matches(user.password or "", password)


@lru_cache(maxsize=32)
def _matches(stored: str, password: str) -> bool:
    # Accounts made by the demo share one hash per password: check each hash once.
    return stored == password_hash(password) or check_password_hash(stored, password)


def new_user(login: str, first: str, last: str, email: str, role, password: str):
    """An FAB user, added to the session (not flushed). `role`: a Role or its name."""
    sm = current_app.appbuilder.sm
    if isinstance(role, str):
        role = sm.find_role(role)
    user = sm.user_model(username=login, first_name=first, last_name=last, email=email,
                         active=True, password=password_hash(password), roles=[role])
    db.session.add(user)
    return user


def ensure_staff() -> tuple[dict[str, object], list[Account]]:
    """The admin, manager and agent accounts; an existing one keeps its password."""
    sm = current_app.appbuilder.sm
    users, accounts = {}, []
    for role, login, password, first, last in STAFF:
        user = sm.find_user(username=login)
        if user is None:
            user = new_user(login, first, last, f"{login}@demo.example.org", role, password)
        elif not has_password(user, password):
            password = None
        users[role] = user
        accounts.append(Account(role, login, password))
    db.session.flush()
    return users, accounts


def existing_logins() -> set[str]:
    model = current_app.appbuilder.sm.user_model
    return {row[0] for row in db.session.query(model.username)}


def parent_account(login: str) -> Account:
    user = current_app.appbuilder.sm.find_user(username=login)
    ok = user is not None and has_password(user, PARENT_PASSWORD)
    return Account(PARENT, login, PARENT_PASSWORD if ok else None)
