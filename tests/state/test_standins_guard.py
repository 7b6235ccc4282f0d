"""The stand-ins can never run in production, and production talks HTTPS only."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.devservers import StandInRefused, refuse_in_production
from app.devservers.api_particulier import create_api_app
from app.views.franceconnect import _refuse_insecure


def test_the_stand_ins_refuse_production(monkeypatch):
    with pytest.raises(StandInRefused):
        refuse_in_production("production")
    monkeypatch.setenv("PORTAL_ENV", "production")
    with pytest.raises(StandInRefused):
        create_api_app({"x"})


@pytest.mark.parametrize("config", [
    {"FRANCECONNECT_ENABLED": True, "FRANCECONNECT_CLIENT_ID": "id",
     "FRANCECONNECT_CLIENT_SECRET": "s",
     "FRANCECONNECT_DISCOVERY_URL": "http://127.0.0.1:5010/api/v2/.well-known/x"},
    {"API_PARTICULIER_TOKEN": "t", "API_PARTICULIER_URL": "http://127.0.0.1:5011"},
])
def test_production_refuses_plain_http_service_urls(config):
    with pytest.raises(RuntimeError):
        _refuse_insecure(SimpleNamespace(config={"ENV_NAME": "production", **config}))
    _refuse_insecure(SimpleNamespace(config={"ENV_NAME": "development", **config}))
