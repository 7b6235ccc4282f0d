"""The service's inbox: conversations by school, subject, agent and state, unread counts,
each conversation with the reply form, assignment and closing; and « Écrire à la famille »
from a family's file."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...extensions import db
from ...models import (
    Conversation,
    ConversationState,
    Family,
    Message,
    MessageAttachment,
    School,
    Side,
    Topic,
)
from ...services.accounts import paris_time
from ...services.errors import CommandError
from ...services.messages import (
    Actor,
    AssignConversation,
    CloseConversation,
    MarkRead,
    OpenConversation,
    PostMessage,
    staff_conversation,
    staff_inbox,
)
from ...services.messages.queries import PAGE_SIZE, InboxFilter, agents
from ..message_links import attachment_files, conversation_link
from ..parent.messages import TOPIC_ICONS, send_attachment
from .common import add_menu_view


def _actor() -> Actor:
    name = f"{current_user.first_name} {current_user.last_name}".strip() or current_user.username
    return Actor(current_user.id, current_user.username,
                 _("%(name)s, service des affaires scolaires", name=name), Side.staff)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class StaffMessagesView(BaseView):
    route_base = "/gestion/messages"
    default_view = "list"
    # Agents hold can_list / can_show / can_add / can_edit on Staff* views.
    method_permission_name = {
        "list": "list", "show": "show", "download": "show", "reply": "add", "start": "add",
        "assign": "edit", "close": "edit",
    }

    @expose("/")
    @has_access
    def list(self):
        args = request.args
        wanted = InboxFilter(
            school_id=_int(args.get("ecole")),
            topic=args.get("sujet") if args.get("sujet") in set(Topic) else None,
            assigned=args.get("agent") if args.get("agent") in ("me", "none") else None,
            state=None if args.get("etat") == "all" else (
                ConversationState.closed if args.get("etat") == "closed"
                else ConversationState.open),
            unread_only=args.get("non_lus") == "1",
            user_id=current_user.id,
        )
        page = max(_int(args.get("page")) or 0, 0)
        rows, total, unread = staff_inbox(wanted, page)
        return self.render_template(
            "messages/staff_inbox.html", rows=rows, total=total, unread=unread, page=page,
            pages=(total + PAGE_SIZE - 1) // PAGE_SIZE, args=args,
            schools=db.session.query(School).order_by(School.name).all(),
            topics=Topic, topic_icons=TOPIC_ICONS, states=ConversationState, when=paris_time,
        )

    @expose("/<int:pk>")
    @has_access
    def show(self, pk: int):
        conversation = self._conversation(pk)
        unread = {m.id for m in conversation.messages if m.side == Side.family and not m.read_at}
        MarkRead(conversation, Side.staff).run()
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
        flash(_("Réponse envoyée : la famille est prévenue par courriel."), "success")
        return redirect(url_for(".show", pk=pk) + "#dernier", 303)

    @expose("/<int:pk>/attribuer", methods=["POST"])
    @has_access
    def assign(self, pk: int):
        conversation = self._conversation(pk)
        try:
            AssignConversation(conversation, _actor(), request.form.get("agent"),
                               conversation_link).run()
        except CommandError as refused:
            return self._show(conversation, set(), refused)
        flash(_("Attribution enregistrée."), "success")
        return redirect(url_for(".show", pk=pk), 303)

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

    @expose("/famille/<int:pk>", methods=["GET", "POST"])
    @has_access
    def start(self, pk: int):
        """Write to a family from its file."""
        family = db.session.get(Family, pk)
        if family is None:
            abort(404)
        refused = None
        if request.method == "POST":
            form = request.form
            try:
                conversation = OpenConversation(
                    family.id, _actor(), form.get("topic"), form.get("subject"),
                    form.get("body"), form.get("child") or None,
                    attachment_files(request.files), conversation_link,
                ).run()
            except CommandError as error:
                refused = error
            else:
                flash(_("Message envoyé : la famille est prévenue par courriel."), "success")
                return redirect(url_for(".show", pk=conversation.id), 303)
        html = self.render_template(
            "messages/staff_start.html", family=family, topics=Topic,
            errors=refused.messages if refused else [],
            form=request.form if refused else {},
        )
        return html, 400 if refused else 200

    @expose("/piece/<string:filename>")
    @has_access
    def download(self, filename: str):
        attachment = (
            db.session.query(MessageAttachment)
            .join(Message, Message.id == MessageAttachment.message_id)
            .filter(MessageAttachment.stored_name == filename)
            .first()
        )
        return send_attachment(attachment)

    def _conversation(self, pk: int) -> Conversation:
        conversation = staff_conversation(pk)
        if conversation is None:
            abort(404)
        return conversation

    def _show(self, conversation: Conversation, unread: set[int],
              refused: CommandError | None = None):
        html = self.render_template(
            "messages/staff_show.html", conversation=conversation, unread=unread,
            topics=Topic, states=ConversationState, sides=Side, agents=agents(),
            when=paris_time, errors=refused.messages if refused else [],
            form=request.form if refused else {},
        )
        return html, 400 if refused else 200


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, StaffMessagesView, _l("Messages des familles"), "Communication",
                  "fa-envelope")
