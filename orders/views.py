"""Pages that buy: a prepaid card with cash (from the wallet page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.exceptions import Conflict, InvalidInput
from common.money import round_money
from orders.models import OrderKind
from orders.requests import OrderRequest, PaymentSplit
from orders.services.checkout import order_place
from wallet.forms import BuyCardForm
from wallet.views import wallet_context
from workspaces.selectors import membership_require_owner
from workspaces.views import current_membership


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
                request=OrderRequest(
                    kind=OrderKind.PREPAID_CARD, face_value=round_money(face_value)
                ),
                payment=PaymentSplit(cash=round_money(face_value)),
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
    context = wallet_context(request, membership, buy_form=form)
    return render(request, "wallet/wallet.html", context, status=400)
