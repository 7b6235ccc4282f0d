"""The people the stand-ins know: FranceConnect's pivot identities and, for the same people
(and a few more), the CAF / MSA files API Particulier answers with.

Names are those of the demo town (app/demo) so that `make run` with the stand-ins shows
the whole journey; the tests build families with the same names.
"""

from __future__ import annotations

# FranceConnect identities (key -> pivot identity claims).
FC_IDENTITIES: dict[str, dict] = {
    "claire.martin": {
        "given_name": "Claire Anne", "family_name": "MARTIN", "birthdate": "1986-04-12",
        "gender": "female", "birthplace": "35288", "birthcountry": "99100",
        "email": "claire.martin@example.org", "preferred_username": "",
    },
    "yann.legall": {
        "given_name": "Yann", "family_name": "LE GALL", "birthdate": "1982-11-03",
        "gender": "male", "birthplace": "29019", "birthcountry": "99100",
        "email": "yann.legall@example.org", "preferred_username": "",
    },
    "julie.morel": {
        "given_name": "Julie", "family_name": "MOREL", "birthdate": "1988-07-21",
        "gender": "female", "birthplace": "", "birthcountry": "99135",
        "email": "julie.morel@example.org", "preferred_username": "",
    },
    # Someone the portal does not know under this name: linking is refused.
    "paul.durand": {
        "given_name": "Paul", "family_name": "DURAND", "birthdate": "1979-01-30",
        "gender": "male", "birthplace": "75056", "birthcountry": "99100",
        "email": "paul.durand@example.org", "preferred_username": "",
    },
}


def _qf(value: int, provider: str = "CNAF", year: int = 2026, month: int = 8) -> dict:
    return {"fournisseur": provider, "valeur": value, "annee": year, "mois": month,
            "annee_calcul": year, "mois_calcul": month}


# CAF / MSA files, keyed by (birth name, birth date ISO), as API Particulier v3 returns them.
QF_FILES: dict[tuple[str, str], dict] = {
    ("MARTIN", "1986-04-12"): {"qf": _qf(620), "prenoms": "CLAIRE ANNE", "sexe": "F"},
    ("LE GALL", "1982-11-03"): {"qf": _qf(1450, "MSA"), "prenoms": "YANN", "sexe": "M"},
    ("MOREL", "1988-07-21"): {"qf": _qf(880), "prenoms": "JULIE", "sexe": "F"},
    ("BERNARD", "1984-02-14"): {"qf": _qf(1900), "prenoms": "THOMAS", "sexe": "M"},
}

# Birth names that make the stand-in answer an error, as the real service does.
ERROR_NAMES: dict[str, int] = {
    "ERREUR-400": 400,   # a parameter refused by the service
    "ERREUR-429": 429,   # rate limit of the service
    "ERREUR-502": 502,   # the CNAV / MSA did not answer properly
    "ERREUR-503": 503,   # service down (maintenance)
    "ERREUR-504": 504,   # the provider timed out
}
