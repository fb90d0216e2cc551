"""Mailing addresses of paper invoices: several per account, at most one default (the first
one added is the default until another is chosen)."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from common.exceptions import InvalidInput
from invoices.models import MailingAddress
from invoices.selectors import address_get
from invoices.taxpayer import phone_parse, text_parse
from workspaces.models import Account, Membership

MAX_ADDRESSES = 50


@dataclass(frozen=True)
class AddressDetails:
    recipient: str
    phone: str
    address: str
    is_default: bool = False


def address_details_parse(data) -> AddressDetails:
    if not isinstance(data, dict):
        raise InvalidInput(_("Send the address as an object."), code="invalid")
    is_default = data.get("is_default", False)
    if isinstance(is_default, str) and is_default.lower() in ("on", "true", "1"):
        is_default = True
    if not isinstance(is_default, bool):
        raise InvalidInput(_("Give true or false."), field="is_default", code="invalid")
    return AddressDetails(
        recipient=text_parse(data.get("recipient"), field="recipient", max_length=100),
        phone=phone_parse(data.get("phone"), field="phone"),
        address=text_parse(data.get("address"), field="address", max_length=300),
        is_default=is_default,
    )


def _lock_account(account_id: int) -> None:
    Account.objects.select_for_update().filter(pk=account_id).first()


def address_create(
    *, membership: Membership, details: AddressDetails, now: datetime
) -> MailingAddress:
    with transaction.atomic(durable=True):
        _lock_account(membership.account_id)
        existing = MailingAddress.objects.filter(account_id=membership.account_id)
        if existing.count() >= MAX_ADDRESSES:
            raise InvalidInput(
                _("An account keeps at most %(count)s addresses; delete one first.")
                % {"count": MAX_ADDRESSES},
                code="too_many_addresses",
            )
        is_default = details.is_default or not existing.exists()
        if is_default:
            existing.filter(is_default=True).update(is_default=False)
        return MailingAddress.objects.create(
            account_id=membership.account_id,
            recipient=details.recipient,
            phone=details.phone,
            address=details.address,
            is_default=is_default,
            created_at=now,
        )


def address_make_default(*, membership: Membership, address_id) -> MailingAddress:
    with transaction.atomic(durable=True):
        _lock_account(membership.account_id)
        address = address_get(account=membership.account, address_id=address_id)
        MailingAddress.objects.filter(account_id=membership.account_id, is_default=True).exclude(
            pk=address.pk
        ).update(is_default=False)
        address.is_default = True
        address.save(update_fields=["is_default"])
        return address


def address_delete(*, membership: Membership, address_id) -> None:
    """Past requests keep the address they were sent to (a copy); the next one becomes the
    default when the default goes."""
    with transaction.atomic(durable=True):
        _lock_account(membership.account_id)
        address = address_get(account=membership.account, address_id=address_id)
        address.delete()
        remaining = MailingAddress.objects.filter(account_id=membership.account_id)
        if address.is_default and (first := remaining.order_by("pk").first()) is not None:
            first.is_default = True
            first.save(update_fields=["is_default"])
