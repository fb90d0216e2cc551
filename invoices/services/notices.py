"""E-mails of invoice requests, outbox rows written in the transaction of the change: operators
hear of a new request; the account's owners and admins (and, for an electronic invoice, its
address) of every decision, in English and Simplified Chinese."""

from django.utils.translation import gettext as _

from common.money import format_cny
from common.outbox import Notice, notice_queue
from invoices.models import InvoiceRequest
from quota.services.operators import operator_emails
from workspaces.mail import account_notice
from workspaces.models import Role

CUSTOMER_ROLES = (Role.OWNER, Role.ADMIN)


def operators_notify_requested(*, request: InvoiceRequest) -> None:
    delivery = (
        f"e-mail {request.email}"
        if not request.is_paper
        else f"mail to {request.mail_recipient}, {request.mail_phone}, {request.mail_address}"
    )
    notice_queue(
        Notice(
            operator_emails(),
            f"[Billing Center] invoice request #{request.pk}: ¥{request.amount:,.2f}",
            f"{request.account.name} requested a {request.get_type_display()} of "
            f"¥{request.amount:,.2f}.\n\nTitle: {request.title}\nTaxpayer ID: "
            f"{request.taxpayer_id}\nDelivery: {delivery}\n\nIssue it (invoice number, date, "
            f"PDF) or reject it with a reason in admin: Invoices, Invoice requests.",
        )
    )


def _customer_mail(request: InvoiceRequest, subject, body) -> None:
    notice = account_notice(request.account_id, subject, body, roles=CUSTOMER_ROLES)
    extra = [request.email] if request.email and request.email not in notice.recipients else []
    notice_queue(Notice(notice.recipients + extra, notice.subject, notice.body))


def _described(request: InvoiceRequest) -> dict:
    return {"id": request.pk, "amount": format_cny(request.amount), "title": request.title}


def customer_notify_issued(*, request: InvoiceRequest) -> None:
    values = _described(request) | {
        "number": request.invoice_number,
        "day": request.issued_on.isoformat(),
    }
    _customer_mail(
        request,
        lambda: _("invoice %(number)s issued") % values,
        lambda: (
            _(
                "Your invoice request #%(id)s (%(amount)s, title %(title)s) was issued on "
                "%(day)s as invoice %(number)s. Download the PDF on the Invoices page of the "
                "Billing Center."
            )
            % values
        ),
    )


def customer_notify_rejected(*, request: InvoiceRequest) -> None:
    values = _described(request) | {"reason": request.reason}
    _customer_mail(
        request,
        lambda: _("invoice request #%(id)s rejected") % values,
        lambda: (
            _(
                "Your invoice request #%(id)s (%(amount)s, title %(title)s) was rejected: "
                "%(reason)s. Its amount can be requested again."
            )
            % values
        ),
    )


def customer_notify_mailed(*, request: InvoiceRequest) -> None:
    values = _described(request) | {
        "number": request.invoice_number,
        "courier": request.courier,
        "tracking": request.tracking_number,
        "day": request.mailed_on.isoformat(),
    }
    _customer_mail(
        request,
        lambda: _("invoice %(number)s mailed") % values,
        lambda: (
            _(
                "Invoice %(number)s (%(amount)s) was mailed on %(day)s by %(courier)s, "
                "tracking number %(tracking)s."
            )
            % values
        ),
    )


def customer_notify_verification_rejected(*, account_id: int, reason: str) -> None:
    notice_queue(
        account_notice(
            account_id,
            lambda: _("enterprise verification rejected"),
            lambda: (
                _(
                    "An operator rejected the enterprise verification of your account: "
                    "%(reason)s. Correct the registered name or the unified social credit code "
                    "on the Invoices page; invoices can be requested again once it is verified."
                )
                % {"reason": reason}
            ),
            roles=CUSTOMER_ROLES,
        )
    )
