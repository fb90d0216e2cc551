"""Cash refunds (SPEC 6.3): unspent cash paid back to the customer's bank by an operator.

Only cash is refunded, never more than the cash balance, once per account and reference (known
like a remittance's: `remittance_key`). Prepaid cards and what vouchers or cards paid are never
refunded (SPEC 4.3): nothing here touches them. Every refund is a cash entry of the ledger.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.dates import billing_zone
from common.exceptions import Conflict, InvalidInput
from common.money import format_cny, parse_amount
from wallet.models import EntryKind, Refund, Wallet
from wallet.services.balances import cash_debit, remittance_key, wallet_lock

REFUND_UNIQUE = "refund_once_per_account"


@dataclass(frozen=True)
class RefundResult:
    """What a refund did: `created` False when the reference was refunded before (the first
    refund is `refund`, and nothing changed)."""

    wallet: Wallet
    refund: Refund
    created: bool


def refund_made_on(refund: Refund) -> str:
    """When it was refunded, in the billing time zone: "2026-06-01 10:00"."""
    return timezone.localtime(refund.refunded_at, billing_zone()).strftime("%Y-%m-%d %H:%M")


def refund_find(*, account_id: int, key: str) -> Refund | None:
    return Refund.objects.filter(account_id=account_id, reference=key).first()


def _clean_reference(reference) -> tuple[str, str]:
    """The reference as typed (stripped) and the key it is known by."""
    reference = (reference or "").strip()
    if not reference:
        raise InvalidInput(_("Give the refund's bank transfer reference."), field="reference")
    key = remittance_key(reference)
    if max(len(reference), len(key)) > Refund._meta.get_field("reference").max_length:
        raise InvalidInput(
            _("A refund reference has at most 200 characters."),
            field="reference",
            code="max_length",
        )
    return reference, key


def cash_refund(
    *, account_id: int, amount, reference: str, actor=None, now: datetime
) -> RefundResult:
    """Pay `amount` of the cash balance back to the customer's bank — once per account and
    reference. Above the cash balance it is refused (`refund_above_balance`). A repeat with the
    same amount answers the first refund and changes nothing; with another amount it is a
    Conflict (`refund_amount_differs`)."""
    amount = parse_amount(amount, field="amount")
    reference, key = _clean_reference(reference)
    try:
        with transaction.atomic(durable=True):
            wallet = wallet_lock(account_id=account_id)  # every refund and spend waits here
            first = refund_find(account_id=account_id, key=key)
            if first is not None:
                return refund_repeat(wallet=wallet, first=first, amount=amount)
            refund = _refund(wallet, amount, reference, key, actor=actor, now=now)
            return RefundResult(wallet=wallet, refund=refund, created=True)
    except IntegrityError as error:
        if getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") != (
            REFUND_UNIQUE
        ):
            raise
    # The database saw the reference refunded by a transaction this one did not see: a repeat.
    with transaction.atomic(durable=True):
        wallet = wallet_lock(account_id=account_id)
        first = Refund.objects.get(account_id=account_id, reference=key)
        return refund_repeat(wallet=wallet, first=first, amount=amount)


def refund_repeat(*, wallet: Wallet, first: Refund, amount: Decimal) -> RefundResult:
    """The same refund again: the first one if the amount matches, else a Conflict."""
    if first.amount != amount:
        raise Conflict(
            _(
                "Refund %(reference)s was made on %(day)s with %(first)s, not %(amount)s; "
                "nothing was changed."
            )
            % {
                "reference": first.reference,
                "day": refund_made_on(first),
                "first": format_cny(first.amount),
                "amount": format_cny(amount),
            },
            field="amount",
            code="refund_amount_differs",
        )
    return RefundResult(wallet=wallet, refund=first, created=False)


def _refund(wallet: Wallet, amount: Decimal, reference: str, key: str, *, actor, now) -> Refund:
    """Take the refund from the locked wallet's cash, write its entry, record the refund."""
    if amount > wallet.cash_balance:
        raise InvalidInput(
            _("The cash balance is %(balance)s: a refund cannot be more than that.")
            % {"balance": format_cny(wallet.cash_balance)},
            field="amount",
            code="refund_above_balance",
        )
    debit = cash_debit(
        amount=amount,
        wallet=wallet,
        kind=EntryKind.REFUND,
        now=now,
        actor=actor,
        reference=reference,
    )
    debit.save()
    return Refund.objects.create(
        account_id=wallet.account_id,
        reference=key,
        amount=amount,
        refunded_at=now,
        actor=actor,
        entry=debit,
    )
