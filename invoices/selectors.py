"""Reads of invoices: the verification, addresses, requests, and the invoiceable balance of
SPEC 6.4 computed from the wallet's ledger."""

from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from common.api import parse_id
from common.exceptions import NotFound
from common.money import ZERO
from invoices.models import (
    EnterpriseVerification,
    InvoiceRequest,
    InvoiceStatus,
    MailingAddress,
    VerificationStatus,
)
from wallet.models import EntryKind, Instrument, LedgerEntry
from workspaces.models import Account

# Cash that left the balance for something the vendor sold: orders (prepaid cards included),
# daily bills, a debt of bills paid later, and adjustment debits of bills.
CASH_SPENT_KINDS = (
    EntryKind.ORDER_PAYMENT,
    EntryKind.BILL_PAYMENT,
    EntryKind.ARREARS_PAID,
    EntryKind.ADJUSTMENT_DEBIT,
)
# Cash that came back to the balance from a bill's credit (SPEC 6.1).
CASH_GIVEN_BACK_KINDS = (EntryKind.ADJUSTMENT_CREDIT,)


def invoiceable_raw(*, account_id: int) -> Decimal:
    """Cash spent − cash given back by credits − amounts requested and not rejected. Negative
    when a credit came after its bill was invoiced: that part offsets later spending."""
    cash = LedgerEntry.objects.filter(account_id=account_id, instrument=Instrument.CASH).aggregate(
        spent=Coalesce(Sum("amount", filter=Q(kind__in=CASH_SPENT_KINDS)), ZERO),
        given_back=Coalesce(Sum("amount", filter=Q(kind__in=CASH_GIVEN_BACK_KINDS)), ZERO),
    )
    requested = (
        InvoiceRequest.objects.filter(account_id=account_id)
        .exclude(status=InvoiceStatus.REJECTED)
        .aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    )
    return -cash["spent"] - cash["given_back"] - requested


def invoiceable_balance(*, account_id: int) -> Decimal:
    """What the account may still request to be invoiced (never shown below ¥0.00)."""
    return max(invoiceable_raw(account_id=account_id), ZERO)


def verification_get(*, account: Account) -> EnterpriseVerification | None:
    return EnterpriseVerification.objects.filter(account=account).first()


def verification_or_blank(*, account: Account) -> EnterpriseVerification:
    """The account's verification, or an unsaved unverified one with empty fields."""
    return verification_get(account=account) or EnterpriseVerification(
        account=account, registered_name="", taxpayer_id="", status=VerificationStatus.UNVERIFIED
    )


def address_list(*, account: Account) -> QuerySet[MailingAddress]:
    return MailingAddress.objects.filter(account=account).order_by("-is_default", "pk")


def address_get(*, account: Account, address_id) -> MailingAddress:
    """An address of this account; any other (or unknown) id answers 404."""
    number = parse_id(address_id)
    address = address_list(account=account).filter(pk=number).first() if number else None
    if address is None:
        raise NotFound(_("No such mailing address."), field="address")
    return address


def invoice_request_list(
    *, account: Account, status: str | None = None
) -> QuerySet[InvoiceRequest]:
    """The account's requests, newest first."""
    requests = InvoiceRequest.objects.filter(account=account)
    if status:
        requests = requests.filter(status=status)
    return requests.order_by("-requested_at", "-pk")


def invoice_request_get(*, account: Account, request_id) -> InvoiceRequest:
    number = parse_id(request_id)
    found = invoice_request_list(account=account).filter(pk=number).first() if number else None
    if found is None:
        raise NotFound(_("No such invoice request."))
    return found


def invoice_pdf_get(*, account: Account, request_id) -> InvoiceRequest:
    """An issued request of this account with its PDF; anything else answers 404."""
    found = invoice_request_get(account=account, request_id=request_id)
    if found.status != InvoiceStatus.ISSUED or not found.pdf:
        raise NotFound(_("This invoice has no PDF yet."))
    return found
