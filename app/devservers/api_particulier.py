"""An API Particulier stand-in: « Quotient familial CAF & MSA », v3, identity call.

GET /v3/dss/quotient_familial/identite?recipient=<SIRET>&nomNaissance=…&prenoms[]=…
&anneeDateNaissance=…&moisDateNaissance=…&jourDateNaissance=…&sexeEtatCivil=F|M
&codeCogInseeCommuneNaissance=…&codeCogInseePaysNaissance=…, with
`Authorization: Bearer <token>`. Answers `{"data": {...}, "links": {}, "meta": {}}` or
`{"errors": [{"code", "title", "detail", "source", "meta"}]}` with the documented statuses
(400, 401, 404, 429 with Retry-After, 502, 503, 504).

Test hooks under /_standin: the calls received, and "fail the next N calls with status S".
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field

from flask import Flask, jsonify, make_response, request

from . import refuse_in_production
from .identities import ERROR_NAMES, QF_FILES

PATH = "/v3/dss/quotient_familial/identite"
ERRORS = {
    400: ("00201", "Entité non traitable",
          "Un ou plusieurs paramètres d'identité ne sont pas valides."),
    401: ("00101", "Interdit", "Votre jeton n'est pas valide ou n'est pas renseigné."),
    404: ("37003", "Dossier allocataire absent CNAV",
          "Le dossier allocataire n'a pas été trouvé auprès de la CNAV."),
    429: ("00429", "Trop de requêtes",
          "Vous avez effectué trop de requêtes, veuillez réessayer plus tard."),
    502: ("37001", "Erreur de fournisseur",
          "La réponse retournée par le fournisseur de données est invalide et inconnue."),
    503: ("00503", "Service indisponible", "Le service est en maintenance."),
    504: ("37002", "Fournisseur de données indisponible",
          "Le fournisseur de données n'a pas répondu à temps."),
}


@dataclass
class ApiState:
    tokens: set[str] = field(default_factory=set)
    files: dict = field(default_factory=lambda: dict(QF_FILES))
    calls: list[dict] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    retry_after: int = 1
    lock: threading.Lock = field(default_factory=threading.Lock)


def _upper(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", plain).strip().upper()


def error_body(status: int, retry_after: int = 1):
    code, title, detail = ERRORS[status]
    response = make_response(jsonify(errors=[{
        "code": code, "title": title, "detail": detail, "source": None,
        "meta": {"provider": "CNAV"} if status in (404, 502, 504) else {},
    }]), status)
    if status == 429:
        response.headers["Retry-After"] = str(retry_after)
    return response


def create_api_app(tokens: set[str] | None = None) -> Flask:
    refuse_in_production()
    app = Flask(__name__)
    state = ApiState(tokens=set(tokens or ()))
    app.extensions["api_particulier_standin"] = state

    @app.get(PATH)
    def quotient_familial():
        args = request.args
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        name = _upper(args.get("nomNaissance", ""))
        with state.lock:
            state.calls.append({"nomNaissance": name, "recipient": args.get("recipient"),
                                "authorized": token in state.tokens})
            forced = state.fail_next.pop(0) if state.fail_next else None
        if token not in state.tokens:
            return error_body(401)
        if forced:
            return error_body(forced, state.retry_after)
        if not re.fullmatch(r"\d{14}", args.get("recipient") or "") or _bad_identity(args):
            return error_body(400)
        if name in ERROR_NAMES:
            return error_body(ERROR_NAMES[name], state.retry_after)
        birth = "{}-{:0>2}-{:0>2}".format(args.get("anneeDateNaissance"),
                                          args.get("moisDateNaissance"),
                                          args.get("jourDateNaissance"))
        record = state.files.get((name, birth))
        if record is None or record["sexe"] != args.get("sexeEtatCivil"):
            return error_body(404)
        return jsonify(data=_payload(name, birth, record), links={}, meta={})

    @app.get("/_standin/calls")
    def calls():
        return jsonify(calls=state.calls)

    @app.post("/_standin/fail-next")
    def fail_next():
        body = request.get_json(force=True)
        with state.lock:
            state.fail_next.extend([int(body["status"])] * int(body.get("times", 1)))
        return jsonify(pending=state.fail_next)

    @app.post("/_standin/reset")
    def reset():
        with state.lock:
            state.calls.clear()
            state.fail_next.clear()
        return jsonify(ok=True)

    return app


def _bad_identity(args) -> bool:
    if not args.get("nomNaissance") or not args.getlist("prenoms[]"):
        return True
    if args.get("sexeEtatCivil") not in ("F", "M"):
        return True
    if not (args.get("anneeDateNaissance") or "").isdigit():
        return True
    country = args.get("codeCogInseePaysNaissance") or ""
    commune = args.get("codeCogInseeCommuneNaissance") or ""
    return not re.fullmatch(r"99\d{3}", country) or (country == "99100" and not commune)


def _payload(name: str, birth: str, record: dict) -> dict:
    return {
        "allocataires": [{"nom_naissance": name, "nom_usage": None,
                          "prenoms": record["prenoms"], "date_naissance": birth,
                          "sexe": record["sexe"]}],
        "enfants": [],
        "adresse": {"destinataire": f"{record['prenoms']} {name}",
                    "complement_information": None,
                    "complement_information_geographique": None,
                    "numero_libelle_voie": "1 PLACE DE LA MAIRIE", "lieu_dit": None,
                    "code_postal_ville": "35430 SAINT-PERE", "pays": "FRANCE"},
        "quotient_familial": record["qf"],
    }
