"""The State's services against their local stand-ins (fixtures in tests/standins.py)."""

from tests.standins import api_on, api_server, fc_on, provider  # noqa: F401
