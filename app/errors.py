"""French error pages for 403, 404 and 500 (JSON for the REST API)."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _

_MESSAGES = {
    400: ("Requête invalide", "La demande n'a pas pu être comprise. Vérifiez les informations saisies."),
    403: ("Accès refusé", "Vous n'avez pas le droit d'accéder à cette page."),
    404: ("Page introuvable", "La page demandée n'existe pas ou n'est plus disponible."),
    405: ("Action non autorisée", "Cette action n'est pas possible sur cette page."),
    413: ("Fichier trop volumineux", "Le fichier envoyé dépasse la taille autorisée."),
    429: ("Trop de tentatives", "Trop de tentatives en peu de temps. Réessayez dans quelques minutes."),
    500: ("Erreur du serveur", "Une erreur inattendue s'est produite. Le service a été prévenu ; réessayez plus tard."),
}


def _render(code: int):
    title, message = _MESSAGES[code]
    if request.path.startswith("/api/"):
        return jsonify(message=_(message)), code
    return render_template("errors/error.html", code=code, title=_(title), message=_(message)), code


def register(app: Flask) -> None:
    for code in _MESSAGES:
        app.register_error_handler(code, lambda exc, code=code: _render(code))
