"""Pages of the Billing Center that show money: the home page."""

import uuid
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

from common.exceptions import Conflict, InvalidInput
from common.money import format_cny
from orders.selectors import (
    account_balances,
    instrument_status,
    prepaid_card_list,
    usable_balances,
    voucher_list,
)
from orders.services.checkout import order_place
from orders.services.wallet import voucher_redeem
from packages.models import VoucherGrantTier
from workspaces.selectors import membership_require_owner, workspace_list
from workspaces.views import billing_membership, current_membership


@login_required
def home(request: HttpRequest) -> HttpResponse:
    membership = billing_membership(request)
    balances = account_balances(account=membership.account)
    days_to_lock = None
    if balances.lock_at is not None:
        days_to_lock = max((balances.lock_at - timezone.now()).days, 0)
    workspaces = list(workspace_list(account=membership.account))
    context = {
        "membership": membership,
        "balances": balances,
        "days_to_lock": days_to_lock,
        "workspaces": workspaces,
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


@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    membership = billing_membership(request)
    return render(request, "orders/wallet.html", _wallet_context(request, membership))


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
