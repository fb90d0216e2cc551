"""Order lines keep what they say as data: an order placed in English reads in Chinese on its
page, and the API answers the text written when it was placed (issue 13)."""

import pytest
from django.test import Client
from django.utils import timezone, translation

from common.dates import billing_day
from orders.models import OrderLine
from tests.factories import make_workspace
from tests.orders.helpers import cash, fund_cash, place, quote_of

pytestmark = pytest.mark.django_db

NEW_PACKAGE = {
    "kind": "new_package",
    "plan": "startup_acceleration",
    "traffic_packs": [{"item": "logs", "capacity": 10_000_000}],
}


def placed_in_english(account):
    now = timezone.now()
    workspace = make_workspace(account, name="生产环境", commercial=True)
    body = {**NEW_PACKAGE, "workspaces": [workspace.pk]}
    fund_cash(account, "60000.00", now)
    with translation.override("en"):
        total = quote_of(account=account, data=body, today=billing_day(now)).total
        return place(account, body, cash(f"{total:.2f}"), now)


def test_an_order_placed_in_english_reads_in_chinese_on_its_page(account_a):
    account, owner = account_a
    order = placed_in_english(account)
    written = list(order.lines.values_list("description", flat=True))
    assert written[1] == "Traffic pack Log records 10,000,000/day × 365 days"
    client = Client()
    client.force_login(owner)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = client.get(f"/orders/{order.pk}/").content.decode()
    assert "流量包 日志 10,000,000/天 × 365 天" in html
    assert "创业加速套餐，" in html
    assert "Log records" not in html and "Startup Acceleration" not in html


def test_the_api_answers_the_lines_as_written(account_a, owner_api):
    account, _owner = account_a
    order = placed_in_english(account)
    lines = owner_api.get(f"/api/v1/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert lines["lines"][1]["description"] == "Traffic pack Log records 10,000,000/day × 365 days"


def test_a_prepaid_card_order_names_its_card_in_the_reader_s_language(account_a):
    account, _owner = account_a
    now = timezone.now()
    fund_cash(account, "10000.00", now)
    with translation.override("en"):
        order = place(
            account, {"kind": "prepaid_card", "face_value": "10000.00"}, cash("10000.00"), now
        )
    lines = list(order.lines.order_by("position"))
    number = lines[-1].text["args"]["number"]
    assert [line.description for line in lines] == [
        "Prepaid card 10,000.00",
        "Full-reduction voucher 1,000.00 included",
        f"Card {number}",
    ]
    with translation.override("zh-hans"):
        assert [line.display_description for line in lines] == [
            "储值卡 10,000.00",
            "含满减代金券 1,000.00",
            f"储值卡 {number}",
        ]


def test_a_line_written_before_lines_kept_their_texts_shows_as_written(account_a):
    account, _owner = account_a
    order = placed_in_english(account)
    OrderLine.objects.filter(order=order).update(text={})  # as the rows of migration 0005 are
    with translation.override("zh-hans"):
        line = order.lines.order_by("position")[1]
        assert line.display_description == "Traffic pack Log records 10,000,000/day × 365 days"
