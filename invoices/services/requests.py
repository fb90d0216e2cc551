"""Requesting an invoice (SPEC 6.4): an amount up to the invoiceable balance, for a verified
account, titled with its registered name. Requests of one account wait for each other on the
wallet row (the lock every money movement of the account takes first), so two requests racing
for the same balance never invoice more than it."""

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from common.api import parse_id
from common.exceptions import Conflict, InvalidInput
from common.money import format_cny, parse_amount
from invoices.models import (
    EnterpriseVerification,
    InvoiceRequest,
    InvoiceType,
    MailingAddress,
    VerificationStatus,
)
from invoices.selectors import address_get, invoiceable_raw
from invoices.services.notices import operators_notify_requested
from invoices.taxpayer import text_parse
from wallet.services.balances import wallet_lock
from workspaces.models import Membership

MAX_KEY_LENGTH = 100


@dataclass(frozen=True)
class InvoiceAsk:
    """What the customer asks for; the address (paper) or the e-mail (electronic) may be left
    out: the default address, the requesting user's e-mail."""

    type: str
    title: str
    amount: Decimal
    address_id: int | None = None
    email: str = ""


def invoice_ask_parse(data) -> InvoiceAsk:
    if not isinstance(data, dict):
        raise InvalidInput(_("Send the invoice request as an object."), code="invalid")
    kind = data.get("type")
    if kind not in InvoiceType.values:
        raise InvalidInput(
            _("type is one of %(values)s.") % {"values": ", ".join(InvoiceType.values)},
            field="type",
            code="unknown_type",
        )
    address = data.get("address")
    address_id = None
    if address not in (None, ""):
        address_id = parse_id(address) if not isinstance(address, bool | float) else None
        if address_id is None:
            raise InvalidInput(_("Give the id of a mailing address."), field="address")
    email = text_parse(data.get("email"), field="email", max_length=254, required=False)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(
                _("Enter a valid e-mail address."), field="email", code="invalid_email"
            ) from None
    return InvoiceAsk(
        type=kind,
        title=text_parse(data.get("title"), field="title", max_length=200),
        amount=parse_amount(data.get("amount"), field="amount"),
        address_id=address_id,
        email=email,
    )


def same_name(first: str, second: str) -> bool:
    """Names compared as printed: full-width and half-width forms (（） and ()) are one."""

    def folded(text: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()

    return folded(first) == folded(second)


def _verified(account_id: int) -> EnterpriseVerification:
    verification = EnterpriseVerification.objects.filter(account_id=account_id).first()
    if verification is None or verification.status == VerificationStatus.UNVERIFIED:
        raise Conflict(
            _("Verify the enterprise (registered name and taxpayer ID) before requesting."),
            code="verification_required",
        )
    if verification.status == VerificationStatus.REJECTED:
        raise Conflict(
            _("The enterprise verification was rejected: %(reason)s. Correct it first.")
            % {"reason": verification.reason},
            code="verification_rejected",
        )
    return verification


def _printed(verification: EnterpriseVerification, ask: InvoiceAsk) -> dict:
    """What the invoice prints: the registered name as title, the code, VAT special's details."""
    if not same_name(ask.title, verification.registered_name):
        raise InvalidInput(
            _("The invoice title must be the registered name: %(name)s.")
            % {"name": verification.registered_name},
            field="title",
            code="title_mismatch",
        )
    fields = {"title": verification.registered_name, "taxpayer_id": verification.taxpayer_id}
    if ask.type == InvoiceType.VAT_SPECIAL:
        if not verification.has_special_details:
            raise Conflict(
                _(
                    "A VAT special invoice needs the bank name, bank account, registered address "
                    "and phone: add them to the enterprise verification."
                ),
                field="type",
                code="special_details_missing",
            )
        for name in ("bank_name", "bank_account", "registered_address", "registered_phone"):
            fields[name] = getattr(verification, name)
    return fields


def _delivery(membership: Membership, ask: InvoiceAsk) -> dict:
    """Electronic: an e-mail address; paper: a copy of the mailing address."""
    if ask.type == InvoiceType.ELECTRONIC:
        email = ask.email or membership.user.email
        if not email:
            raise InvalidInput(
                _("Give the e-mail address the electronic invoice goes to."),
                field="email",
                code="email_required",
            )
        return {"email": email}
    if ask.address_id is not None:
        address = address_get(account=membership.account, address_id=ask.address_id)
    else:
        address = MailingAddress.objects.filter(
            account_id=membership.account_id, is_default=True
        ).first()
    if address is None:
        raise InvalidInput(
            _("A paper invoice is mailed: add a mailing address first."),
            field="address",
            code="address_required",
        )
    return {
        "mail_recipient": address.recipient,
        "mail_phone": address.phone,
        "mail_address": address.address,
    }


def _key(idempotency_key: str | None) -> str | None:
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            _("An Idempotency-Key has at most 100 characters."),
            field="detail",
            code="invalid_idempotency_key",
        )
    return key


def _repeat(first: InvoiceRequest, ask: InvoiceAsk) -> InvoiceRequest:
    if (first.type, first.amount) != (ask.type, ask.amount) or not same_name(
        first.title, ask.title
    ):
        raise Conflict(
            _("This Idempotency-Key was used for another invoice request (#%(id)s).")
            % {"id": first.pk},
            code="idempotency_key_reused",
        )
    return first


def invoice_request_create(
    *,
    membership: Membership,
    ask: InvoiceAsk,
    now: datetime,
    idempotency_key: str | None = None,
) -> tuple[InvoiceRequest, bool]:
    """Write the request and the operators' e-mail; (request, created). The same key again
    answers the first request."""
    key = _key(idempotency_key)
    with transaction.atomic(durable=True):
        wallet_lock(account_id=membership.account_id)
        if key and (
            first := InvoiceRequest.objects.filter(
                account_id=membership.account_id, idempotency_key=key
            ).first()
        ):
            return _repeat(first, ask), False
        verification = _verified(membership.account_id)
        fields = _printed(verification, ask) | _delivery(membership, ask)
        balance = invoiceable_raw(account_id=membership.account_id)
        if ask.amount > balance:
            raise Conflict(
                _("The invoiceable balance is %(balance)s; %(amount)s is more than that.")
                % {"balance": format_cny(max(balance, 0)), "amount": format_cny(ask.amount)},
                field="amount",
                code="above_invoiceable",
            )
        request = InvoiceRequest.objects.create(
            account_id=membership.account_id,
            type=ask.type,
            amount=ask.amount,
            requested_at=now,
            requested_by=membership.user,
            idempotency_key=key,
            **fields,
        )
        operators_notify_requested(request=request)
        return request, True
