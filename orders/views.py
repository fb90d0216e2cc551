"""Pages of the Billing Center that show money: the home page."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.api import csv_response, parse_date_param
from common.dates import billing_day
from common.exceptions import Conflict, InvalidInput, NotFound
from common.money import format_cny
from orders.models import Instrument
from orders.selectors import (
    LEDGER_COLUMNS,
    account_balances,
    instrument_status,
    ledger_list,
    prepaid_card_list,
    spend_alert_list,
    statement_for,
    usable_balances,
    voucher_list,
)
from orders.services.alerts import spend_alert_set
from orders.services.checkout import order_place
from orders.services.wallet import voucher_redeem
from packages.models import VoucherGrantTier
from packages.selectors import billing_item_list
from quota.selectors import daily_bill_list, subscription_list, subscription_view
from workspaces.selectors import membership_require_owner, workspace_list
from workspaces.views import billing_membership, current_membership


@login_required
def home(request: HttpRequest) -> HttpResponse:
    membership = billing_membership(request)
    now = timezone.now()
    today = billing_day(now)
    balances = account_balances(account=membership.account)
    days_to_lock = None
    if balances.lock_at is not None:
        days_to_lock = max((balances.lock_at - now).days, 0)
    workspaces = list(workspace_list(account=membership.account))
    packages = [
        subscription_view(subscription=subscription, today=today)
        for subscription in subscription_list(account=membership.account).filter(
            end_date__gte=today
        )[:10]
    ]
    names = {workspace.pk: workspace.name for workspace in workspaces}
    context = {
        "membership": membership,
        "balances": balances,
        "usable": usable_balances(account=membership.account, now=now),
        "days_to_lock": days_to_lock,
        "workspaces": workspaces,
        "packages": [(view, [names.get(pk, pk) for pk in view.workspace_ids]) for view in packages],
        "latest_bills": list(
            daily_bill_list(account=membership.account).select_related("workspace")[:6]
        ),
        "free_count": sum(1 for workspace in workspaces if workspace.plan == "free"),
        "commercial_count": sum(1 for workspace in workspaces if workspace.plan == "commercial"),
    }
    return render(request, "orders/home.html", context)


class BuyCardForm(forms.Form):
    face_value = forms.DecimalField(
        label=gettext_lazy("Card value (¥)"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("100"),
        initial=Decimal("10000"),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)


class RedeemForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Activation code"), max_length=32)


def _wallet_context(request: HttpRequest, membership, buy_form=None, redeem_form=None) -> dict:
    now = timezone.now()
    account = membership.account
    vouchers = [
        (voucher, instrument_status(voucher, now=now)) for voucher in voucher_list(account=account)
    ]
    cards = [
        (card, instrument_status(card, now=now)) for card in prepaid_card_list(account=account)
    ]
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


@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    membership = billing_membership(request)
    context = _wallet_context(request, membership)
    if request.GET.get("format") == "csv":
        rows = [
            [
                "voucher",
                voucher.pk,
                voucher.kind,
                voucher.face_value,
                voucher.balance,
                voucher.expires_at.isoformat(),
                status,
            ]
            for voucher, status in context["vouchers"]
        ] + [
            [
                "prepaid_card",
                card.pk,
                card.number,
                card.face_value,
                card.balance,
                card.expires_at.isoformat(),
                status,
            ]
            for card, status in context["cards"]
        ]
        return csv_response("vouchers-and-cards.csv", WALLET_COLUMNS, rows)
    return render(request, "orders/wallet.html", context)


@login_required
@require_POST
def card_buy(request: HttpRequest) -> HttpResponse:
    """Buy a prepaid card with cash. The form's key makes a double submit one order."""
    membership = membership_require_owner(membership=current_membership(request))
    form = BuyCardForm(request.POST)
    if form.is_valid():
        face_value = form.cleaned_data["face_value"]
        try:
            order, created = order_place(
                membership=membership,
                data={"kind": "prepaid_card", "face_value": f"{face_value:.2f}"},
                payment={"cash": f"{face_value:.2f}"},
                idempotency_key=f"web-{form.cleaned_data['idempotency_key']}",
                now=timezone.now(),
            )
        except (InvalidInput, Conflict) as error:
            form.add_error(
                "face_value" if error.field in (None, "face_value", "payment", "detail") else None,
                error.message,
            )
        else:
            if created:
                messages.success(
                    request, _("Order #%(id)s paid: your prepaid card is ready.") % {"id": order.pk}
                )
            else:
                messages.info(
                    request,
                    _("Order #%(id)s was already placed; nothing was charged twice.")
                    % {"id": order.pk},
                )
            return redirect("wallet")
    context = _wallet_context(request, membership, buy_form=form)
    return render(request, "orders/wallet.html", context, status=400)


