"""Order history (the page) and an order's receipt (printable HTML and PDF): filters kept in
the query string, numbered pages, roles, another account's orders not found, exact amounts."""

import sys
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import add_member, make_account, make_workspace
from tests.orders.helpers import at, cash, fund_cash, give_card, give_voucher, place
from tests.pdf import pdf_ready, pdf_text  # noqa: F401 — pdf_ready is a fixture
from workspaces.models import Role

pytestmark = pytest.mark.django_db
JAN_1, FEB_1, MAR_1 = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def card_order(face_value: str = "10000.00") -> dict:
    return {"kind": "prepaid_card", "face_value": face_value}


@pytest.fixture
def history(account_a):
    """Alpha Corp's three orders: the Startup package on 1 January paid with cash 36,000, a
    ¥5,000 card and a ¥1,000 voucher; a ¥10,000 card bought with cash on 1 February and a
    ¥20,000 one on 1 March."""
    account, owner = account_a
    workspace = make_workspace(account, name="Production", commercial=True)
    fund_cash(account, "100000.00", at(JAN_1, 8))
    card = give_card(account, "5000", at(JAN_1, 8))
    voucher = give_voucher(account, "1000.00", at(JAN_1, 8))
    package = place(
        account,
        {"kind": "new_package", "plan": "startup_acceleration", "workspaces": [workspace.pk]},
        {
            "cash": "36000.00",
            "prepaid_cards": [{"id": card.pk, "amount": "5000.00"}],
            "vouchers": [{"id": voucher.pk, "amount": "1000.00"}],
        },
        at(JAN_1),
    )
    february = place(account, card_order(), cash("10000.00"), at(FEB_1))
    march = place(account, card_order("20000.00"), cash("20000.00"), at(MAR_1))
    client = Client()
    client.force_login(owner)
    return {
        "client": client,
        "account": account,
        "owner": owner,
        "package": package,
        "february": february,
        "march": march,
        "card": card,
        "voucher": voucher,
    }


def listed(response) -> list[int]:
    return [order.pk for order, _ in response.context["rows"]]


def test_the_history_lists_every_order_newest_first_with_its_total_and_split(history):
    response = history["client"].get("/orders/")
    assert response.status_code == 200
    package, february, march = history["package"], history["february"], history["march"]
    assert listed(response) == [march.pk, february.pk, package.pk]
    html = response.content.decode()
    assert f'href="/orders/{package.pk}/"' in html
    assert f'href="/orders/{package.pk}/receipt/"' in html
    assert f'href="/packages/{package.subscription_id}/"' in html
    _, paid = response.context["rows"][2]
    assert (paid.cash, paid.prepaid_cards, paid.vouchers) == (
        Decimal("36000.00"),
        Decimal("5000.00"),
        Decimal("1000.00"),
    )
    assert "¥42,000.00" in html and "¥36,000.00" in html and "¥20,000.00" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=prepaid_card", ["march", "february"]),
        ("kind=new_package", ["package"]),
        ("status=paid", ["march", "february", "package"]),
        ("date_from=2026-02-01&date_to=2026-02-01", ["february"]),
        ("date_from=2026-02-01", ["march", "february"]),
        ("date_to=2026-01-31", ["package"]),
        ("kind=new_package&date_from=2026-02-01", []),
    ],
)
def test_the_filters_select_exactly_their_orders(history, query, expected):
    response = history["client"].get(f"/orders/?{query}")
    assert response.status_code == 200
    assert listed(response) == [history[name].pk for name in expected]
    if not expected:
        assert "No order matches these filters." in response.content.decode()


