"""French error pages for 400, 403, 404, 405, 413, 429 and 500 (JSON for the REST API),
and 503 when the database is unreachable.

The pages use the portal's layout (navbar, footer), so they need FAB's `appbuilder` in
their context. A 500 never shows the exception: it is logged, the user gets a sentence.
The 503 page is a bare one: the layout itself would read the database.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import SecurityError

log = logging.getLogger(__name__)

_MESSAGES = {
    400: (_l("Requête invalide"),
          _l("La demande n'a pas pu être comprise. Vérifiez les informations saisies.")),
    403: (_l("Accès refusé"), _l("Vous n'avez pas le droit d'accéder à cette page.")),
    404: (_l("Page introuvable"),
          _l("La page demandée n'existe pas ou n'est plus disponible.")),
    405: (_l("Action non autorisée"), _l("Cette action n'est pas possible sur cette page.")),
    413: (_l("Fichier trop volumineux"), _l("Le fichier envoyé dépasse la taille autorisée.")),
    429: (_l("Trop de tentatives"),
          _l("Trop de tentatives en peu de temps. Réessayez dans quelques minutes.")),
    500: (_l("Erreur du serveur"),
          _l("Une erreur inattendue s'est produite. Le service a été prévenu ; "
             "réessayez plus tard.")),
}


_REFUSED_INPUT = {
    "nul": _l("La demande contient un caractère invalide (caractère nul) : vérifiez les "
              "informations saisies, sans copier-coller de caractères spéciaux."),
    "number": _l("La demande contient un nombre trop grand : vérifiez les informations "
                 "saisies."),
    "depth": _l("La demande est trop complexe (trop de niveaux imbriqués)."),
    "query": _l("Le paramètre de recherche « q » est invalide : un objet rison est attendu, "
                "par exemple (page:0,page_size:20)."),
}
_CSRF_TITLE = _l("Page expirée")
_CSRF_MESSAGE = _l("Ce formulaire a expiré ou n'a pas été envoyé depuis le portail. "
                   "Rechargez la page et recommencez : rien n'a été enregistré.")


def _render(code: int, title=None, message=None):
    default_title, default_message = _MESSAGES[code]
    title, message = title or default_title, message or default_message
    _ensure_user()
    if request.path.startswith("/api/"):
        return jsonify(message=str(message)), code
    if _untrusted_host():
        # The page itself would build URLs from that Host: answer in plain text.
        return Response(f"{title}\n{message}\n", status=code, mimetype="text/plain")
    return render_template(
        "errors/error.html",
        code=code,
        title=str(title),
        message=str(message),
        appbuilder=getattr(current_app, "appbuilder", None),
    ), code


def _ensure_user() -> None:
    """The layout reads g.user, which FAB sets in a before_request that an earlier refusal
    (CSRF, input guard) may have skipped."""
    from flask import g
    from flask_login import current_user

    if not hasattr(g, "user"):
        g.user = current_user


def _refused_input(exc):
    return _render(400, message=_REFUSED_INPUT.get(getattr(exc, "kind", "")))


def _csrf_failed(exc):
    return _render(400, title=_CSRF_TITLE, message=_CSRF_MESSAGE)


def _untrusted_host() -> bool:
    try:
        request.host  # noqa: B018  (raises SecurityError for a Host not in TRUSTED_HOSTS)
    except SecurityError:
        return True
    return False


def _server_error(exc):
    # The page may render after a failed SQL statement: start from a clean session.
    from .extensions import db

    db.session.rollback()  # Flask has already logged the exception
    try:
        return _render(500)
    except Exception:  # the layout itself failed: a bare page, still French and safe
        log.exception("La page d'erreur 500 n'a pas pu être affichée")
        return _bare_500()


def _bare_500():
    title, message = _MESSAGES[500]
    if request.path.startswith("/api/"):
        return jsonify(message=str(message)), 500
    body = (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><main><h1>{title}</h1><p>{message}</p>"
        '<p><a href="/">Retour à l\'accueil</a></p></main></body></html>'
    )
    return body, 500, {"Content-Type": "text/html; charset=utf-8"}


_UNAVAILABLE = (
    _l("Service momentanément indisponible"),
    _l("Le portail ne peut pas joindre sa base de données. Rien n'a été enregistré : "
       "réessayez dans quelques minutes."),
)
RETRY_AFTER = "30"  # seconds


def _database_unreachable(exc: Exception):
    """The database went away (restart, network): the transaction is lost whole, the pool
    reconnects by itself (pool_pre_ping). Other database errors stay 500s."""
    if isinstance(exc, DBAPIError) and not (
        exc.connection_invalidated or _is_connection_error(exc)
    ):
        log.error("Exception on %s [%s]", request.path, request.method, exc_info=exc)
        return _server_error(exc)
    log.error("Base de données injoignable (%s) : page 503", type(exc.orig or exc).__name__)
    from .extensions import db

    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the pool drops it
        db.session.close()
    title, message = _UNAVAILABLE
    headers = {"Retry-After": RETRY_AFTER, "Cache-Control": "no-store"}
    if request.path.startswith("/api/"):
        return jsonify(message=str(message)), 503, headers
    body = (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head><body><main><h1>{title}</h1><p>{message}</p>"
        '<p><a href="/">Retour à l\'accueil</a></p></main></body></html>'
    )
    return body, 503, {"Content-Type": "text/html; charset=utf-8", **headers}


def _is_connection_error(exc: DBAPIError) -> bool:
    """The server's driver (psycopg2) says it cannot reach the server, or the transaction
    was lost with it; SQLite's OperationalErrors are bugs or a full disk: 500."""
    return exc.orig is not None and "sqlite" not in type(exc.orig).__module__


def register(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    from .security.input_guard import RefusedInput

    app.register_error_handler(RefusedInput, _refused_input)
    app.register_error_handler(CSRFError, _csrf_failed)
    for code in _MESSAGES:
        if code != 500:
            app.register_error_handler(code, lambda exc, code=code: _render(code))
    app.register_error_handler(500, _server_error)
    for unreachable in (OperationalError, InterfaceError, DisconnectionError, PoolTimeout):
        app.register_error_handler(unreachable, _database_unreachable)
