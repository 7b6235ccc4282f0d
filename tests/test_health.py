"""`/sante`: what a load balancer polls. 200 when the database, Redis and a worker answer,
503 otherwise; JSON without any secret."""

from __future__ import annotations

import os

import pytest

from app.extensions import db
from app.models import OutgoingMail
from app.services import health

REDIS = os.environ.get("TEST_REDIS_URL", "")


def _mail(n: int) -> None:
    for i in range(n):
        db.session.add(OutgoingMail(recipient=f"parent{i}@example.org", subject="Sujet",
                                    kind="test", message_id=f"<{i}@test>",
                                    body_text="Bonjour"))
    db.session.commit()


def test_without_redis_the_single_machine_is_healthy(app, client):
    with app.app_context():
        _mail(2)
    response = client.get("/sante/")
    assert response.status_code == 200 and response.is_json
    report = response.get_json()
    assert report["status"] == "ok" and report["database"] == {"ok": True}
    assert report["worker"]["mode"] == "in-process" and report["mails_pending"] == 2
    body = response.get_data(as_text=True)
    for secret in ("sqlite", "postgresql", "redis://", app.config["SECRET_KEY"]):
        assert secret not in body


def test_an_unreachable_redis_answers_503(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    response = client.get("/sante/")
    assert response.status_code == 503
    report = response.get_json()
    assert report["redis"] == {"ok": False} and report["status"] == "degraded"
    assert "127.0.0.1" not in response.get_data(as_text=True)


@pytest.mark.redis
@pytest.mark.skipif(not REDIS, reason="TEST_REDIS_URL not set")
def test_a_worker_heartbeat_makes_it_healthy_and_its_silence_unhealthy(app, client,
                                                                        monkeypatch):
    import redis

    monkeypatch.setitem(app.config, "REDIS_URL", REDIS)
    redis.Redis.from_url(REDIS).delete(health.HEARTBEAT_KEY)
    assert client.get("/sante/").status_code == 503  # no worker ever beat
    with app.app_context():
        health.beat()
    report = client.get("/sante/").get_json()
    assert report["worker"]["ok"] and report["status"] == "ok"
    monkeypatch.setattr(health, "HEARTBEAT_STALE", -1.0)  # the beat is now too old
    assert client.get("/sante/").status_code == 503
