"""Order history pages: the list with its filters, and an order's printable receipt (HTML, and
PDF where WeasyPrint works). Owners and admins see them; members get 403; another account's
order is not found (404)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from common.dates import parse_day
from common.exceptions import InvalidInput
from common.pagination import page_of
from orders.models import OrderKind, OrderStatus
from orders.receipt_pdf import ReceiptPdfUnavailable, receipt_pdf
from orders.selectors import order_get, order_list, order_payment_summary, order_receipt
from workspaces.views import billing_membership, current_membership

ORDER_PAGE_SIZE = 20


def _filters(params) -> tuple[dict, dict]:
    """The list's filters from the query string, and an error message per bad one (a bad
    filter is left out, the list shows without it)."""
    filters: dict = {"kind": None, "status": None, "date_from": None, "date_to": None}
    errors: dict = {}
    unknown = {"kind": _("Unknown kind of order."), "status": _("Unknown status.")}
    for name, choices in (("kind", OrderKind), ("status", OrderStatus)):
        value = params.get(name) or None
        if value is not None and value not in choices.values:
            errors[name] = unknown[name]
        else:
            filters[name] = value
    for name in ("date_from", "date_to"):
        try:
            filters[name] = parse_day(params.get(name) or None, field=name)
        except InvalidInput as error:
            errors[name] = error.message
    if filters["date_from"] and filters["date_to"] and filters["date_from"] > filters["date_to"]:
        errors["date_from"] = _("The first day is after the last one.")
        filters["date_from"] = filters["date_to"] = None
    return filters, errors


@login_required
def order_history(request: HttpRequest) -> HttpResponse:
    """Every order of the account, newest first, 20 a page, filtered by kind, status, dates."""
    membership = billing_membership(request)
    filters, errors = _filters(request.GET)
    pager = page_of(
        request, order_list(account=membership.account, **filters), per_page=ORDER_PAGE_SIZE
    )
    rows = [(order, order_payment_summary(order=order)) for order in pager.rows]
    context = {
        "rows": rows,
        "pager": pager,
        "filters": filters,
        "errors": errors,
        "kinds": OrderKind.choices,
        "statuses": OrderStatus.choices,
        "filtered": any(value is not None for value in filters.values()),
    }
    return render(request, "orders/history.html", context, status=400 if errors else 200)


def _receipt_context(request: HttpRequest, order_id: int, *, pdf: bool) -> dict:
    membership = current_membership(request)
    order = order_get(account=membership.account, order_id=order_id)
    billing_membership(request)
    return {
        "receipt": order_receipt(order=order),
        "account": membership.account,
        "seller": settings.RECEIPT_SELLER,
        "printed_at": timezone.now(),
        "pdf": pdf,
    }


@login_required
def order_receipt_page(request: HttpRequest, order_id: int) -> HttpResponse:
    """The receipt as a page that prints on A4 (print styles hide the buttons)."""
    return render(request, "orders/receipt.html", _receipt_context(request, order_id, pdf=False))


@login_required
def order_receipt_download(request: HttpRequest, order_id: int) -> HttpResponse:
    """The receipt as a PDF; where it cannot be made, a page that says so and links the
    printable receipt (503), never a server error."""
    context = _receipt_context(request, order_id, pdf=True)
    order = context["receipt"].order
    try:
        document = receipt_pdf(render_to_string("orders/receipt.html", context, request=request))
    except ReceiptPdfUnavailable:
        return render(request, "orders/receipt_unavailable.html", {"order": order}, status=503)
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{order.pk}.pdf"'
    return response
