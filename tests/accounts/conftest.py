"""Shared data of the account and document tests: a school, the Martin family (login
`martin`) with one child, the Voisin family (login `voisin`), an agent, document types."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.extensions import db
from app.models import DocumentType, Family
from app.security.roles import AGENT
from tests import factories as f


@dataclass
class World:
    martin_id: int
    voisin_id: int
    child_id: int
    school_id: int
    other_school_id: int
    certificate_type_id: int
    insurance_type_id: int


@pytest.fixture
def world(app) -> World:
    with app.app_context():
        school, other = f.school("École Théodore Chalmel"), f.school("École Sainte-Thérèse")
        martin = f.family("Martin", school, children=1, username="martin")
        voisin = f.family("Voisin", other, children=1, username="voisin", marker="Intrus")
        f.user("agent", AGENT)
        certificate = DocumentType(code="certificat", label="Certificat médical",
                                   validity_months=12, required=True)
        insurance = DocumentType(code="assurance", label="Attestation d'assurance",
                                 validity_months=12, required=True)
        db.session.add_all([certificate, insurance])
        db.session.commit()
        return World(martin.id, voisin.id, martin.children[0].id, school.id, other.id,
                     certificate.id, insurance.id)


def family(world_id: int) -> Family:
    return db.session.get(Family, world_id)


def upload(data: bytes, name: str) -> tuple[io.BytesIO, str]:
    """A file field value for the test client."""
    return io.BytesIO(data), name


def stored_files(app) -> list[Path]:
    folder = Path(app.config["PORTAL_UPLOAD_DIR"])
    return sorted(p for p in folder.rglob("*") if p.is_file())
