"""Portail Famille: the application factory."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask
from flask_appbuilder import AppBuilder

from . import fab_fixes  # noqa: F401
from .extensions import csrf, db, mail, migrate

log = logging.getLogger(__name__)


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Build the app. `config_name` is development, testing or production
    (default: $PORTAL_ENV, else development)."""
    from config import CONFIGS

    app = Flask(__name__, instance_path=str(Path(__file__).resolve().parent.parent / "instance"))
    config_name = config_name or os.environ.get("PORTAL_ENV", "development")
    app.config.from_object(CONFIGS[config_name])
    app.config.update(overrides)
    _check_secrets(app, config_name)

    from .security.roles import ROLES

    app.config["FAB_ROLES"] = ROLES
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    mail.init_app(app)

    with app.app_context():
        appbuilder = AppBuilder(update_perms=False)
        appbuilder.init_app(app, db.session)
        from .views import register_views

        register_views(appbuilder)
        appbuilder.post_init()

    from . import audit, cli, errors, tasks

    errors.register(app)
    cli.register(app)
    audit.register(app)
    tasks.init_celery(app)
    return app


def _check_secrets(app: Flask, config_name: str) -> None:
    if config_name == "production" and not app.config.get("SECRET_KEY"):
        raise RuntimeError(
            "SECRET_KEY est obligatoire en production (variable d'environnement SECRET_KEY)."
        )
