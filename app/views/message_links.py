"""Absolute links to a conversation, for the mails of app.services.messages (services never
build URLs: the views pass this function in). From PORTAL_BASE_URL when set (required in
production, so a forged Host header never ends up in a mail), else the request's host."""

from __future__ import annotations

from flask import current_app, url_for

from ..models import Side


def conversation_link(side: str, pk: int) -> str:
    endpoint = "ParentMessagesView.show" if side == Side.family else "StaffMessagesView.show"
    base = current_app.config.get("PORTAL_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, pk=pk)
    return url_for(endpoint, pk=pk, _external=True)


def attachment_files(files) -> list:
    """The files of a multipart form's « files » field (several allowed)."""
    return [f for f in files.getlist("files") if getattr(f, "filename", "")]
