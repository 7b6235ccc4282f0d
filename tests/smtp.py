"""A real SMTP server for tests (aiosmtpd on 127.0.0.1), and the `smtp_server` fixture.

The fixture starts the server on a free port and points the app's mail settings at it
(MAIL_SUPPRESS_SEND off, short MAIL_TIMEOUT), restoring them afterwards. `stop()` closes the
port (connections are refused, like a server that is down); `start()` reopens the same port.
Every message received is kept, parsed, in `messages`.
"""

from __future__ import annotations

import asyncio
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class _Collector:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.server.delay:  # a slow server, to overlap two senders
            await asyncio.sleep(self.server.delay)
        self.server.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int | None = None):
        self.host = HOST
        self.port = port or free_port()
        self.envelopes: list = []
        self.delay = 0.0  # seconds before accepting each message
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> SmtpServer:
        if not self.running:
            # A new controller each time: aiosmtpd's is not meant to be restarted.
            self._controller = Controller(_Collector(self), hostname=self.host, port=self.port)
            self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]

    def recipients(self) -> list[str]:
        return [to for envelope in self.envelopes for to in envelope.rcpt_tos]


@pytest.fixture
def smtp_server(app):
    """A running SMTP server that the app delivers to, for this test only."""
    server = SmtpServer().start()
    overrides = {
        "MAIL_SERVER": server.host,
        "MAIL_PORT": server.port,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_TIMEOUT": 2,
    }
    saved = {key: app.config.get(key) for key in overrides}
    app.config.update(overrides)
    try:
        yield server
    finally:
        app.config.update(saved)
        server.stop()
