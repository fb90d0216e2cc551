"""Helpers for invoice tests: money moves through the real services (SPEC 6.4 example)."""

from datetime import date
from decimal import Decimal

from common.dates import ONE_DAY
from invoices.selectors import invoiceable_balance
from invoices.services.addresses import AddressDetails, address_create
from invoices.services.requests import InvoiceAsk, invoice_request_create
from invoices.services.verification import EnterpriseDetails, verification_update
from tests.factories import make_workspace
from tests.orders.helpers import at, fund_cash, owner_membership, place
from tests.quota.helpers import bill, send
from wallet.models import PrepaidCard, Voucher, Wallet

JAN_1 = date(2026, 1, 1)
BILL_DAY = date(2026, 1, 5)
CODE = "91350100M000100Y43"  # GB 32100-2015's own example: check character 3
OTHER_CODE = "91110000802100433B"
NAME = "阿尔法科技（上海）有限公司"
SPECIAL = {
    "bank_name": "招商银行上海分行",
    "bank_account": "1219 0988 7610 001",
    "registered_address": "上海市浦东新区世纪大道 100 号",
    "registered_phone": "021-5888 0000",
}


def verify(account, name: str = NAME, code: str = CODE, special: bool = False, now=None):
    details = EnterpriseDetails(
        registered_name=name, taxpayer_id=code, **(SPECIAL if special else {})
    )
    return verification_update(
        membership=owner_membership(account), details=details, now=now or at(JAN_1)
    )


def add_address(account, recipient: str = "王芳", default: bool = False):
    return address_create(
        membership=owner_membership(account),
        details=AddressDetails(
            recipient=recipient,
            phone="138 0013 8000",
            address="上海市徐汇区漕溪北路 88 号 5 楼",
            is_default=default,
        ),
        now=at(JAN_1),
    )


def ask(amount: str, type: str = "electronic", title: str = NAME, **more) -> InvoiceAsk:
    return InvoiceAsk(type=type, title=title, amount=Decimal(amount), **more)


def request_invoice(account, amount: str, membership=None, key=None, now=None, **more):
    invoice, _created = invoice_request_create(
        membership=membership or owner_membership(account),
        ask=ask(amount, **more),
        idempotency_key=key,
        now=now or at(BILL_DAY + ONE_DAY),
    )
    return invoice


def invoiceable(account) -> Decimal:
    return invoiceable_balance(account_id=account.pk)


def spec_6_4_example(account):
    """Cash ¥60,000; a ¥10,000 card bought with cash (→ ¥1,000 full-reduction voucher); the
    Startup package (¥42,000) paid with cash 31,000, the card 10,000 and the voucher 1,000; a
    ¥100 bill (no SMS) of another workspace paid from cash. Returns the wallet's remaining cash."""
    fund_cash(account, "60000.00", at(JAN_1, 8))
    card_order = place(
        account,
        {"kind": "prepaid_card", "face_value": "10000.00"},
        {"cash": "10000.00"},
        at(JAN_1, 9),
    )
    card = PrepaidCard.objects.get(order=card_order)
    voucher = Voucher.objects.get(granted_by=card_order)
    assert voucher.face_value == Decimal("1000.00")
    packaged = make_workspace(account, commercial=True)
    payment = {
        "cash": "31000.00",
        "prepaid_cards": [{"id": card.pk, "amount": "10000.00"}],
        "vouchers": [{"id": voucher.pk, "amount": "1000.00"}],
    }
    body = {"kind": "new_package", "plan": "startup_acceleration", "workspaces": [packaged.pk]}
    order = place(account, body, payment, at(JAN_1, 10))
    assert order.total == Decimal("42000.00")
    payg = make_workspace(account, commercial=True)
    send(payg, "task_calls", 1_000_000, BILL_DAY)  # ¥100.00 at ¥1 per 10,000
    bill(BILL_DAY)
    return Wallet.objects.get(account=account).cash_balance


def spend_cash_on_a_card(account, amount: str = "1000.00", now=None):
    """Cash credited and spent at once on a prepaid card: `amount` becomes invoiceable."""
    fund_cash(account, amount, now or at(JAN_1, 8))
    place(
        account,
        {"kind": "prepaid_card", "face_value": amount},
        {"cash": amount},
        now or at(JAN_1, 9),
    )
