"""Messages (« Messages » rubrique): the household's conversations with the service, a form
to write about a subject (and a child), each conversation with its replies, attachments.

Every conversation is looked up through the household (`family_conversation`): another
family's, or the other household's of a shared child, answers 404.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, send_file, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...extensions import db
from ...models import Conversation, ConversationState, Message, MessageAttachment, Side, Topic
from ...security.scope import current_family_ids
from ...services.accounts import paris_time
from ...services.errors import CommandError
from ...services.messages import (
    Actor,
    CloseConversation,
    MarkRead,
    OpenConversation,
    PostMessage,
    family_conversation,
    family_conversations,
)
from ...services.messages.files import stored_path
from ..message_links import attachment_files, conversation_link
from .planning import family_children
from .planning_grid import family_id

TOPIC_ICONS = {"canteen": "fa-utensils", "care": "fa-child", "invoices": "fa-euro-sign",
               "other": "fa-comment"}


def _actor() -> Actor:
    name = f"{current_user.first_name} {current_user.last_name}".strip()
    return Actor(current_user.id, current_user.username, name or current_user.username,
                 Side.family)


def send_attachment(attachment: MessageAttachment | None):
    path = stored_path(attachment.stored_name) if attachment is not None else None
    if path is None:
        abort(404)
    response = send_file(path, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.original_filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


class ParentMessagesView(BaseView):
    route_base = "/famille/messages"
    default_view = "index"
    # Only tells the isolation sweep (tests/security) which ids <pk> takes.
    datamodel = SQLAInterface(Conversation)

    @expose("/")
    @has_access
    def index(self):
        return self._list()

    @expose("/nouveau", methods=["POST"])
    @has_access
    def new(self):
        family = family_id()
        form = request.form
        try:
            if family is None:
                raise CommandError(_("Aucune famille n'est liée à votre compte."))
            conversation = OpenConversation(
                family, _actor(), form.get("topic"), form.get("subject"), form.get("body"),
                form.get("child") or None, attachment_files(request.files), conversation_link,
            ).run()
        except CommandError as refused:
            return self._list(refused)
        flash(_("Votre message est envoyé au service."), "success")
        return redirect(url_for(".show", pk=conversation.id), 303)

    @expose("/<int:pk>")
    @has_access
    def show(self, pk: int):
        conversation = self._conversation(pk)
        unread = {m.id for m in conversation.messages if m.side == Side.staff and not m.read_at}
        MarkRead(conversation, Side.family).run()
        return self._show(conversation, unread)

    @expose("/<int:pk>/repondre", methods=["POST"])
    @has_access
    def reply(self, pk: int):
        conversation = self._conversation(pk)
        try:
            PostMessage(conversation, _actor(), request.form.get("body"),
                        attachment_files(request.files), conversation_link).run()
        except CommandError as refused:
            return self._show(conversation, set(), refused)
        flash(_("Votre réponse est envoyée au service."), "success")
        return redirect(url_for(".show", pk=pk) + "#dernier", 303)

    @expose("/<int:pk>/clore", methods=["POST"])
    @has_access
    def close(self, pk: int):
        conversation = self._conversation(pk)
        try:
            CloseConversation(conversation, _actor()).run()
        except CommandError as refused:
            return self._show(conversation, set(), refused)
        flash(_("La conversation est close."), "success")
        return redirect(url_for(".show", pk=pk), 303)

    @expose("/piece/<string:filename>")
    @has_access
    def download(self, filename: str):
        ids = current_family_ids()
        attachment = (
            db.session.query(MessageAttachment)
            .join(Message, Message.id == MessageAttachment.message_id)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .filter(MessageAttachment.stored_name == filename,
                    Conversation.family_id.in_(ids or [-1]))
            .first()
        )
        return send_attachment(attachment)

    # -- pages ---------------------------------------------------------------------------
    def _conversation(self, pk: int) -> Conversation:
        conversation = family_conversation(pk, current_family_ids())
        if conversation is None:
            abort(404)
        return conversation

    def _list(self, refused: CommandError | None = None):
        family = family_id()
        html = self.render_template(
            "messages/parent_list.html",
            has_family=family is not None,
            rows=family_conversations(current_family_ids()),
            children=family_children(family) if family else [],
            topics=Topic, topic_icons=TOPIC_ICONS, states=ConversationState, when=paris_time,
            errors=refused.messages if refused else [],
            fields=refused.fields if refused else {},
            form=request.form if refused else {},
        )
        return html, 400 if refused else 200

    def _show(self, conversation: Conversation, unread: set[int],
              refused: CommandError | None = None):
        html = self.render_template(
            "messages/parent_show.html",
            conversation=conversation, unread=unread, topics=Topic, states=ConversationState,
            sides=Side, when=paris_time, errors=refused.messages if refused else [],
            form=request.form if refused else {},
        )
        return html, 400 if refused else 200


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view(ParentMessagesView, "ParentMessages", label=_l("Messages"),
                        icon="fa-envelope")
