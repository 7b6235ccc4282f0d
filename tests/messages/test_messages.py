"""Messages between a household and the service: a conversation per subject, attachments
checked like uploads, unread counts on both sides, a mail to the other side through the
outbox (kept when SMTP is down), assignment, closing, audit; and isolation (another
family, the other household of a shared child: 404)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.extensions import db
from app.models import (
    AuditLog,
    Conversation,
    Message,
    MessageAttachment,
    OutgoingMail,
)
from app.services.mail import flush_pending_mails
from app.services.messages.files import FOLDER
from tests import factories as f
from tests.accounts import samples

from .data import build, upload, write


@pytest.fixture
def world(app):
    with app.app_context():
        return build()


def _stored_files(app) -> list[Path]:
    folder = Path(app.config["PORTAL_UPLOAD_DIR"]) / FOLDER
    return sorted(folder.iterdir()) if folder.exists() else []


def _only_conversation() -> Conversation:
    return db.session.query(Conversation).one()


def test_a_parent_writes_with_a_pdf_the_service_gets_a_mail(app, client, world):
    f.login(client, "martin")
    response = write(client, child=world.shared_child, files=[upload()])
    assert response.status_code == 303
    with app.app_context():
        conversation = _only_conversation()
        assert (conversation.family_id, conversation.child_id) == (world.martin,
                                                                   world.shared_child)
        [message] = conversation.messages
        [attachment] = message.attachments
        assert attachment.original_filename == "certificat.pdf"
        [mail] = db.session.query(OutgoingMail).all()
        assert mail.recipient == "affaires.scolaires@ville-saint-pere.fr"
        assert "Absence de Lucas" in mail.subject and "Famille Martin" in mail.subject
        assert f"/gestion/messages/{conversation.id}" in mail.body_text
        assert "Lucas sera absent" not in mail.body_text  # the message stays on the portal
        audit = db.session.query(AuditLog).filter_by(table_name="conversation").one()
        assert audit.action == "open" and audit.username == "martin"
        pk = conversation.id
    page = client.get(f"/famille/messages/{pk}").get_data(as_text=True)
    assert "Lucas sera absent jeudi." in page and "certificat.pdf" in page
    download = client.get(f"/famille/messages/piece/{attachment.stored_name}")
    assert download.status_code == 200 and download.data == samples.PDF
    assert download.headers["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("name, data, words", [
    ("facture.pdf", samples.EXE, "est un programme"),
    ("scan.pdf", samples.HTML, "page web"),
    ("photo.png", samples.jpeg(), "fichier PNG : vérifiez"),
    ("rapport.php.pdf", samples.PDF, "cache un type de fichier interdit"),
])
def test_attachments_are_refused_by_content_and_nothing_is_written(app, client, world, name,
                                                                    data, words):
    f.login(client, "martin")
    before = _stored_files(app)
    response = write(client, files=[upload(name, data)])
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    assert 'value="Absence de Lucas"' in response.get_data(as_text=True)  # form kept
    with app.app_context():
        assert db.session.query(Conversation).count() == 0
        assert db.session.query(OutgoingMail).count() == 0
    assert _stored_files(app) == before


def test_a_reply_refused_by_content_stores_nothing_either(app, client, world):
    f.login(client, "martin")
    write(client)
    with app.app_context():
        pk = _only_conversation().id
    before = _stored_files(app)
    response = client.post(f"/famille/messages/{pk}/repondre",
                           data={"body": "Voici", "files": [upload("x.pdf", samples.EXE)]},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "est un programme" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Message).count() == 1
    assert _stored_files(app) == before


def test_other_family_and_other_household_of_a_shared_child_get_404(app, client, world):
    f.login(client, "martin")
    write(client, child=world.shared_child, files=[upload()])
    with app.app_context():
        pk = _only_conversation().id
        stored = db.session.query(MessageAttachment).one().stored_name
    client.get("/logout/")
    for intruder in ("morel", "voisin"):  # the shared child's other household, a neighbour
        f.login(client, intruder)
        assert client.get(f"/famille/messages/{pk}").status_code == 404
        assert client.get(f"/famille/messages/piece/{stored}").status_code == 404
        reply = client.post(f"/famille/messages/{pk}/repondre", data={"body": "Intrus"})
        assert reply.status_code == 404
        assert client.post(f"/famille/messages/{pk}/clore").status_code == 404
        listing = client.get("/famille/messages/").get_data(as_text=True)
        assert "Absence de Lucas" not in listing
        client.get("/logout/")
    with app.app_context():
        assert db.session.query(Message).count() == 1
        assert _only_conversation().state == "open"


def test_a_parent_cannot_write_about_a_child_of_another_household(app, client, world):
    with app.app_context():
        from app.models import Family

        other = db.session.get(Family, world.voisin).children[0].id
    f.login(client, "morel")  # shares Martin's first child, not Martin's second one
    for child in (other, world.own_child):
        response = write(client, child=child)
        assert response.status_code == 400
        assert "pas rattaché à la famille." in response.get_data(as_text=True)
    assert write(client, child=world.shared_child).status_code == 303


def test_agent_reply_unread_counts_and_mail_to_the_family(app, client, world, smtp_server):
    f.login(client, "martin")
    write(client)
    with app.app_context():
        pk = _only_conversation().id
    client.get("/logout/")
    f.login(client, "agent")
    inbox = client.get("/gestion/messages/").get_data(as_text=True)
    assert "1 message non lu" in inbox and "Absence de Lucas" in inbox
    assert "Lucas sera absent jeudi." in client.get(f"/gestion/messages/{pk}").get_data(
        as_text=True)
    assert "aucun message non lu" in client.get("/gestion/messages/").get_data(as_text=True)
    answer = client.post(f"/gestion/messages/{pk}/repondre",
                         data={"body": "Bien noté, merci.", "files": [upload("menu.pdf")]},
                         content_type="multipart/form-data")
    assert answer.status_code == 303
    client.get("/logout/")
    assert [m["To"] for m in smtp_server.messages] == [
        "affaires.scolaires@ville-saint-pere.fr", "martin@example.org"]
    assert "Nouveau message du service" in smtp_server.messages[1]["Subject"]
    with app.app_context():
        conversation = _only_conversation()
        assert conversation.assigned_to_id == world.agent_id  # who answers takes it
        assert {a.action for a in db.session.query(AuditLog).filter_by(
            table_name="conversation")} >= {"open", "message"}
    f.login(client, "martin")
    home = client.get("/famille/").get_data(as_text=True)
    assert "(1 non lu)" in home  # beside « Messages » in the menu
    listing = client.get("/famille/messages/").get_data(as_text=True)
    assert "1 réponse non lue" in listing
    page = client.get(f"/famille/messages/{pk}").get_data(as_text=True)
    assert "1 nouvelle réponse du service." in page and "Bien noté, merci." in page
    assert "(1 non lu)" not in client.get("/famille/").get_data(as_text=True)
    # The other household of the shared child sees no count.
    client.get("/logout/")
    f.login(client, "morel")
    assert "non lu)" not in client.get("/famille/").get_data(as_text=True)


def test_no_message_is_lost_when_smtp_is_down(app, client, world, smtp_server):
    smtp_server.stop()
    f.login(client, "martin")
    assert write(client).status_code == 303
    with app.app_context():
        assert db.session.query(Message).count() == 1
        [mail] = db.session.query(OutgoingMail).all()
        assert mail.state == "pending"
    smtp_server.start()
    with app.app_context():
        assert flush_pending_mails(force=True) == 1
    assert smtp_server.recipients() == ["affaires.scolaires@ville-saint-pere.fr"]


def test_assign_close_and_no_reply_after_closing(app, client, world):
    f.login(client, "martin")
    write(client)
    with app.app_context():
        pk = _only_conversation().id
    client.get("/logout/")
    f.login(client, "agent")
    bad = client.post(f"/gestion/messages/{pk}/attribuer", data={"agent": "999999"})
    assert bad.status_code == 400 and "Choisissez un agent du service." in bad.get_data(
        as_text=True)
    assert client.post(f"/gestion/messages/{pk}/attribuer",
                       data={"agent": str(world.agent_id)}).status_code == 303
    mine = client.get("/gestion/messages/?agent=me").get_data(as_text=True)
    assert "Absence de Lucas" in mine
    assert "Absence de Lucas" not in client.get("/gestion/messages/?agent=none").get_data(
        as_text=True)
    assert client.post(f"/gestion/messages/{pk}/clore").status_code == 303
    assert "Absence de Lucas" not in client.get("/gestion/messages/").get_data(as_text=True)
    assert "Absence de Lucas" in client.get("/gestion/messages/?etat=closed").get_data(
        as_text=True)
    client.get("/logout/")
    f.login(client, "martin")
    refused = client.post(f"/famille/messages/{pk}/repondre", data={"body": "Encore moi"})
    assert refused.status_code == 400
    assert "Cette conversation est close" in refused.get_data(as_text=True)
    with app.app_context():
        actions = [a.action for a in db.session.query(AuditLog).filter_by(
            table_name="conversation").order_by(AuditLog.id)]
        assert actions[:1] == ["open"] and "assign" in actions and "close" in actions


def test_staff_start_a_conversation_from_the_family_file(app, client, world):
    f.login(client, "agent")
    file_page = client.get(f"/gestion/familles/show/{world.martin}").get_data(as_text=True)
    assert f"/gestion/messages/famille/{world.martin}" in file_page
    empty = client.post(f"/gestion/messages/famille/{world.martin}", data={"topic": "other"})
    assert empty.status_code == 400 and "Écrivez votre message." in empty.get_data(as_text=True)
    response = client.post(f"/gestion/messages/famille/{world.martin}",
                           data={"topic": "invoices", "subject": "Facture de novembre",
                                 "body": "Pouvez-vous nous rappeler ?"})
    assert response.status_code == 303
    with app.app_context():
        conversation = _only_conversation()
        assert conversation.started_by == "staff" and conversation.family_id == world.martin
        [mail] = db.session.query(OutgoingMail).all()
        assert mail.recipient == "martin@example.org"
    client.get("/logout/")
    f.login(client, "martin")
    assert "Facture de novembre" in client.get("/famille/messages/").get_data(as_text=True)
