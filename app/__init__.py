"""Portail Famille: the application factory."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from flask_appbuilder import AppBuilder
from werkzeug.middleware.proxy_fix import ProxyFix

from . import fab_fixes, log_redaction  # noqa: F401
from .extensions import csrf, db, mail, migrate

log = logging.getLogger(__name__)


class StartupRefused(RuntimeError):
    """The portal refuses to start with these settings (the message says why, in French)."""


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Build the app. `config_name` is development, testing or production (default:
    $PORTAL_ENV; without it, development only under the flask CLI: `make run`, `flask run`)."""
    from config import CONFIGS

    config_name = _config_name(config_name, CONFIGS)
    log_redaction.install()
    app = Flask(__name__, instance_path=str(Path(__file__).resolve().parent.parent / "instance"))
    app.config.from_object(CONFIGS[config_name])
    app.config.update(overrides)
    _check_secrets(app, config_name)
    _behind_proxies(app)

    from .security.roles import ROLES

    app.config["FAB_ROLES"] = ROLES
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    mail.init_app(app)

    from .security import input_guard

    input_guard.install_converters(app)
    with app.app_context():
        appbuilder = AppBuilder(update_perms=False)
        appbuilder.init_app(app, db.session)
        from .views import register_views

        register_views(appbuilder)
        appbuilder.post_init()

    from . import audit, cli, errors, tasks
    from .services.job_handlers import register_job_handlers
    from .services.request_handlers import register_request_handlers

    register_request_handlers()
    register_job_handlers()
    from .background import Background
    from .security import headers, sessions

    sessions.register()
    Background(app)

    headers.register(app)
    input_guard.register(app)
    errors.register(app)
    cli.register(app)
    audit.register(app)
    tasks.init_celery(app)
    return app


def _config_name(name: str | None, configs: dict) -> str:
    """Development is the default of the flask CLI only (Flask sets FLASK_RUN_FROM_CLI):
    gunicorn, celery or a plain import without PORTAL_ENV never run the development
    settings (public SECRET_KEY, payment sandbox)."""
    name = (name or os.environ.get("PORTAL_ENV") or "").strip()
    if not name and os.environ.get("FLASK_RUN_FROM_CLI") == "true":
        name = "development"
    if not name:
        raise StartupRefused(
            "Le portail refuse de démarrer : PORTAL_ENV n'est pas défini. En production, "
            "définissez PORTAL_ENV=production (avec SECRET_KEY et PORTAL_BASE_URL) ; pour "
            "essayer le portail en local, lancez « make run » ou « flask run »."
        )
    if name not in configs:
        raise StartupRefused(
            f"Le portail refuse de démarrer : PORTAL_ENV={name!r} est inconnu "
            f"(valeurs possibles : {', '.join(sorted(configs))})."
        )
    return name


def _check_secrets(app: Flask, config_name: str) -> None:
    if config_name != "production":
        return
    if (app.config.get("PAYMENT_BACKEND") or "dummy") == "dummy":
        raise StartupRefused(
            "Le portail refuse de démarrer : le bac à sable de paiement (PAYMENT_BACKEND=dummy) "
            "est interdit en production ; utilisez PAYMENT_BACKEND=payfip_ws."
        )
    if not app.config.get("SECRET_KEY"):
        raise StartupRefused(
            "SECRET_KEY est obligatoire en production (variable d'environnement SECRET_KEY)."
        )
    base_url = app.config.get("PORTAL_BASE_URL") or ""
    if not base_url.startswith("https://"):
        # Mailed links must never be built from the request's Host header.
        raise StartupRefused(
            "PORTAL_BASE_URL (https://…) est obligatoire en production : c'est l'adresse "
            "des liens envoyés par courriel."
        )
    if not app.config.get("TRUSTED_HOSTS"):  # Flask's default is None
        app.config["TRUSTED_HOSTS"] = [urlsplit(base_url).hostname]


def _behind_proxies(app: Flask) -> None:
    """Client addresses (rate limits, logs) from X-Forwarded-For, for the configured number
    of reverse proxies only (never trust the header otherwise)."""
    hops = int(app.config.get("PORTAL_PROXY_HOPS") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)
