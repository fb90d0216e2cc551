"""Pages of invoices (SPEC 6.4): the invoiceable balance, the request form and the list of
requests; the enterprise verification; mailing addresses; the issued PDF."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.exceptions import Conflict, InvalidInput, NotFound
from common.money import format_cny
from common.pagination import page_of
from invoices.downloads import invoice_pdf_response
from invoices.forms import AddressForm, InvoiceRequestForm, VerificationForm
from invoices.models import InvoiceType, VerificationStatus
from invoices.selectors import (
    address_list,
    invoice_pdf_get,
    invoice_request_list,
    invoiceable_balance,
    verification_or_blank,
)
from invoices.services.addresses import (
    address_create,
    address_delete,
    address_details_parse,
    address_make_default,
)
from invoices.services.requests import invoice_ask_parse, invoice_request_create
from invoices.services.verification import enterprise_details_parse, verification_update
from workspaces.selectors import membership_require_owner
from workspaces.views import billing_membership

REQUESTS_PER_PAGE = 50
PAGE_ERRORS = (InvalidInput, Conflict, NotFound)


def _request_form(membership, verification, balance, addresses) -> InvoiceRequestForm:
    """Pre-filled: the registered name, the whole balance, the default address, own e-mail."""
    default = next((address for address in addresses if address.is_default), None)
    return InvoiceRequestForm(
        addresses=addresses,
        initial={
            "type": InvoiceType.ELECTRONIC,
            "title": verification.registered_name,
            "amount": f"{balance:.2f}",
            "address": str(default.pk) if default else "",
            "email": membership.user.email,
            "idempotency_key": uuid.uuid4().hex,
        },
    )


def _invoices_page(request, membership, form=None, status: int = 200) -> HttpResponse:
    account = membership.account
    verification = verification_or_blank(account=account)
    balance = invoiceable_balance(account_id=account.pk)
    addresses = list(address_list(account=account))
    pager = page_of(request, invoice_request_list(account=account), per_page=REQUESTS_PER_PAGE)
    context = {
        "membership": membership,
        "verification": verification,
        "verified": verification.status == VerificationStatus.VERIFIED,
        "balance": balance,
        "addresses": addresses,
        "form": form or _request_form(membership, verification, balance, addresses),
        "requests": pager.rows,
        "pager": pager,
    }
    return render(request, "invoices/invoices.html", context, status=status)


@login_required
def invoices(request: HttpRequest) -> HttpResponse:
    return _invoices_page(request, billing_membership(request))


@login_required
@require_POST
def invoice_request(request: HttpRequest) -> HttpResponse:
    membership = billing_membership(request)
    addresses = list(address_list(account=membership.account))
    form = InvoiceRequestForm(request.POST, addresses=addresses)
    if form.is_valid():
        try:
            invoice, created = invoice_request_create(
                membership=membership,
                ask=invoice_ask_parse(form.cleaned_data),
                idempotency_key=f"web-{form.cleaned_data['idempotency_key']}",
                now=timezone.now(),
            )
        except PAGE_ERRORS as error:
            form.add_service_error(error)
        else:
            values = {"id": invoice.pk, "amount": format_cny(invoice.amount)}
            if created:
                messages.success(
                    request, _("Invoice request #%(id)s for %(amount)s sent.") % values
                )
            else:
                messages.info(request, _("Invoice request #%(id)s was already sent.") % values)
            return redirect("invoices")
    return _invoices_page(request, membership, form=form, status=400)


@login_required
def verification(request: HttpRequest) -> HttpResponse:
    membership = billing_membership(request)
    current = verification_or_blank(account=membership.account)
    if request.method == "POST":
        membership_require_owner(membership=membership)
        form = VerificationForm(request.POST)
        if form.is_valid():
            try:
                saved = verification_update(
                    membership=membership,
                    details=enterprise_details_parse(form.cleaned_data),
                    now=timezone.now(),
                )
            except PAGE_ERRORS as error:
                form.add_service_error(error)
            else:
                if saved.status == VerificationStatus.VERIFIED:
                    messages.success(
                        request,
                        _("Enterprise verified: %(name)s.") % {"name": saved.registered_name},
                    )
                    return redirect("invoices")
                messages.warning(request, _("Saved, but the verification stays rejected."))
                return redirect("invoice-verification")
        status = 400
    else:
        form = VerificationForm(
            initial={field: getattr(current, field) for field in VerificationForm.base_fields}
        )
        status = 200
    context = {"membership": membership, "verification": current, "form": form}
    return render(request, "invoices/verification.html", context, status=status)


@login_required
def addresses(request: HttpRequest) -> HttpResponse:
    membership = billing_membership(request)
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            address_create(
                membership=membership,
                details=address_details_parse(form.cleaned_data),
                now=timezone.now(),
            )
        except PAGE_ERRORS as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Mailing address added."))
            return redirect("invoice-addresses")
    context = {
        "membership": membership,
        "addresses": address_list(account=membership.account),
        "form": form,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "invoices/addresses.html", context, status=status)


@login_required
@require_POST
def address_default(request: HttpRequest, address_id: int) -> HttpResponse:
    address_make_default(membership=billing_membership(request), address_id=address_id)
    messages.success(request, _("Default mailing address changed."))
    return redirect("invoice-addresses")


@login_required
@require_POST
def address_remove(request: HttpRequest, address_id: int) -> HttpResponse:
    address_delete(membership=billing_membership(request), address_id=address_id)
    messages.success(request, _("Mailing address deleted."))
    return redirect("invoice-addresses")


@login_required
def invoice_pdf(request: HttpRequest, request_id: int) -> HttpResponse:
    """The issued PDF, for members with billing rights of its account only (404 otherwise)."""
    membership = billing_membership(request)
    return invoice_pdf_response(invoice_pdf_get(account=membership.account, request_id=request_id))
