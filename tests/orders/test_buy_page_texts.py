"""The texts that buy.js shows come from the page, translated: json_script "buy-text"."""

import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from common.dates import billing_day
from tests.factories import make_workspace
from tests.quota.helpers import subscribe

BUY_TEXT = re.compile(r'<script id="buy-text" type="application/json">(.*?)</script>', re.S)


def buy_texts(html: str) -> dict:
    found = BUY_TEXT.search(html)
    assert found, "no json_script buy-text on the page"
    return json.loads(found.group(1))


@pytest.fixture
def owner_client(account_a):
    client = Client()
    client.force_login(account_a[1])
    return client


def test_the_buy_texts_are_english_by_default(owner_client):
    texts = buy_texts(owner_client.get("/buy/").content.decode())
    assert texts["perDay"] == "/day"
    assert texts["packHint"] == "min %(min)s, step %(step)s"
    assert texts["moveUp"] == "Move up"


def test_the_buy_texts_are_translated_in_chinese(owner_client):
    owner_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = owner_client.get("/buy/").content.decode()
    texts = buy_texts(html)
    assert texts == {
        "total": "合计",
        "pay": "支付",
        "perDay": "/天",
        "packHint": "最少 %(min)s，步长 %(step)s",
        "moveUp": "上移",
        "moveDown": "下移",
        "remove": "移除",
        "add": "添加",
        "noDays": "这些工作空间还没有已结算日，无法回放。",
        "replay": "回放所选工作空间最近 %(days)s 个已结算日：不购买套餐时费用为 %(amount)s。",
        "plan": "最近 %(days)s 天：%(total)s（套餐分摊 %(share)s + 超额 %(overage)s）",
        "withPacks": "；加上所选流量包 %(total)s",
        "missing": "还差 %(missing)s",
        "why": "此订单金额 %(total)s；可用于此订单：现金余额 %(cash)s，"
        "储值卡 %(cards)s，代金券 %(vouchers)s。",
        "payMissing": "暂不能支付：还差 %(missing)s（充值方式见下方）。",
        "payNoTotal": "请先完成上方的订单：支付需要订单总额。",
        "payAllocate": "还需分配 %(amount)s：各部分之和须等于总额。",
        "payOver": "各部分之和超出总额 %(amount)s。",
        "payFix": "请更正上方标出的金额。",
        "notAmount": "不是有效金额：请按 100.00 的格式填写。",
        "cheapest": "最省钱",
    }
    # prices come from the quote: no price list or discount tiers for the script
    assert 'id="discount-tiers"' not in html and 'id="pack-catalog"' not in html


def test_the_package_page_gives_reorder_js_its_texts_in_chinese(account_a, owner_client):
    workspace = make_workspace(account_a[0], name="Ordered", commercial=True)
    subscription = subscribe(account_a[0], [workspace], start=billing_day(timezone.now()))
    owner_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = owner_client.get(f"/packages/{subscription.pk}/").content.decode()
    for attribute in (
        'data-text-move-up="上移"',
        'data-text-move-down="下移"',
        'data-text-remove="移除"',
        'data-text-add="添加"',
    ):
        assert attribute in html
