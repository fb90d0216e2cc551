"""What a purchase will do, shown before the customer confirms it; nothing is written."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from common.dates import billing_day
from orders.models import OrderKind
from orders.requests import OrderRequest
from orders.services.kinds import PURCHASED_CARD_VALID_DAYS, order_quote
from orders.services.payment import PaymentShortfall, payment_suggestion
from packages.selectors import voucher_grant_tier_for_card
from wallet.selectors import account_balances
from workspaces.models import Account


@dataclass(frozen=True)
class CardPurchasePreview:
    """A prepaid card bought with cash: the cash it takes, the card and its voucher."""

    face_value: Decimal
    card_expires_on: date
    voucher_amount: Decimal | None
    voucher_expires_on: date | None
    cash_balance: Decimal
    shortfall: PaymentShortfall | None

    @property
    def cash_after(self) -> Decimal:
        return self.cash_balance - self.face_value


def card_purchase_preview(
    *, account: Account, face_value: Decimal, now: datetime
) -> CardPurchasePreview:
    """Priced by the order's own quote (a value not a multiple of ¥100 is refused as there)."""
    request = OrderRequest(kind=OrderKind.PREPAID_CARD, face_value=face_value)
    quote = order_quote(account=account, request=request, today=billing_day(now))
    suggestion = payment_suggestion(account=account, quote=quote, now=now)
    tier = voucher_grant_tier_for_card(face_value=face_value)
    return CardPurchasePreview(
        face_value=quote.total,
        card_expires_on=billing_day(now + timedelta(days=PURCHASED_CARD_VALID_DAYS)),
        voucher_amount=tier.voucher_amount if tier else None,
        voucher_expires_on=billing_day(now + timedelta(days=tier.voucher_valid_days))
        if tier
        else None,
        cash_balance=account_balances(account=account).cash_balance,
        shortfall=suggestion.shortfall,
    )
