"""Pages of the wallet: balances, vouchers and cards, redeeming a code, the ledger."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.csv_export import CSV_CHUNK_SIZE, page_csv_response
from common.dates import parse_day
from common.exceptions import Conflict, InvalidInput
from common.money import format_cny
from common.pagination import page_of
from packages.models import VoucherGrantTier
from wallet.forms import BuyCardForm, RedeemForm
from wallet.models import BalanceBasis, Instrument
from wallet.selectors import (
    LEDGER_COLUMNS,
    account_balances,
    instrument_status,
    instrument_status_label,
    ledger_list,
    low_balance_alert_get,
    prepaid_card_list,
    usable_balances,
    voucher_list,
)
from wallet.services.instruments import voucher_redeem
from wallet.services.low_balance import low_balance_alert_set
from workspaces.selectors import membership_require_owner
from workspaces.views import billing_membership, current_membership


def _with_status(instrument, now) -> tuple:
    """(instrument, status code for the badge's class, status in the reader's language)."""
    status = instrument_status(instrument, now=now)
    return instrument, status, instrument_status_label(status)


def wallet_context(request: HttpRequest, membership, buy_form=None, redeem_form=None) -> dict:
    now = timezone.now()
    account = membership.account
    vouchers = [_with_status(voucher, now) for voucher in voucher_list(account=account)]
    cards = [_with_status(card, now) for card in prepaid_card_list(account=account)]
    return {
        "membership": membership,
        "balances": account_balances(account=account),
        "usable": usable_balances(account=account, now=now),
        "vouchers": vouchers,
        "cards": cards,
        "tiers": VoucherGrantTier.objects.order_by("min_card_value"),
        "buy_form": buy_form or BuyCardForm(initial={"idempotency_key": uuid.uuid4().hex}),
        "redeem_form": redeem_form or RedeemForm(),
    }


WALLET_COLUMNS = [
    "instrument",
    "id",
    "kind_or_number",
    "face_value",
    "balance",
    "expires_at",
    "status",
]


def _held_csv(account) -> HttpResponse:
    """Vouchers, then prepaid cards, as on the wallet page; streamed."""
    now = timezone.now()
    rows = (
        [
            instrument,
            held.pk,
            getattr(held, kind_or_number),
            held.face_value,
            held.balance,
            held.expires_at,
            instrument_status(held, now=now),
        ]
        for instrument, kind_or_number, holdings in (
            ("voucher", "kind", voucher_list(account=account)),
            ("prepaid_card", "number", prepaid_card_list(account=account)),
        )
        for held in holdings.iterator(chunk_size=CSV_CHUNK_SIZE)
    )
    return page_csv_response("vouchers-and-cards.csv", WALLET_COLUMNS, rows)


@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    membership = billing_membership(request)
    if request.GET.get("format") == "csv":
        return _held_csv(membership.account)
    context = wallet_context(request, membership)
    return render(request, "wallet/wallet.html", context)


def wallet_form_post(request: HttpRequest, form_class, *, form_name: str, act) -> HttpResponse:
    """A form of the wallet page, posted by an owner: `act(membership, data)` runs its service
    and adds the message, then the wallet page follows; a domain error shows on the form (where
    the form's `error_field` puts it), on the wallet page answered with 400."""
    membership = membership_require_owner(membership=current_membership(request))
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(membership, form.cleaned_data)
        except (InvalidInput, Conflict) as error:
            form.add_error(form.error_field(error), error.message)
        else:
            return redirect("wallet")
    context = wallet_context(request, membership, **{form_name: form})
    return render(request, "wallet/wallet.html", context, status=400)


@login_required
@require_POST
def voucher_redeem_page(request: HttpRequest) -> HttpResponse:
    def redeem(membership, data) -> None:
        voucher = voucher_redeem(
            account_id=membership.account_id,
            code=data["code"],
            actor=request.user,
            now=timezone.now(),
        )
        messages.success(
            request, _("Voucher of %(amount)s added.") % {"amount": format_cny(voucher.balance)}
        )

    return wallet_form_post(request, RedeemForm, form_name="redeem_form", act=redeem)


LEDGER_PAGE_SIZE = 1000  # entries a page (?page=N links to the others; the CSV has all)


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    """Income and expenditure: every balance change, by date and instrument."""
    membership = billing_membership(request)
    errors = {}
    try:
        date_from = parse_day(request.GET.get("date_from"), field="date_from")
        date_to = parse_day(request.GET.get("date_to"), field="date_to")
    except InvalidInput as error:
        errors[error.field] = error.message
        date_from = date_to = None
    instrument = request.GET.get("instrument") or None
    if instrument not in (None, *Instrument.values):
        errors["instrument"] = _("Unknown instrument.")
        instrument = None
    selected = ledger_list(
        account=membership.account, date_from=date_from, date_to=date_to, instrument=instrument
    )
    if request.GET.get("format") == "csv":
        rows = (
            [
                e.created_at,
                e.instrument,
                e.voucher_id or e.prepaid_card_id or "",
                e.amount,
                e.balance_after,
                e.kind,
                e.order_id or "",
                e.daily_bill_id or "",
                e.reference,
                e.adjustment_id or "",
                e.adjustment.reason_text if e.adjustment_id else "",
            ]
            for e in selected.iterator(chunk_size=CSV_CHUNK_SIZE)
        )
        return page_csv_response("ledger.csv", LEDGER_COLUMNS, rows)
    pager = page_of(request, selected, per_page=LEDGER_PAGE_SIZE)
    query = request.GET.copy()
    for param in ("page", "format"):
        query.pop(param, None)
    context = {
        "entries": pager.rows,
        "total": pager.total,
        "pager": pager,
        "instruments": Instrument.choices,
        "instrument": instrument,
        "date_from": date_from,
        "date_to": date_to,
        "errors": errors,
        "query": query.urlencode(),
    }
    return render(request, "wallet/ledger.html", context, status=400 if errors else 200)


@login_required
def low_balance_page(request: HttpRequest) -> HttpResponse:
    """The low-balance alert: owners set it, admins see it."""
    membership = billing_membership(request)
    errors = {}
    if request.method == "POST":
        membership_require_owner(membership=membership)
        try:
            low_balance_alert_set(
                membership=membership,
                threshold=request.POST.get("threshold", "").strip(),
                basis=request.POST.get("basis", BalanceBasis.CASH),
                now=timezone.now(),
            )
        except InvalidInput as error:
            errors[error.field or "threshold"] = error.message
        else:
            messages.success(request, _("Low-balance alert saved."))
            return redirect("low-balance")
    now = timezone.now()
    context = {
        "membership": membership,
        "alert": low_balance_alert_get(account=membership.account),
        "balances": account_balances(account=membership.account),
        "usable": usable_balances(account=membership.account, now=now),
        "bases": BalanceBasis.choices,
        "posted": request.POST if errors else None,
        "errors": errors,
    }
    return render(request, "wallet/low_balance.html", context, status=400 if errors else 200)
