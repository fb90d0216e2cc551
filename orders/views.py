"""Pages that buy: a prepaid card with cash (from the wallet page), in two steps: the wallet's
form shows what the cash will buy and asks for a confirmation; only the confirmation pays."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.exceptions import Conflict, InvalidInput
from common.money import format_cny, round_money
from orders.models import OrderKind
from orders.paying import shortfall_amounts, topup_details
from orders.requests import OrderRequest, PaymentSplit
from orders.services.checkout import order_place
from orders.services.previews import card_purchase_preview
from wallet.forms import BuyCardForm
from wallet.views import wallet_context, wallet_form_post
from workspaces.selectors import membership_require_owner
from workspaces.views import current_membership

CONFIRM = "confirm"  # the value of `step` that pays


def _card_review(request: HttpRequest) -> HttpResponse:
    """The first step: what the cash buys (card, validity, voucher), or why it cannot, with the
    way to add cash. Nothing is charged."""
    membership = membership_require_owner(membership=current_membership(request))
    form = BuyCardForm(request.POST)
    topup = missing = None
    if form.is_valid():
        face_value = round_money(form.cleaned_data["face_value"])
        try:
            preview = card_purchase_preview(
                account=membership.account, face_value=face_value, now=timezone.now()
            )
        except (InvalidInput, Conflict) as error:
            form.add_error(form.error_field(error), error.message)
        else:
            if preview.shortfall is None:
                context = {
                    "preview": preview,
                    "idempotency_key": form.cleaned_data["idempotency_key"],
                }
                return render(request, "orders/buy_card_confirm.html", context)
            form.add_error(
                "face_value",
                _("The cash balance is %(balance)s, less than %(cash)s.")
                % {
                    "balance": format_cny(preview.cash_balance),
                    "cash": format_cny(preview.face_value),
                },
            )
            topup = topup_details(membership.account)
            missing = shortfall_amounts(preview.shortfall)["missing"]
    context = wallet_context(request, membership, buy_form=form)
    context.update({"buy_topup": topup, "buy_missing": missing})
    return render(request, "wallet/wallet.html", context, status=400)


@login_required
@require_POST
def card_buy(request: HttpRequest) -> HttpResponse:
    """Buy a prepaid card with cash, after its confirmation (`step=confirm`). The form's key
    makes a double submit one order."""
    if request.POST.get("step") != CONFIRM:
        return _card_review(request)

    def buy(membership, data) -> None:
        face_value = round_money(data["face_value"])
        order, created = order_place(
            membership=membership,
            request=OrderRequest(kind=OrderKind.PREPAID_CARD, face_value=face_value),
            payment=PaymentSplit(cash=face_value),
            idempotency_key=f"web-{data['idempotency_key']}",
            now=timezone.now(),
        )
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

    return wallet_form_post(request, BuyCardForm, form_name="buy_form", act=buy)
