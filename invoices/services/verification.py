"""The account's enterprise verification (SPEC 6.4): set by its owner, checked at once (the
code's check character catches typos; the registry cannot be queried), rejected by an operator
with a reason when the documents say otherwise."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from common.exceptions import Conflict, InvalidInput
from invoices.models import EnterpriseVerification, VerificationStatus
from invoices.services.notices import customer_notify_verification_rejected
from invoices.taxpayer import bank_account_parse, phone_parse, taxpayer_id_parse, text_parse
from workspaces.models import Account, Membership


@dataclass(frozen=True)
class EnterpriseDetails:
    """What the owner enters; the bank and address details only matter for VAT special."""

    registered_name: str
    taxpayer_id: str
    bank_name: str = ""
    bank_account: str = ""
    registered_address: str = ""
    registered_phone: str = ""


def enterprise_details_parse(data) -> EnterpriseDetails:
    """The details from a request body or a form's data, each field checked."""
    if not isinstance(data, dict):
        raise InvalidInput(_("Send the enterprise details as an object."), code="invalid")
    return EnterpriseDetails(
        registered_name=text_parse(
            data.get("registered_name"), field="registered_name", max_length=200
        ),
        taxpayer_id=taxpayer_id_parse(data.get("taxpayer_id")),
        bank_name=text_parse(
            data.get("bank_name"), field="bank_name", max_length=100, required=False
        ),
        bank_account=bank_account_parse(data.get("bank_account")),
        registered_address=text_parse(
            data.get("registered_address"),
            field="registered_address",
            max_length=200,
            required=False,
        ),
        registered_phone=phone_parse(
            data.get("registered_phone"), field="registered_phone", required=False
        ),
    )


def verification_update(
    *, membership: Membership, details: EnterpriseDetails, now: datetime
) -> EnterpriseVerification:
    """The owner's details, verified at once. After an operator's rejection the same name and
    code stay rejected (the customer must change what the reason names, or ask the operator)."""
    with transaction.atomic(durable=True):
        # The account row serializes two first saves (one verification per account).
        Account.objects.select_for_update().filter(pk=membership.account_id).first()
        current = EnterpriseVerification.objects.filter(account_id=membership.account_id).first()
        verification = current or EnterpriseVerification(account_id=membership.account_id)
        same_identity = current is not None and (
            current.registered_name,
            current.taxpayer_id,
        ) == (details.registered_name, details.taxpayer_id)
        for field, value in details.__dict__.items():
            setattr(verification, field, value)
        stays_rejected = same_identity and current.status == VerificationStatus.REJECTED
        if not stays_rejected:
            if not (same_identity and current.status == VerificationStatus.VERIFIED):
                verification.verified_at = now
            verification.status = VerificationStatus.VERIFIED
            verification.reason = ""
        verification.updated_at = now
        verification.updated_by = membership.user
        verification.save()
        return verification


def _locked(verification_id: int) -> EnterpriseVerification:
    return EnterpriseVerification.objects.select_for_update().get(pk=verification_id)


def verification_reject(
    *, verification_id: int, reason: str, actor, now: datetime
) -> EnterpriseVerification:
    """An operator found the details wrong: invoice requests are refused until they change."""
    reason = text_parse(reason, field="reason", max_length=1000)
    with transaction.atomic(durable=True):
        verification = _locked(verification_id)
        if verification.status == VerificationStatus.REJECTED:
            raise Conflict(_("This verification is rejected already."), code="already_rejected")
        verification.status = VerificationStatus.REJECTED
        verification.reason = reason
        verification.verified_at = None
        verification.updated_at = now
        verification.updated_by = actor
        verification.save()
        customer_notify_verification_rejected(account_id=verification.account_id, reason=reason)
        return verification


def verification_confirm(*, verification_id: int, actor, now: datetime) -> EnterpriseVerification:
    """An operator verifies details that were rejected (or confirms them again)."""
    with transaction.atomic(durable=True):
        verification = _locked(verification_id)
        verification.status = VerificationStatus.VERIFIED
        verification.reason = ""
        verification.verified_at = now
        verification.updated_at = now
        verification.updated_by = actor
        verification.save()
        return verification
