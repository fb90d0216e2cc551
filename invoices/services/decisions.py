"""An operator's decisions on a request: issue it (invoice number, date, the PDF), reject it
with a reason (its amount becomes invoiceable again), record the mailing of a paper invoice.
Each locks the request, checks its status under the lock and e-mails the customer."""

from datetime import date, datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.dates import billing_day, billing_zone
from common.exceptions import Conflict, InvalidInput
from invoices.models import InvoiceRequest, InvoiceStatus
from invoices.services.notices import (
    customer_notify_issued,
    customer_notify_mailed,
    customer_notify_rejected,
)
from invoices.taxpayer import text_parse

MAX_PDF_BYTES = 10 * 1024 * 1024
INVOICE_NUMBER_UNIQUE = "invoice_number_once"


def invoice_pdf_check(pdf: UploadedFile | None) -> UploadedFile:
    """A PDF file (by its first bytes, not its name) of at most 10 MiB."""
    if pdf is None:
        raise InvalidInput(_("Attach the invoice PDF."), field="pdf", code="required")
    if pdf.size > MAX_PDF_BYTES:
        raise InvalidInput(_("The PDF is larger than 10 MiB."), field="pdf", code="pdf_too_large")
    pdf.seek(0)
    head = pdf.read(5)
    pdf.seek(0)
    if head != b"%PDF-":
        raise InvalidInput(_("This file is not a PDF."), field="pdf", code="not_a_pdf")
    return pdf


def _requested(request_id: int, status: str = InvoiceStatus.REQUESTED) -> InvoiceRequest:
    request = (
        InvoiceRequest.objects.select_for_update(of=("self",))
        .select_related("account")
        .get(pk=request_id)
    )
    if request.status != status:
        raise Conflict(
            _("Invoice request #%(id)s is %(status)s; nothing was changed.")
            % {"id": request.pk, "status": request.get_status_display()},
            code="invoice_request_decided" if status == InvoiceStatus.REQUESTED else "not_issued",
        )
    return request


def _issue_dates_check(request: InvoiceRequest, issued_on: date, now: datetime) -> None:
    if issued_on < timezone.localtime(request.requested_at, billing_zone()).date():
        raise InvalidInput(
            _("An invoice is not issued before it was requested."),
            field="issued_on",
            code="issued_before_request",
        )
    if issued_on > billing_day(now):
        raise InvalidInput(
            _("The issue date is in the future."), field="issued_on", code="issued_in_future"
        )


def _number_taken(number: str) -> InvalidInput:
    return InvalidInput(
        _("Invoice number %(number)s was issued already.") % {"number": number},
        field="invoice_number",
        code="invoice_number_taken",
    )


def invoice_request_issue(
    *,
    request_id: int,
    invoice_number: str,
    issued_on: date,
    pdf: UploadedFile | None,
    actor,
    now: datetime,
) -> InvoiceRequest:
    number = "".join(text_parse(invoice_number, field="invoice_number", max_length=40).split())
    pdf = invoice_pdf_check(pdf)
    stored = None
    try:
        with transaction.atomic(durable=True):
            request = _requested(request_id)
            _issue_dates_check(request, issued_on, now)
            if InvoiceRequest.objects.filter(invoice_number=number).exists():
                raise _number_taken(number)
            request.pdf.save(f"fapiao-{number}.pdf", pdf, save=False)
            stored = request.pdf.name
            request.status = InvoiceStatus.ISSUED
            request.invoice_number = number
            request.issued_on = issued_on
            request.decided_at = now
            request.decided_by = actor
            request.save()
            customer_notify_issued(request=request)
            return request
    except BaseException as error:
        if stored:  # the row was not written: no file without its request
            InvoiceRequest._meta.get_field("pdf").storage.delete(stored)
        if isinstance(error, IntegrityError) and _constraint(error) == INVOICE_NUMBER_UNIQUE:
            raise _number_taken(number) from None
        raise


def _constraint(error: IntegrityError) -> str:
    return getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") or ""


def invoice_request_reject(*, request_id: int, reason: str, actor, now: datetime) -> InvoiceRequest:
    reason = text_parse(reason, field="reason", max_length=1000)
    with transaction.atomic(durable=True):
        request = _requested(request_id)
        request.status = InvoiceStatus.REJECTED
        request.reason = reason
        request.decided_at = now
        request.decided_by = actor
        request.save()
        customer_notify_rejected(request=request)
        return request


def invoice_request_mail(
    *, request_id: int, courier: str, tracking_number: str, mailed_on: date, actor, now: datetime
) -> InvoiceRequest:
    """A paper invoice went into the mail (again, to correct a typo: the customer hears again)."""
    courier = text_parse(courier, field="courier", max_length=60)
    tracking = text_parse(tracking_number, field="tracking_number", max_length=60)
    with transaction.atomic(durable=True):
        request = _requested(request_id, status=InvoiceStatus.ISSUED)
        if not request.is_paper:
            raise Conflict(_("An electronic invoice is not mailed."), code="electronic_not_mailed")
        if mailed_on < request.issued_on:
            raise InvalidInput(
                _("An invoice is not mailed before it was issued."),
                field="mailed_on",
                code="mailed_before_issue",
            )
        request.courier = courier
        request.tracking_number = tracking
        request.mailed_on = mailed_on
        request.save(update_fields=["courier", "tracking_number", "mailed_on"])
        customer_notify_mailed(request=request)
        return request