def test_the_filters_show_what_was_asked(history):
    html = history["client"].get("/orders/?kind=prepaid_card&date_from=2026-02-01").content.decode()
    assert '<option value="prepaid_card" selected>' in html
    assert 'name="date_from" value="2026-02-01"' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("kind=refund", "Unknown kind of order."),
        ("status=lost", "Unknown status."),
        ("date_from=2026-13-01", "Use the format YYYY-MM-DD."),
        ("date_from=2026-03-01&date_to=2026-02-01", "The first day is after the last one."),
    ],
)
def test_a_bad_filter_is_a_400_that_says_so_and_lists_without_it(history, query, message):
    response = history["client"].get(f"/orders/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert len(listed(response)) == 3


def test_pages_of_twenty_keep_the_filters_in_their_links(history):
    account = history["account"]
    cards = [
        place(account, card_order("100.00"), cash("100.00"), at(date(2026, 4, day)))
        for day in range(1, 23)
    ]
    client = history["client"]
    first = client.get("/orders/?kind=prepaid_card")
    newest_first = [order.pk for order in reversed(cards)]
    assert listed(first) == newest_first[:20]
    pager = first.context["pager"]
    assert (pager.total, pager.next_url, pager.previous_url) == (
        24,
        "?kind=prepaid_card&page=2",
        None,
    )
    html = first.content.decode()
    assert 'href="?kind=prepaid_card&amp;page=2" rel="next"' in html
    assert "Showing orders 1 to 20 of 24." in html
    second = client.get("/orders/?kind=prepaid_card&page=2")
    assert listed(second) == [*newest_first[20:], history["march"].pk, history["february"].pk]
    assert second.context["pager"].previous_url == "?kind=prepaid_card"
    assert second.context["pager"].next_url is None
    assert listed(client.get("/orders/?kind=prepaid_card&page=x")) == newest_first[:20]


def test_the_history_takes_the_same_queries_for_more_orders(history):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert history["client"].get("/orders/").status_code == 200
        return len(captured)

    few = queries()
    for day in range(1, 6):
        place(history["account"], card_order("100.00"), cash("100.00"), at(date(2026, 4, day)))
    assert queries() == few


def test_admins_see_the_history_and_receipts_members_are_refused(history):
    account, package = history["account"], history["package"]
    admin, member = Client(), Client()
    admin.force_login(add_member(account, role=Role.ADMIN))
    member.force_login(add_member(account, role=Role.MEMBER))
    for path in ["/orders/", f"/orders/{package.pk}/", f"/orders/{package.pk}/receipt/"]:
        assert admin.get(path).status_code == 200, path
        assert member.get(path).status_code == 403, path
    assert member.get(f"/orders/{package.pk}/receipt.pdf").status_code == 403
    assert Client().get("/orders/").status_code == 302  # to the login page


def test_another_accounts_orders_are_not_found(history):
    other, other_owner = make_account(name="Beta Corp")
    fund_cash(other, "100.00", at(JAN_1))
    theirs = place(other, card_order("100.00"), cash("100.00"), at(JAN_1))
    client = history["client"]
    for path in [f"/orders/{theirs.pk}/", f"/orders/{theirs.pk}/receipt/"]:
        assert client.get(path).status_code == 404, path
    assert client.get(f"/orders/{theirs.pk}/receipt.pdf").status_code == 404
    assert client.get("/orders/999999/receipt/").status_code == 404
    assert theirs.pk not in listed(client.get("/orders/"))
    beta = Client()
    beta.force_login(other_owner)
    assert listed(beta.get("/orders/")) == [theirs.pk]
    assert beta.get(f"/orders/{history['package'].pk}/receipt/").status_code == 404


def test_the_order_page_names_each_card_and_voucher_and_links_its_receipt(history):
    package, card, voucher = history["package"], history["card"], history["voucher"]
    html = history["client"].get(f"/orders/{package.pk}/").content.decode()
    assert f'href="/orders/{package.pk}/receipt/"' in html
    assert f'Prepaid card {card.number}</td><td class="num">¥5,000.00' in html
    assert f'Voucher #{voucher.pk} (Ordinary)</td><td class="num">¥1,000.00' in html
    assert 'Cash balance</td><td class="num">¥36,000.00' in html
    assert 'href="/orders/"' in html


def test_the_receipt_shows_seller_buyer_lines_totals_and_split(history, settings):
    settings.RECEIPT_SELLER = {
        "name": "Observability Cloud Co., Ltd.",
        "address": "1 Example Road, Shanghai",
        "taxpayer_id": "91310000TEST0001X",
    }
    package, card, voucher = history["package"], history["card"], history["voucher"]
    response = history["client"].get(f"/orders/{package.pk}/receipt/")
    assert response.status_code == 200
    receipt = response.context["receipt"]
    assert [(line.amount, line.quantity) for line in receipt.lines] == [(Decimal("42000.00"), 1)]
    assert [(part.instrument, part.amount) for part in receipt.parts] == [
        ("cash", Decimal("36000.00")),
        ("prepaid_card", Decimal("5000.00")),
        ("voucher", Decimal("1000.00")),
    ]
    assert [workspace.name for workspace in receipt.workspaces] == ["Production"]
    html = response.content.decode()
    assert f"Order no. <strong>{package.pk}</strong>" in html
    assert "Observability Cloud Co., Ltd." in html and "91310000TEST0001X" in html
    assert "<strong>Alpha Corp</strong>" in html
    assert f"Placed by: {history['owner'].username}" in html
    assert 'data-testid="receipt-total">¥42,000.00<' in html
    assert f'Prepaid card {card.number}</td><td class="num">¥5,000.00' in html
    assert f'Voucher #{voucher.pk} (Ordinary)</td><td class="num">¥1,000.00' in html
    assert 'data-testid="receipt-paid-at">2026-01-01 10:00<' in html
    assert "2026-01-01 → 2026-12-31" in html
    assert "This receipt is not a VAT invoice (fapiao)." in html
    assert '<link rel="stylesheet" href="/static/css/receipt.css">' in html
    assert f'href="/orders/{package.pk}/receipt.pdf"' in html
    assert "mainnav" not in html  # the receipt is the sheet alone


def test_the_receipt_in_chinese(history):
    client = history["client"]
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = client.get(f"/orders/{history['package'].pk}/receipt/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "付款收据" in html and "本收据不是增值税发票" in html
    assert "¥42,000.00" in html


@pytest.mark.usefixtures("pdf_ready")
def test_the_pdf_receipt_has_the_order_number_and_amounts(history):
    package = history["package"]
    response = history["client"].get(f"/orders/{package.pk}/receipt.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="receipt-{package.pk}.pdf"'
    assert response.content.startswith(b"%PDF")
    text, _ = pdf_text(response.content)
    assert f"Order no. {package.pk}" in text
    assert "¥42,000.00" in text and "¥36,000.00" in text and "¥5,000.00" in text
    assert "This receipt is not a VAT invoice (fapiao)." in text


@pytest.mark.usefixtures("pdf_ready")
def test_the_pdf_receipt_in_chinese_is_set_in_a_cjk_font(history):
    client = history["client"]
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    response = client.get(f"/orders/{history['package'].pk}/receipt.pdf")
    assert response.content.startswith(b"%PDF")
    text, fonts = pdf_text(response.content)
    assert "付款收据" in text and "本收据不是增值税发票" in text
    assert any("CJK" in font for font in fonts), fonts


def test_without_weasyprint_the_pdf_link_answers_a_page_that_says_so(history, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` fails
    package = history["package"]
    response = history["client"].get(f"/orders/{package.pk}/receipt.pdf")
    assert response.status_code == 503
    html = response.content.decode()
    assert "The PDF receipt is not available right now" in html
    assert f'href="/orders/{package.pk}/receipt/"' in html


@pytest.mark.usefixtures("pdf_ready")
def test_a_failing_renderer_answers_the_same_page_not_a_500(history, monkeypatch):
    from orders import receipt_pdf

    def broken():
        raise RuntimeError("the renderer broke")

    monkeypatch.setattr(receipt_pdf, "_stylesheet_text", broken)
    response = history["client"].get(f"/orders/{history['package'].pk}/receipt.pdf")
    assert response.status_code == 503
    assert "The PDF receipt is not available right now" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "kind=%00",
        "status=%00&kind=new_package",
        "date_from=%00",
        "date_to=%F0%9F%92%A9",
        "date_from=0000-01-01",
        "page=99999999999999999999",
        "page=-1",
        "page=%00",
        "kind=paid&status=new_package",
    ],
)
def test_odd_query_strings_never_fail_the_history(history, query):
    assert history["client"].get(f"/orders/?{query}").status_code in (200, 400)
