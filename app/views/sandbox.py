"""The local payment sandbox: the "bank" pages of eopayment's dummy backend, served by the
app itself so that `make run` pays an invoice end to end without a real payment service.

GET /sandbox/pay?transaction_id=…&amount=…&return_url=…&direct_notification_url=… shows the
amount with three buttons (Payer, Refuser, Abandonner). The choice is POSTed here; the
sandbox then does what a real service does: it calls the app's notification URL
server-side with a signed answer, and sends the browser back to the return URL.

Only with PAYMENT_BACKEND=dummy (404 otherwise); both URLs must be this app's own.
"""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose
from flask_babel import gettext as _

from ..extensions import db
from ..services.payments.sandbox import sandbox_secret, signed_notification

log = logging.getLogger("app.payments")
# What the page carries from the request to the decision.
FIELDS = ("transaction_id", "amount", "orderid", "subject", "email", "origin", "return_url",
          "direct_notification_url")
DECISIONS = {"pay": "ok", "refuse": "refused", "abandon": "cancelled"}


def _own_url(url: str) -> bool:
    """An absolute URL of this very app (no open redirect, no request to elsewhere)."""
    target, here = urlsplit(url or ""), urlsplit(request.host_url)
    return (target.scheme, target.netloc) == (here.scheme, here.netloc) and bool(target.path)


def _fields(source) -> dict[str, str]:
    fields = {name: (source.get(name) or "").strip() for name in FIELDS}
    try:
        amount = Decimal(fields["amount"])
    except InvalidOperation:
        abort(400)
    if not fields["transaction_id"] or amount <= 0 or not amount.is_finite():
        abort(400)
    if not (_own_url(fields["return_url"]) and _own_url(fields["direct_notification_url"])):
        abort(400)
    return fields


def _notify(url: str, data: dict[str, str]) -> bool:
    """Deliver the answer to the app's own notification endpoint, as a payment service does,
    as a separate request inside this process: never to an address taken from the request
    (the Host header is the client's, so an HTTP call would let it reach other hosts)."""
    path = urlsplit(url).path
    if path != url_for("PaymentNotificationView.notify"):
        log.warning("Bac à sable : adresse de notification refusée : %s", url)
        return False
    answer = current_app.test_client().post(
        path, data=data, headers={"User-Agent": "portail-sandbox"}
    )
    if answer.status_code != 200:
        log.warning("Bac à sable : notification refusée (%s)", answer.status_code)
    return answer.status_code == 200


class PaymentSandboxView(BaseView):
    route_base = "/sandbox"
    default_view = "pay"

    @expose("/pay", methods=["GET", "POST"])
    def pay(self):
        if current_app.config.get("PAYMENT_BACKEND") != "dummy":
            abort(404)
        if request.method == "GET":
            fields = _fields(request.args)
            return self.render_template("portal/payment_sandbox.html", fields=fields, names=FIELDS,
                                        amount=Decimal(fields["amount"]),
                                        title=_("Paiement en ligne (bac à sable)"))
        fields = _fields(request.form)
        outcome = DECISIONS.get(request.form.get("decision", ""))
        if outcome is None:
            abort(400)
        answer = {key: fields[key] for key in ("transaction_id", "amount", "orderid")}
        answer[outcome] = "1"
        if outcome != "ok":
            answer["reason"] = outcome
        # Nothing of this request's session may hold the database while the app's other
        # request (the notification) writes to it.
        db.session.rollback()
        delivered = _notify(fields["direct_notification_url"],
                            signed_notification(answer, sandbox_secret()))
        if not delivered:
            return self.render_template("portal/payment_sandbox.html", fields=fields, names=FIELDS,
                                        amount=Decimal(fields["amount"]), failed=True,
                                        title=_("Paiement en ligne (bac à sable)")), 502
        return redirect(fields["return_url"])


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view_no_menu(PaymentSandboxView)
