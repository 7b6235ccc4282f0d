"""The payment service's server-side notification (PayFiP's `urlnotif`, the sandbox's
direct notification). No session, no CSRF token: the backend verifies the notification
itself (app.services.payments.online.process_notification).

The parent's pay and return routes are in finances.py (ParentFinanceView); the sandbox
pages in app/views/sandbox.py, registered from here.
"""

from __future__ import annotations

from flask import Response, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose

from ...extensions import csrf
from ...services.payments.notifications import process_notification
from ...services.payments.online import PaymentUrls


def payment_urls(invoice_id: int | None = None) -> PaymentUrls:
    """The addresses the payment service is given (this request's host)."""
    return PaymentUrls(
        notify=url_for("PaymentNotificationView.notify", _external=True),
        sandbox=url_for("PaymentSandboxView.pay", _external=True),
        payer_return=(url_for("ParentFinanceView.payment_return", pk=invoice_id,
                              _external=True) if invoice_id is not None else None),
    )


def _query_string() -> str:
    """The notification's fields, as the backend's `response()` expects them."""
    body = request.get_data(as_text=True) if request.method == "POST" else ""
    if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        return body
    return request.query_string.decode("latin-1") or body


class PaymentNotificationView(BaseView):
    route_base = "/paiement"

    @expose("/notification", methods=["GET", "POST"])
    def notify(self):
        outcome = process_notification(_query_string(), payment_urls())
        return Response(outcome.content, status=outcome.http_status, mimetype="text/plain")


def register(appbuilder: AppBuilder) -> None:
    from .. import sandbox

    appbuilder.add_view_no_menu(PaymentNotificationView)
    csrf.exempt(f"{PaymentNotificationView.notify.__module__}.notify")
    sandbox.register(appbuilder)
