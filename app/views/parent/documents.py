"""Mes documents: what the family must still send, the form to send a document, the documents
it sent (with their review state), and the documents the structure published for everyone
or for one of its children's schools.

Files are served only through `download` routes that check ownership (a family's own
document, or a document published for its schools) and always as attachments.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import Child, DocumentState, DocumentType, FamilyDocument, PublishedDocument
from ...security.scope import family_clause
from ...services.documents import CATEGORIES
from ...services.documents.commands import SendFamilyDocument
from ...services.documents.queries import missing_documents, published_for_schools
from ...services.errors import CommandError
from ..downloads import file_response
from .planning import family_children
from .planning_grid import family_id, portal_now

STATE_ICONS = {
    DocumentState.pending: "fa-hourglass-half",
    DocumentState.accepted: "fa-check",
    DocumentState.rejected: "fa-xmark",
}


def _school_ids() -> set[int]:
    rows = db.session.execute(select(Child.school_id).where(family_clause(Child)))
    return {school_id for (school_id,) in rows}


def _sent(family: int) -> list[FamilyDocument]:
    return (
        db.session.query(FamilyDocument)
        .options(joinedload(FamilyDocument.document_type), joinedload(FamilyDocument.child))
        .filter(FamilyDocument.family_id == family)
        .order_by(FamilyDocument.uploaded_at.desc(), FamilyDocument.id.desc())
        .limit(200)
        .all()
    )


def _file_or_404(document):
    response = file_response(document) if document is not None else None
    if response is None:  # unknown, not ours, or the file is gone
        abort(404)
    return response


class ParentDocumentsView(BaseView):
    route_base = "/famille/documents"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return self._page()

    @expose("/transmettre", methods=["POST"])
    @has_access
    def send(self):
        try:
            document = SendFamilyDocument(
                family_id(), request.form.get("document_type"), request.form.get("child"),
                request.files.get("file"), current_user.id).run()
        except CommandError as refused:
            return self._page(refused.messages)
        flash(_("« %(name)s » est envoyé : le service va le vérifier.",
                name=document.original_filename), "success")
        return redirect(url_for(".index") + "#transmis", 303)

    @expose("/fichier/<string:filename>")
    @has_access
    def download(self, filename: str):
        """One of the family's own documents, by its stored name."""
        document = (
            db.session.query(FamilyDocument)
            .filter(FamilyDocument.stored_name == filename, family_clause(FamilyDocument))
            .first()
        )
        return file_response(document) if document else abort(404)

    def _page(self, errors: list[str] | None = None):
        family = family_id()
        today = portal_now().date()
        published = published_for_schools(_school_ids(), today).all() if family else []
        html = self.render_template(
            "parent/documents.html",
            has_family=family is not None,
            missing=missing_documents(family, today) if family else [],
            sent=_sent(family) if family else [],
            children=family_children(family) if family else [],
            types=db.session.query(DocumentType).order_by(DocumentType.label).all(),
            published=published,
            categories=CATEGORIES,
            states=DocumentState,
            state_icons=STATE_ICONS,
            errors=errors or [],
            form=request.form if errors else {},
        )
        return html, 400 if errors else 200


class ParentPublishedDocumentView(BaseView):
    """The structure's documents (menus, tarifs, règlement) for every school or for one of
    the family's children's schools; listed on the « Mes documents » page."""

    route_base = "/famille/documents/structure"
    default_view = "download"

    @expose("/<string:filename>")
    @has_access
    def download(self, filename: str):
        document = published_for_schools(_school_ids(), portal_now().date()).filter(
            PublishedDocument.stored_name == filename).first()
        return _file_or_404(document)


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view(ParentDocumentsView, "ParentDocuments", label=_l("Mes documents"),
                        icon="fa-folder-open")
    appbuilder.add_view_no_menu(ParentPublishedDocumentView)
