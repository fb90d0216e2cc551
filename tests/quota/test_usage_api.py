"""POST /api/v1/usage/ and import_usage: whole batch validated, errors by index, all or nothing."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from common.dates import ONE_DAY, billing_day, day_start
from quota.models import LateUsage, UsageDay, UsageSample
from tests.factories import UserFactory, make_workspace
from tests.quota.helpers import after, bill

pytestmark = pytest.mark.django_db


@pytest.fixture
def meter():
    user = UserFactory(username="meter")
    user.user_permissions.add(Permission.objects.get(codename="ingest_usage"))
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def workspace(account_a):
    return make_workspace(account_a[0], commercial=True)


def an_hour_ago() -> str:
    moment = timezone.now().astimezone(day_start(billing_day(timezone.now())).tzinfo) - timedelta(
        hours=1
    )
    return moment.replace(minute=0, second=0, microsecond=0).isoformat()


def sample(target, **overrides):
    base = {
        "workspace": target.pk,
        "item": "logs",
        "retention_days": 30,
        "hour": an_hour_ago(),
        "quantity": 1_250_000,
    }
    return {**base, **overrides}


def test_a_valid_batch_is_accepted(meter, workspace):
    response = meter.post(
        "/api/v1/usage/",
        {
            "samples": [
                sample(workspace),
                sample(workspace, item="datakit", retention_days=None, quantity=3),
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"accepted": 2, "late": 0}
    stored = UsageSample.objects.get(item__code="logs")
    assert (stored.retention_days, stored.quantity) == (30, 1_250_000)
    assert UsageSample.objects.get(item__code="datakit").retention_days == 0
    assert UsageDay.objects.filter(workspace=workspace).count() == 1


def test_a_resend_replaces_the_quantity(meter, workspace):
    meter.post("/api/v1/usage/", {"samples": [sample(workspace)]}, format="json")
    meter.post("/api/v1/usage/", {"samples": [sample(workspace, quantity=99)]}, format="json")
    assert list(UsageSample.objects.values_list("quantity", flat=True)) == [99]


def test_the_same_key_twice_in_a_batch_keeps_the_later_sample(meter, workspace):
    response = meter.post(
        "/api/v1/usage/",
        {"samples": [sample(workspace, quantity=1), sample(workspace, quantity=2)]},
        format="json",
    )
    assert response.status_code == 200
    assert list(UsageSample.objects.values_list("quantity", flat=True)) == [2]


def test_missing_retention_means_the_default(meter, workspace):
    entry = sample(workspace)
    del entry["retention_days"]
    assert meter.post("/api/v1/usage/", {"samples": [entry]}, format="json").status_code == 200
    assert UsageSample.objects.get().retention_days == 14


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"workspace": 999_999}, "workspace"),
        ({"workspace": "12"}, "workspace"),
        ({"workspace": {}}, "workspace"),
        ({"workspace": [1]}, "workspace"),
        ({"workspace": 2**70}, "workspace"),
        ({"item": {"a": 1}}, "item"),
        ({"retention_days": {}}, "retention_days"),
        ({"hour": 5}, "hour"),
        ({"item": "bananas"}, "item"),
        ({"retention_days": 90}, "retention_days"),
        ({"item": "datakit", "retention_days": 7}, "retention_days"),
        ({"quantity": -1}, "quantity"),
        ({"quantity": 10**16}, "quantity"),
        ({"quantity": 1.5}, "quantity"),
        ({"quantity": True}, "quantity"),
        ({"hour": "2026-11-21T13:30:00+08:00"}, "hour"),
        ({"hour": "2026-11-21T13:00:00"}, "hour"),
        ({"hour": "yesterday"}, "hour"),
        ({"hour": "2030-01-01T00:00:00+08:00"}, "hour"),
        ({"hour": "2020-01-01T00:00:00+08:00"}, "hour"),
        ({"hour": "2026-11-21T13:00:00+05:30"}, "hour"),
        ({"colour": "blue"}, "detail"),
    ],
)
def test_a_bad_sample_is_named_by_index_and_nothing_is_stored(meter, workspace, override, field):
    batch = [sample(workspace, quantity=5), sample(workspace, **override)]
    response = meter.post("/api/v1/usage/", {"samples": batch}, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert f"samples[1].{field}" in errors, errors
    assert not any(key.startswith("samples[0]") for key in errors)
    assert UsageSample.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [{}, {"samples": []}, {"samples": "x"}, {"samples": [1, 2]}, [], {"samples": None}],
)
def test_malformed_batches_are_400(meter, body):
    response = meter.post("/api/v1/usage/", body, format="json")
    assert response.status_code == 400
    assert "errors" in response.json()


def test_more_than_10000_samples_are_refused(meter, workspace):
    batch = [sample(workspace)] * 10_001
    response = meter.post("/api/v1/usage/", {"samples": batch}, format="json")
    assert response.status_code == 400
    assert "10,000" in response.json()["errors"]["samples"][0]


def test_usage_of_a_billed_day_is_accepted_as_late_usage(meter, workspace):
    yesterday = billing_day(timezone.now()) - ONE_DAY
    bill(yesterday)
    hour = (day_start(yesterday) + timedelta(hours=5)).isoformat()
    response = meter.post(
        "/api/v1/usage/",
        {"samples": [sample(workspace, hour=hour), sample(workspace)]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {"accepted": 2, "late": 1}
    assert UsageSample.objects.count() == 2
    assert LateUsage.objects.get().day == yesterday


def test_sending_usage_needs_the_permission(account_a, workspace):
    client = APIClient()
    client.force_authenticate(account_a[1])
    assert (
        client.post("/api/v1/usage/", {"samples": [sample(workspace)]}, format="json").status_code
        == 403
    )
    assert APIClient().post("/api/v1/usage/", {"samples": []}, format="json").status_code == 401


def test_staff_may_send_usage(workspace):
    client = APIClient()
    client.force_authenticate(UserFactory(is_staff=True))
    assert (
        client.post("/api/v1/usage/", {"samples": [sample(workspace)]}, format="json").status_code
        == 200
    )


def test_import_usage_reads_a_csv_with_the_same_rules(tmp_path, workspace):
    day = billing_day(timezone.now()) - 40 * ONE_DAY  # an operator may import old usage
    good = tmp_path / "usage.csv"
    good.write_text(
        "workspace,item,retention_days,hour,quantity\n"
        f"{workspace.pk},logs,30,{(day_start(day) + timedelta(hours=3)).isoformat()},5000000\n"
        f"{workspace.pk},datakit,,{(day_start(day) + timedelta(hours=3)).isoformat()},12\n"
    )
    out = StringIO()
    call_command("import_usage", str(good), stdout=out)
    assert "imported 2 sample(s)" in out.getvalue()
    assert UsageSample.objects.count() == 2

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "workspace,item,retention_days,hour,quantity\n"
        f"{workspace.pk},logs,30,{(day_start(day) + timedelta(hours=4)).isoformat()},1\n"
        f"{workspace.pk},logs,90,not-a-time,-3\n"
    )
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_usage", str(bad), stdout=StringIO(), stderr=err)
    assert "line 3: retention_days" in err.getvalue()
    assert "line 3: quantity" in err.getvalue()
    assert UsageSample.objects.count() == 2


def test_import_usage_refuses_a_wrong_header(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(CommandError, match="header"):
        call_command("import_usage", str(path))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_usage", str(tmp_path / "missing.csv"))


def test_the_first_hour_of_a_day_belongs_to_that_day(meter, workspace):
    today = billing_day(timezone.now())
    yesterday = today - ONE_DAY
    midnight = day_start(today).isoformat()
    meter.post("/api/v1/usage/", {"samples": [sample(workspace, hour=midnight)]}, format="json")
    assert UsageSample.objects.get().day == today
    assert after(yesterday) > day_start(today)
