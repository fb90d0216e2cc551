"""The low-balance alert: below the owner's threshold, owners and admins get one e-mail; again
only after the balance was back at or above it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django_celery_beat.models import PeriodicTask
from post_office.models import Email

from common.dates import ONE_DAY
from common.exceptions import Forbidden, InvalidInput
from tests.factories import add_member, make_workspace
from tests.orders.helpers import at, fund_cash, give_card
from tests.quota.helpers import after, bill
from tests.wallet.test_settlement import D, hundred_yuan_bill
from wallet.models import LowBalanceAlert
from wallet.services.low_balance import low_balance_alert_set, low_balance_check
from workspaces.models import Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(account_a):
    account, user = account_a
    user.email = "owner@example.com"
    user.save()
    admin = add_member(account, role=Role.ADMIN)
    admin.email = "admin@example.com"
    admin.save()
    add_member(account, role=Role.MEMBER)  # members are not told
    return Membership.objects.get(account=account, user=user)


def watch(owner, threshold: str, basis: str = "cash", day=D):
    return low_balance_alert_set(membership=owner, threshold=threshold, basis=basis, now=at(day))


def alerts_sent() -> list[Email]:
    return list(Email.objects.filter(subject__contains="low balance").order_by("pk"))


def test_a_settlement_that_leaves_cash_below_the_threshold_tells_once(owner):
    account = owner.account
    fund_cash(account, "150.00", at(D - ONE_DAY))
    watch(owner, "100.00", day=D - ONE_DAY)
    assert alerts_sent() == []  # ¥150 is above
    hundred_yuan_bill(make_workspace(account, commercial=True))
    bill(D)  # cash 150 → 50
    report = low_balance_check(now=after(D, minutes=15))
    assert report.notified == [account.pk]
    [email] = alerts_sent()
    assert sorted(email.to) == ["admin@example.com", "owner@example.com"]
    assert "¥50.00" in email.message and "¥100.00" in email.message
    for minutes in (30, 45, 60 * 24):
        assert low_balance_check(now=after(D, minutes=minutes)).notified == []
    assert len(alerts_sent()) == 1


def test_exactly_at_the_threshold_is_not_below(owner):
    fund_cash(owner.account, "100.00", at(D))
    watch(owner, "100.00")
    assert low_balance_check(now=at(D, 11)).notified == []
    assert alerts_sent() == []


def test_back_above_re_arms_and_the_next_fall_tells_again(owner):
    account = owner.account
    fund_cash(account, "150.00", at(D - ONE_DAY))
    watch(owner, "100.00", day=D - ONE_DAY)
    workspace = make_workspace(account, commercial=True)
    hundred_yuan_bill(workspace)
    bill(D)
    low_balance_check(now=after(D, minutes=15))
    fund_cash(account, "100.00", after(D, minutes=20))  # 50 → 150
    report = low_balance_check(now=after(D, minutes=30))
    assert report.rearmed == [account.pk] and report.notified == []
    assert LowBalanceAlert.objects.get().below_since is None
    next_day = D + ONE_DAY
    hundred_yuan_bill(workspace, day=next_day)
    bill(next_day)  # 150 → 50
    assert low_balance_check(now=after(next_day, minutes=15)).notified == [account.pk]
    assert len(alerts_sent()) == 2


def test_cash_and_cards_counts_usable_cards_and_an_expiring_card_is_seen(owner):
    account = owner.account
    fund_cash(account, "40.00", at(D))
    give_card(account, "100", at(D), valid_days=3)  # expires 3 days later
    watch(owner, "100.00", basis="cash_and_cards")
    assert alerts_sent() == []  # 40 + 100 = 140
    assert low_balance_check(now=at(D + timedelta(days=4))).notified == [account.pk]
    assert "Cash and prepaid cards of the account hold ¥40.00" in alerts_sent()[0].message


def test_setting_a_threshold_above_the_balance_tells_at_once_and_resaving_does_not(owner):
    fund_cash(owner.account, "10.00", at(D))
    alert = watch(owner, "100.00")
    assert alert.below_since is not None and alert.notice_id == alerts_sent()[0].pk
    watch(owner, "100.00")  # the same threshold again: no second e-mail
    assert len(alerts_sent()) == 1
    watch(owner, "50.00")  # a new threshold starts afresh
    assert len(alerts_sent()) == 2
    assert watch(owner, "") is None
    assert not LowBalanceAlert.objects.exists()


def test_only_owners_set_it_and_the_threshold_is_a_positive_amount(owner, account_a):
    admin = Membership.objects.get(account=owner.account, role=Role.ADMIN)
    with pytest.raises(Forbidden):
        watch(admin, "100.00")
    for bad in ("0", "-5", "abc", "1.234"):
        with pytest.raises(InvalidInput):
            watch(owner, bad)
    with pytest.raises(InvalidInput):
        watch(owner, "100.00", basis="vouchers")
    assert not LowBalanceAlert.objects.exists()


def test_the_page_lets_owners_set_it_and_shows_admins_the_state(owner):
    client = Client()
    client.force_login(owner.user)
    assert client.get("/wallet/").content.decode().count('href="/wallet/alert/"') == 1
    response = client.post("/wallet/alert/", {"threshold": "500", "basis": "cash_and_cards"})
    assert response.status_code == 302
    alert = LowBalanceAlert.objects.get()
    assert (alert.threshold, alert.basis) == (Decimal("500.00"), "cash_and_cards")
    html = client.get("/wallet/alert/").content.decode()
    assert "Below the threshold" in html  # ¥0 < ¥500: told at once
    assert client.post("/wallet/alert/", {"threshold": "x"}).status_code == 400
    admin = Membership.objects.get(account=owner.account, role=Role.ADMIN).user
    client.force_login(admin)
    assert "Only an owner changes the alert." in client.get("/wallet/alert/").content.decode()
    assert client.post("/wallet/alert/", {"threshold": "1"}).status_code == 403
    member = Membership.objects.get(account=owner.account, role=Role.MEMBER).user
    client.force_login(member)
    assert client.get("/wallet/alert/").status_code == 403


def test_the_check_is_scheduled_every_15_minutes():
    task = PeriodicTask.objects.get(task="wallet.low_balance_check")
    assert (task.crontab.minute, task.crontab.hour) == ("*/15", "*")
    assert task.enabled and task.expire_seconds <= 15 * 60
