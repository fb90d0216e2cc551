"""Pages that buy: a prepaid card with cash (from the wallet page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.money import round_money
from orders.models import OrderKind
from orders.requests import OrderRequest, PaymentSplit
from orders.services.checkout import order_place
from wallet.forms import BuyCardForm
from wallet.views import wallet_form_post


@login_required
@require_POST
def card_buy(request: HttpRequest) -> HttpResponse:
    """Buy a prepaid card with cash. The form's key makes a double submit one order."""

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
