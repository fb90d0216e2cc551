"""Subscription services and their API: validation, bindings over time, renewal, isolation."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from common.dates import ONE_DAY, billing_day
from common.exceptions import Conflict, InvalidInput
from packages.selectors import plan_get
from quota.models import Binding
from quota.selectors import bindings_on, subscription_view
from quota.services import (
    PackRequest,
    subscription_add_traffic_packs,
    subscription_change_plan,
    subscription_renew,
    subscription_set_workspaces,
)
from tests.errors import raises_code
from tests.factories import make_workspace
from tests.quota.helpers import bill, send, subscribe

pytestmark = pytest.mark.django_db
D = date(2026, 5, 1)


def test_a_subscription_runs_for_the_plan_term(account):
    workspace = make_workspace(account, commercial=True)
    subscription = subscribe(account, [workspace], start=D)
    assert subscription.end_date == D + timedelta(days=364)
    assert bindings_on(subscription_ids=[subscription.pk], day=D) == {
        subscription.pk: [workspace.pk]
    }


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda account, other: [], "no_workspaces"),
        (lambda account, other: [make_workspace(account)], "workspace_not_commercial"),
        (lambda account, other: [make_workspace(other, commercial=True)], "not_found"),
        (
            lambda account, other: [make_workspace(account, name="x", commercial=True)] * 2,
            "duplicate_workspace",
        ),
    ],
)
def test_bad_workspace_lists_are_refused(account, account_b, make, code):
    with raises_code(InvalidInput, code) as error:
        subscribe(account, make(account, account_b[0]), start=D)
    assert error.value.field == "workspaces"


def test_a_workspace_is_bound_to_at_most_one_subscription(account):
    workspace = make_workspace(account, commercial=True)
    subscribe(account, [workspace], start=D)
    with raises_code(Conflict, "workspace_bound_elsewhere"):
        subscribe(account, [workspace], start=D + timedelta(days=30))


def test_the_database_refuses_overlapping_bindings_of_one_workspace(account):
    workspace = make_workspace(account, commercial=True)
    subscription = subscribe(account, [workspace], start=D)
    with pytest.raises(IntegrityError), transaction.atomic():
        Binding.objects.create(
            subscription=subscription,
            workspace=workspace,
            priority=2,
            valid_from=D + ONE_DAY,
            valid_to=D + 3 * ONE_DAY,
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE contype = 'x'")
        assert ("binding_workspace_days_do_not_overlap",) in cursor.fetchall()


def test_traffic_pack_capacity_rules_are_enforced(account):
    workspace = make_workspace(account, commercial=True)
    with raises_code(InvalidInput, "pack_not_a_multiple"):
        subscribe(account, [workspace], start=D, packs=[("logs", 1_500_000)])
    with raises_code(InvalidInput, "unknown_item"):
        subscribe(account, [workspace], start=D, packs=[("bananas", 10)])


def test_traffic_packs_need_an_active_subscription(account):
    workspace = make_workspace(account, commercial=True)
    subscription = subscribe(account, [workspace], start=D)
    with raises_code(Conflict, "subscription_expired"):
        subscription_add_traffic_packs(
            subscription=subscription,
            traffic_packs=[PackRequest("logs", 1_000_000)],
            start_date=subscription.end_date + ONE_DAY,
        )
    packs = subscription_add_traffic_packs(
        subscription=subscription,
        traffic_packs=[PackRequest("logs", 30_000_000)],
        start_date=D + ONE_DAY,
    )
    assert (packs[0].daily_price, packs[0].end_date) == (36, subscription.end_date)


def test_downgrades_and_same_plan_are_refused(account):
    workspace = make_workspace(account, commercial=True)
    subscription = subscribe(account, [workspace], start=D, plan="growth_development")
    with raises_code(InvalidInput, "not_an_upgrade"):
        subscription_change_plan(
            subscription=subscription, plan=plan_get(code="startup_acceleration"), effective_from=D
        )
    with raises_code(InvalidInput, "not_an_upgrade"):
        subscription_change_plan(
            subscription=subscription, plan=plan_get(code="growth_development"), effective_from=D
        )


def test_no_change_can_take_effect_on_a_billed_day(account):
    workspace = make_workspace(account, commercial=True)
    subscription = subscribe(account, [workspace], start=D)
    send(workspace, "logs", 1, D + ONE_DAY, retention=14)
    bill(D + ONE_DAY)
    with raises_code(Conflict, "day_billed"):
        subscription_change_plan(
            subscription=subscription,
            plan=plan_get(code="growth_development"),
            effective_from=D + ONE_DAY,
        )


def test_two_reorders_on_one_day_keep_the_last_and_history_is_kept(account):
    first, second, third = (make_workspace(account, name=n, commercial=True) for n in "ABC")
    subscription = subscribe(account, [first, second], start=D)
    subscription_set_workspaces(
        subscription=subscription, workspace_ids=[second.pk, first.pk], today=D + ONE_DAY
    )
    subscription_set_workspaces(
        subscription=subscription, workspace_ids=[third.pk, first.pk], today=D + ONE_DAY
    )
    tomorrow = D + 2 * ONE_DAY
    assert bindings_on(subscription_ids=[subscription.pk], day=D + ONE_DAY)[subscription.pk] == [
        first.pk,
        second.pk,
    ]
    assert bindings_on(subscription_ids=[subscription.pk], day=tomorrow)[subscription.pk] == [
        third.pk,
        first.pk,
    ]
    view = subscription_view(subscription=subscription, today=D + ONE_DAY)
    assert (view.workspace_ids, view.pending_workspace_ids, view.pending_from) == (
        [first.pk, second.pk],
        [third.pk, first.pk],
        tomorrow,
    )
    assert Binding.objects.filter(subscription=subscription).count() == 6  # nothing deleted
    # the workspace removed from tomorrow on may join another package from tomorrow on
    subscribe(account, [second], start=tomorrow)


def test_renewal_starts_the_day_after_the_end_with_the_same_workspaces_and_plan(account):
    first, second = (make_workspace(account, name=n, commercial=True) for n in "AB")
    subscription = subscribe(account, [second, first], start=D)
    subscription_change_plan(
        subscription=subscription,
        plan=plan_get(code="growth_development"),
        effective_from=D + ONE_DAY,
    )
    renewal = subscription_renew(subscription=subscription, today=D + 10 * ONE_DAY)
    assert renewal.start_date == subscription.end_date + ONE_DAY
    assert renewal.renewal_of == subscription
    view = subscription_view(subscription=renewal, today=renewal.start_date)
    assert (view.plan.code, view.workspace_ids) == ("growth_development", [second.pk, first.pk])
    with raises_code(Conflict, "already_renewed"):
        subscription_renew(subscription=subscription, today=D + 11 * ONE_DAY)
    with raises_code(Conflict, "subscription_expired"):
        subscription_renew(subscription=renewal, today=renewal.end_date + ONE_DAY)


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_subscription_api_lists_detail_and_reorders(account_a):
    account, owner = account_a
    first, second = (make_workspace(account, name=n, commercial=True) for n in "AB")
    today = billing_day(timezone.now())
    subscription = subscribe(account, [first, second], start=today, packs=[("logs", 30_000_000)])
    client = _client(owner)
    listed = client.get("/api/v1/subscriptions/").json()
    assert [entry["id"] for entry in listed] == [subscription.pk]
    detail = client.get(f"/api/v1/subscriptions/{subscription.pk}/").json()
    assert detail["plan"] == "startup_acceleration"
    assert detail["status"] == "active"
    assert detail["workspaces"] == [first.pk, second.pk]
    assert detail["traffic_packs"][0]["item"] == "logs"
    assert detail["traffic_packs"][0]["daily_price"] == "36.00"
    response = client.put(
        f"/api/v1/subscriptions/{subscription.pk}/workspaces/",
        {"workspaces": [second.pk, first.pk]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["effective_from"] == (today + ONE_DAY).isoformat()
    again = client.get(f"/api/v1/subscriptions/{subscription.pk}/").json()
    assert again["workspaces"] == [first.pk, second.pk]
    assert again["pending_workspaces"] == [second.pk, first.pk]
    workspaces = {
        entry["id"]: entry["subscription"] for entry in client.get("/api/v1/workspaces/").json()
    }
    assert workspaces == {first.pk: subscription.pk, second.pk: subscription.pk}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "workspaces"),
        ({"workspaces": []}, "workspaces"),
        ({"workspaces": ["a"]}, "workspaces"),
        ({"workspaces": [0]}, "workspaces"),
    ],
)
def test_reorder_bad_input_is_400(account_a, body, field):
    account, owner = account_a
    workspace = make_workspace(account, commercial=True)
    subscription = subscribe(account, [workspace], start=billing_day(timezone.now()))
    response = _client(owner).put(
        f"/api/v1/subscriptions/{subscription.pk}/workspaces/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_admins_cannot_reorder(account_a, admin_user):
    account, _ = account_a
    workspace = make_workspace(account, commercial=True)
    subscription = subscribe(account, [workspace], start=billing_day(timezone.now()))
    response = _client(admin_user).put(
        f"/api/v1/subscriptions/{subscription.pk}/workspaces/",
        {"workspaces": [workspace.pk]},
        format="json",
    )
    assert response.status_code == 403


def test_every_subscription_and_bill_of_another_account_is_404(account_a, account_b):
    other, _ = account_b
    workspace = make_workspace(other, commercial=True)
    subscription = subscribe(other, [workspace], start=D)
    send(workspace, "logs", 1_000_000, D, retention=14)
    bill(D)
    client = _client(account_a[1])
    for method, path, body in [
        ("get", f"/api/v1/subscriptions/{subscription.pk}/", None),
        (
            "put",
            f"/api/v1/subscriptions/{subscription.pk}/workspaces/",
            {"workspaces": [workspace.pk]},
        ),
        ("get", f"/api/v1/subscriptions/{subscription.pk}/usage/?date={D}", None),
        ("get", f"/api/v1/workspaces/{workspace.pk}/daily-bills/", None),
    ]:
        response = (
            getattr(client, method)(path, body, format="json")
            if body
            else getattr(client, method)(path)
        )
        assert response.status_code == 404, path


def test_usage_of_a_billed_day_and_live_usage_of_today(account_a):
    account, owner = account_a
    workspace = make_workspace(account, commercial=True)
    subscription = subscribe(account, [workspace], start=D, packs=[("logs", 30_000_000)])
    send(workspace, "logs", 40_000_000, D, retention=30)
    bill(D)
    client = _client(owner)
    body = client.get(f"/api/v1/subscriptions/{subscription.pk}/usage/?date={D}").json()
    assert body["billed"] is True
    logs = next(item for item in body["items"] if item["item"] == "logs")
    assert (logs["quota"], logs["traffic_capacity"], logs["used"], logs["remaining"]) == (
        40_000_000,
        30_000_000,
        80_000_000,
        0,
    )
    assert (logs["payg_quantity"], logs["payg_amount"]) == (10_000_000, "15.00")
    traces = next(item for item in body["items"] if item["item"] == "traces")
    assert (traces["used"], traces["remaining"]) == (0, 5_000_000)

    next_day = D + ONE_DAY
    send(workspace, "logs", 10_000_000, next_day, retention=14)
    live = client.get(f"/api/v1/subscriptions/{subscription.pk}/usage/?date={next_day}").json()
    assert live["billed"] is False
    logs = next(item for item in live["items"] if item["item"] == "logs")
    assert (logs["used"], logs["remaining"], logs["payg_amount"]) == (
        10_000_000,
        60_000_000,
        "0.00",
    )
    assert (
        client.get(f"/api/v1/subscriptions/{subscription.pk}/usage/?date=2020-01-01").status_code
        == 400
    )
    assert (
        client.get(f"/api/v1/subscriptions/{subscription.pk}/usage/?date=junk").status_code == 400
    )


def test_daily_bills_api_with_lines_and_filters(account_a):
    account, owner = account_a
    workspace = make_workspace(account, commercial=True)
    subscribe(account, [workspace], start=D)
    for offset, quantity in enumerate([50_000_000, 60_000_000]):
        send(workspace, "logs", quantity, D + offset * ONE_DAY, retention=14)
        bill(D + offset * ONE_DAY)
    client = _client(owner)
    bills = client.get(
        f"/api/v1/workspaces/{workspace.pk}/daily-bills/?date_from={D}&date_to={D + ONE_DAY}"
    ).json()["results"]
    assert [(entry["date"], entry["total"]) for entry in bills] == [
        ((D + ONE_DAY).isoformat(), "30.00"),
        (D.isoformat(), "15.00"),
    ]
    line = bills[1]["lines"][0]
    assert line == {
        "item": "logs",
        "retention_days": 14,
        "quantity": 50_000_000,
        "converted_quantity": 50_000_000,
        "plan_covered": 40_000_000,
        "traffic_covered": 0,
        "payg_quantity": 10_000_000,
        "unit_price": "1.50",
        "amount": "15.00",
        "reason": "",
    }
    only_first = client.get(f"/api/v1/workspaces/{workspace.pk}/daily-bills/?date_to={D}").json()
    assert len(only_first["results"]) == 1
    bad = client.get(f"/api/v1/workspaces/{workspace.pk}/daily-bills/?date_from=2026-02-30")
    assert bad.status_code == 400 and "date_from" in bad.json()["errors"]
    reversed_range = client.get(
        f"/api/v1/workspaces/{workspace.pk}/daily-bills/?date_from={D}&date_to={D - ONE_DAY}"
    )
    assert reversed_range.status_code == 400
