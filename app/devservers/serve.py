"""Serve the stand-ins over real HTTP in background threads (tests, `flask portal standins`)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from . import refuse_in_production
from .api_particulier import create_api_app
from .franceconnect import Client, create_provider_app


@dataclass
class Running:
    app: Flask
    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


class _QuietHandler(WSGIRequestHandler):
    """No access log: the URLs carry codes and id_token_hint, which are never logged."""

    def log_request(self, *args, **kwargs) -> None:
        pass


def serve(app: Flask, port: int = 0) -> Running:
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name=app.import_name, daemon=True)
    thread.start()
    return Running(app, server, thread)


def start_franceconnect(client_id: str, secret: str, redirect_uris: set[str],
                        logout_uris: set[str], port: int = 0) -> Running:
    refuse_in_production()
    clients = {client_id: Client(secret, set(redirect_uris), set(logout_uris))}
    return serve(create_provider_app(clients), port)


def start_api_particulier(token: str, port: int = 0) -> Running:
    refuse_in_production()
    return serve(create_api_app({token}), port)
