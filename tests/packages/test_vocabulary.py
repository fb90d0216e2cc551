"""The catalog's vocabulary in both languages: plan and item names, statuses, order lines, the
errors and e-mails that name an item (issue 13)."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation
from post_office.models import Email

from common.exceptions import InvalidInput
from orders.line_texts import LINE_TEXTS, item_ref, line_text, line_text_render, plan_ref
from packages import pricing
from packages.models import BillingItem, Plan
from packages.selectors import billing_item_get, plan_get, traffic_pack_spec_list
from packages.vocabulary import ITEM_NAMES, PLAN_NAMES, item_display_name, plan_display_name
from quota.selectors import SUBSCRIPTION_STATUS_LABELS
from quota.services.alerts import spend_alert_mail
from wallet.selectors import INSTRUMENT_STATUS_LABELS, instrument_status_label

pytestmark = pytest.mark.django_db

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
PROPER_NOUNS = {"DataKit", "APM", "RUM", "API"}


def chinese(read) -> str:
    """What `read()` (a name, a label) says in Chinese."""
    with translation.override("zh-hans"):
        return str(read())


def catalog_ids() -> dict[str, str]:
    with PO.open("rb") as handle:
        return {message.id: message.string for message in read_po(handle) if message.id}


def test_every_seeded_item_and_plan_has_its_name_in_the_vocabulary():
    assert set(BillingItem.objects.values_list("code", flat=True)) == set(ITEM_NAMES)
    assert set(Plan.objects.values_list("code", flat=True)) == set(PLAN_NAMES)
    for item in BillingItem.objects.all():
        assert ITEM_NAMES[item.code] == item.name  # the seed's English name is the msgid
    for plan in Plan.objects.all():
        assert PLAN_NAMES[plan.code] == plan.name


def test_the_vocabulary_and_the_line_texts_are_translated_in_the_catalog():
    translated = catalog_ids()
    marked = [*ITEM_NAMES.values(), *PLAN_NAMES.values(), *LINE_TEXTS.values()]
    marked += [str(label) for label in SUBSCRIPTION_STATUS_LABELS.values()]
    marked += [str(label) for label in INSTRUMENT_STATUS_LABELS.values()]
    missing = [msgid for msgid in marked if not translated.get(msgid)]
    assert not missing, f"add to {PO.name} (append): {missing}"


def test_items_and_plans_read_in_chinese_without_english_words():
    with translation.override("zh-hans"):
        items = {item.code: item.display_name for item in BillingItem.objects.all()}
        plans = {plan.code: plan.display_name for plan in Plan.objects.all()}
    for name in items.values():
        assert set(LATIN_WORD.findall(name)) <= PROPER_NOUNS, name
    for name in plans.values():
        assert not LATIN_WORD.findall(name), name
    assert chinese(lambda: billing_item_get(code="logs").display_name) == "日志"
    assert chinese(lambda: billing_item_get(code="datakit").display_name) == "DataKit 主机"
    assert chinese(lambda: plan_get(code="startup_acceleration").display_name) == "创业加速套餐"
    with translation.override("en"):
        assert billing_item_get(code="logs").display_name == "Log records"


def test_a_name_an_operator_changed_is_shown_as_stored_and_an_unknown_code_as_itself():
    logs = billing_item_get(code="logs")
    logs.name = "日志（新版）"
    logs.save()
    assert chinese(lambda: billing_item_get(code="logs").display_name) == "日志（新版）"
    assert chinese(lambda: item_display_name("profiling", "Profiling")) == "Profiling"
    assert chinese(lambda: item_display_name("profiling")) == "profiling"
    assert chinese(lambda: plan_display_name("custom", "定制套餐")) == "定制套餐"


def test_statuses_of_packages_vouchers_and_cards_have_labels_not_codes():
    with translation.override("zh-hans"):
        labels = {code: str(label) for code, label in SUBSCRIPTION_STATUS_LABELS.items()}
    assert labels == {
        "pending": "未开始",
        "active": "生效中",
        "expired": "已结束",
    }
    with translation.override("zh-hans"):
        assert instrument_status_label("used_up") == "已用完"
        assert instrument_status_label("active") == "可用"
        assert instrument_status_label("expired") == "已过期"


@pytest.mark.parametrize(
    ("code", "capacity", "in_chinese", "in_english"),
    [
        (
            "logs",
            500_000,
            "日志 流量包的最小容量为 1,000,000。",
            "The smallest Log records traffic pack is 1,000,000.",
        ),
        (
            "traces",
            1_500_000,
            "APM 链路 的容量须为 1,000,000 的整数倍。",
            "APM traces capacity must be a multiple of 1,000,000.",
        ),
    ],
)
def test_a_pack_error_names_the_item_by_its_name_not_its_code(
    code, capacity, in_chinese, in_english
):
    spec = traffic_pack_spec_list().get(item__code=code)
    for language, expected in (("zh-hans", in_chinese), ("en", in_english)):
        with translation.override(language), pytest.raises(InvalidInput) as raised:
            pricing.traffic_pack_validate_capacity(spec=spec, capacity=capacity)
        assert raised.value.message == expected


def test_a_line_written_in_english_reads_in_chinese():
    plan = plan_get(code="growth_development")
    logs = billing_item_get(code="logs")
    with translation.override("en"):
        pack = line_text("traffic_pack", item=item_ref(logs), capacity="10,000,000", days=365)
        term = line_text(
            "plan_term", plan=plan_ref(plan), start=date(2026, 12, 3), end=date(2027, 12, 2)
        )
        assert pack.render() == "Traffic pack Log records 10,000,000/day × 365 days"
    with translation.override("zh-hans"):
        assert line_text_render(pack.as_dict()) == "流量包 日志 10,000,000/天 × 365 天"
        assert line_text_render(term.as_dict()).startswith("成长发展套餐")
        assert line_text_render({}) is None  # a line from before: shown as written
        assert line_text_render({"key": "gone", "args": {}}) is None


def test_the_spend_alert_mail_names_the_item_in_each_language(account):
    owner = account.memberships.get().user
    owner.email = "owner@example.com"
    owner.save()
    spend_alert_mail(
        account_id=account.pk,
        workspace="生产环境",
        item=billing_item_get(code="traces"),
        day=date(2026, 12, 2),
        amount=Decimal("120.00"),
        threshold=Decimal("100.00"),
    )
    english, in_chinese = Email.objects.get(to=["owner@example.com"]).message.split("\n\n", 1)
    assert "APM traces" in english
    assert "APM 链路" in in_chinese and "traces" not in in_chinese