@login_required
@require_POST
def voucher_redeem_page(request: HttpRequest) -> HttpResponse:
    membership = membership_require_owner(membership=current_membership(request))
    form = RedeemForm(request.POST)
    if form.is_valid():
        try:
            voucher = voucher_redeem(
                account_id=membership.account_id,
                code=form.cleaned_data["code"],
                actor=request.user,
                now=timezone.now(),
            )
        except (InvalidInput, Conflict) as error:
            form.add_error("code", error.message)
        else:
            messages.success(
                request, _("Voucher of %(amount)s added.") % {"amount": format_cny(voucher.balance)}
            )
            return redirect("wallet")
    context = _wallet_context(request, membership, redeem_form=form)
    return render(request, "orders/wallet.html", context, status=400)


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    """Income and expenditure: every balance change, by date and instrument."""
    membership = billing_membership(request)
    errors = {}
    try:
        date_from = parse_date_param(request.GET.get("date_from"), "date_from")
        date_to = parse_date_param(request.GET.get("date_to"), "date_to")
    except InvalidInput as error:
        errors[error.field] = error.message
        date_from = date_to = None
    instrument = request.GET.get("instrument") or None
    if instrument not in (None, *Instrument.values):
        errors["instrument"] = _("Unknown instrument.")
        instrument = None
    entries = list(
        ledger_list(
            account=membership.account, date_from=date_from, date_to=date_to, instrument=instrument
        )[:1000]
    )
    if request.GET.get("format") == "csv":
        rows = (
            [
                e.created_at.isoformat(),
                e.instrument,
                e.voucher_id or e.prepaid_card_id or "",
                e.amount,
                e.balance_after,
                e.kind,
                e.order_id or "",
                e.daily_bill_id or "",
                e.reference,
            ]
            for e in entries
        )
        return csv_response("ledger.csv", LEDGER_COLUMNS, rows)
    context = {
        "entries": entries,
        "instruments": Instrument.choices,
        "instrument": instrument,
        "date_from": date_from,
        "date_to": date_to,
        "errors": errors,
        "query": request.GET.urlencode(),
    }
    return render(request, "orders/ledger.html", context, status=400 if errors else 200)


@login_required
def statements(request: HttpRequest) -> HttpResponse:
    membership = billing_membership(request)
    now = timezone.now()
    raw = request.GET.get("month", "")
    error = None
    try:
        month = date.fromisoformat(f"{raw}-01") if raw else billing_day(now).replace(day=1)
    except ValueError:
        error = _("Use the format YYYY-MM.")
        month = billing_day(now).replace(day=1)
    statement = statement_for(account=membership.account, month=month, now=now)
    rows = [
        (_("Pay-as-you-go charged"), statement.payg_charged),
        (_("Paid by vouchers"), statement.paid_by_vouchers),
        (_("Paid by prepaid cards"), statement.paid_by_cards),
        (_("Paid from cash"), statement.paid_by_cash),
        (_("Left in arrears"), statement.left_in_arrears),
        (_("Orders"), statement.orders_total),
        (_("Arrears at the end of the month"), statement.arrears_at_month_end),
    ]
    if request.GET.get("format") == "csv":
        return csv_response(
            f"statement-{month:%Y-%m}.csv",
            ["field", "value"],
            [(label, value) for label, value in rows],
        )
    months = [
        (billing_day(now).replace(day=1) - timedelta(days=31 * back)).replace(day=1)
        for back in range(12)
    ]
    context = {
        "statement": statement,
        "rows": rows,
        "month": month,
        "months": months,
        "error": error,
    }
    return render(request, "orders/statements.html", context, status=400 if error else 200)


@login_required
def alerts(request: HttpRequest) -> HttpResponse:
    """High-spend alert thresholds per workspace and item (owners set them)."""
    membership = billing_membership(request)
    errors = {}
    if request.method == "POST":
        membership_require_owner(membership=membership)
        for key, value in request.POST.items():
            if not key.startswith("threshold-"):
                continue
            workspace_id, _sep, item_code = key[len("threshold-") :].partition("-")
            try:
                spend_alert_set(
                    membership=membership,
                    workspace_id=workspace_id,
                    item_code=item_code,
                    threshold=value.strip(),
                )
            except (InvalidInput, NotFound) as error:
                errors[key] = error.message
        if not errors:
            messages.success(request, _("Alert thresholds saved."))
            return redirect("alerts")
    current = {
        (alert.workspace_id, alert.item.code): alert.threshold
        for alert in spend_alert_list(account=membership.account)
    }
    items = [item for item in billing_item_list()]
    workspaces = [w for w in workspace_list(account=membership.account) if w.plan == "commercial"]
    grid = [
        (
            workspace,
            [
                (
                    item,
                    f"threshold-{workspace.pk}-{item.code}",
                    request.POST.get(
                        f"threshold-{workspace.pk}-{item.code}",
                        current.get((workspace.pk, item.code), ""),
                    ),
                )
                for item in items
            ],
        )
        for workspace in workspaces
    ]
    context = {"membership": membership, "grid": grid, "items": items, "errors": errors}
    return render(request, "orders/alerts.html", context, status=400 if errors else 200)
