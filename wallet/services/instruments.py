"""Prepaid cards and vouchers: issued, redeemed, and locked for paying (SPEC 4)."""

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from common.exceptions import Conflict, InvalidInput
from common.money import parse_amount
from wallet.models import EntryKind, LedgerEntry, PrepaidCard, Voucher, Wallet
from wallet.services.balances import held_entry, pay_debt_first, wallet_lock

PREPAID_CARD_STEP = Decimal("100")


def _valid_days(valid_days: int) -> int:
    if (
        isinstance(valid_days, bool)
        or not isinstance(valid_days, int)
        or not 1 <= valid_days <= 3660
    ):
        raise InvalidInput(
            _("Validity is 1 to 3,660 days."), field="valid_days", code="invalid_validity"
        )
    return valid_days


def voucher_issue(
    *,
    account_id: int | None,
    amount,
    kind: str = Voucher.Kind.ORDINARY,
    valid_days: int = 365,
    actor=None,
    now: datetime,
    granted_by=None,
) -> Voucher:
    """A voucher for an account, or (account_id None) an activation code to redeem once."""
    amount = parse_amount(amount, field="amount")
    if kind not in Voucher.Kind.values:
        raise InvalidInput(_("Unknown voucher kind %(kind)s.") % {"kind": kind}, field="kind")
    valid_days = _valid_days(valid_days)
    with transaction.atomic():
        voucher = Voucher.objects.create(
            account_id=account_id,
            kind=kind,
            face_value=amount,
            balance=amount,
            issued_at=now,
            expires_at=now + timedelta(days=valid_days),
            code=None if account_id else secrets.token_hex(8).upper(),
            granted_by=granted_by,
        )
        if account_id:
            wallet = (
                Wallet.objects.get(account_id=account_id)
                if granted_by
                else wallet_lock(account_id=account_id)
            )
            entry_kind = EntryKind.GRANT if granted_by else EntryKind.ISSUE
            _create(
                _arrival(
                    voucher, wallet=wallet, kind=entry_kind, now=now, actor=actor, order=granted_by
                )
            )
    return voucher


def _arrival(held: Voucher | PrepaidCard, **fields) -> LedgerEntry:
    """The entry of a voucher or card that comes into the account with its whole balance."""
    return held_entry(held, amount=held.balance, balance_after=held.balance, **fields)


def _create(unsaved: LedgerEntry) -> LedgerEntry:
    return LedgerEntry.objects.create(
        **{
            field.attname: getattr(unsaved, field.attname)
            for field in LedgerEntry._meta.concrete_fields
            if field.attname != "id"
        }
    )


def voucher_redeem(*, account_id: int, code: str, actor=None, now: datetime) -> Voucher:
    """A customer redeems an activation code, once."""
    code = (code or "").strip().upper()
    if not code or len(code) > 32:
        raise InvalidInput(_("Enter the activation code."), field="code")
    with transaction.atomic(durable=True):
        wallet = wallet_lock(account_id=account_id)
        voucher = Voucher.objects.select_for_update().filter(code=code).first()
        if voucher is None:
            raise InvalidInput(
                _("No voucher has this activation code."), field="code", code="unknown_code"
            )
        if voucher.account_id is not None:
            raise Conflict(
                _("This activation code has already been redeemed."), code="code_already_redeemed"
            )
        if voucher.expires_at <= now:
            raise Conflict(
                _("This voucher expired on %(day)s.") % {"day": f"{voucher.expires_at:%Y-%m-%d}"},
                code="voucher_expired",
            )
        voucher.account_id = account_id
        voucher.redeemed_at = now
        voucher.save(update_fields=["account", "redeemed_at"])
        _create(
            _arrival(
                voucher,
                wallet=wallet,
                kind=EntryKind.REDEEM,
                now=now,
                actor=actor,
                reference=code,  # shown as is on the ledger: no word of either language
            )
        )
    return voucher


def _card_number() -> str:
    return "PC" + "".join(secrets.choice("0123456789") for _ in range(14))


def prepaid_card_issue(
    *,
    account_id: int,
    amount,
    valid_days: int = 365,
    actor=None,
    now: datetime,
    source: str = PrepaidCard.Source.PARTNER,
    order=None,
    wallet: Wallet | None = None,
) -> PrepaidCard:
    """A prepaid card of a multiple of ¥100, bound to the account; it pays the debt first."""
    amount = parse_amount(amount, field="face_value" if order else "amount")
    if amount % PREPAID_CARD_STEP:
        raise InvalidInput(
            _("A prepaid card's value is a multiple of ¥100."),
            field="face_value" if order else "amount",
            code="invalid_face_value",
        )
    valid_days = _valid_days(valid_days)
    with transaction.atomic():
        wallet = wallet or wallet_lock(account_id=account_id)
        card = PrepaidCard.objects.create(
            account_id=account_id,
            number=_card_number(),
            face_value=amount,
            balance=amount,
            source=source,
            issued_at=now,
            expires_at=now + timedelta(days=valid_days),
            order=order,
        )
        entries = [
            _arrival(card, wallet=wallet, kind=EntryKind.ISSUE, now=now, actor=actor, order=order)
        ]
        entries += pay_debt_first(
            wallet=wallet, now=now, actor=actor, card=card, reference=card.number
        )
        LedgerEntry.objects.bulk_create(entries)
    return card


def usable(queryset, *, now: datetime):
    """Instruments that can pay now: a balance left and not expired."""
    return queryset.filter(balance__gt=0, expires_at__gt=now)


def lock_instruments(
    *, account_ids: Iterable[int], now: datetime
) -> tuple[list[Voucher], list[PrepaidCard]]:
    """Lock the usable vouchers, then cards, of these accounts (by pk)."""
    ids = list(account_ids)
    vouchers = list(
        usable(Voucher.objects.select_for_update().filter(account_id__any=ids), now=now).order_by(
            "pk"
        )
    )
    cards = list(
        usable(
            PrepaidCard.objects.select_for_update().filter(account_id__any=ids), now=now
        ).order_by("pk")
    )
    return vouchers, cards
