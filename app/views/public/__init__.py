"""Pages without login: choosing a password from an invitation or a forgotten-password link.

Their views are named neither Parent* nor Staff* and use no @has_access: FAB creates no
permission for them. Their POSTs are rate limited (Flask-Limiter, per address).
"""

from __future__ import annotations

from flask_appbuilder import AppBuilder


def register(appbuilder: AppBuilder) -> None:
    from . import password

    password.register(appbuilder)
