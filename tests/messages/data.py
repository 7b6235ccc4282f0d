"""Two households sharing a child (separated parents), a neighbour family, an agent."""

from __future__ import annotations

import io
from dataclasses import dataclass

from app.extensions import db
from app.security.roles import AGENT
from tests import factories as f
from tests.accounts import samples


@dataclass
class World:
    martin: int  # family ids
    morel: int  # the other household of Martin's first child
    voisin: int
    shared_child: int
    own_child: int  # Martin's second child, only in Martin's family
    agent_id: int


def build() -> World:
    school = f.school("École Théodore Chalmel")
    martin = f.family("Martin", school, children=2, username="martin")
    morel = f.family("Morel", school, children=0, username="morel", marker="Morel")
    shared = martin.children[0]
    morel.children.append(shared)
    voisin = f.family("Voisin", school, children=1, username="voisin", marker="Intrus")
    agent = f.user("agent", AGENT, email="agent@example.org")
    db.session.commit()
    return World(martin.id, morel.id, voisin.id, shared.id, martin.children[1].id, agent.id)


def upload(name: str = "certificat.pdf", data: bytes = samples.PDF):
    return (io.BytesIO(data), name)


def write(client, subject="Absence de Lucas", child=None, files=(), topic="canteen",
          body="Lucas sera absent jeudi."):
    data = {"topic": topic, "subject": subject, "body": body, "child": child or "",
            "files": list(files)}
    return client.post("/famille/messages/nouveau", data=data,
                       content_type="multipart/form-data")
