"""A plan already sold is frozen in admin (its price, term and quotas explain past bills); an
action makes a new version under a new code, with the same quotas, not yet offered."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from orders.services.grants import order_grant
from packages.catalog import plan_is_sold, plan_new_version
from packages.models import Plan
from tests.factories import UserFactory, make_account, make_workspace
from tests.orders.helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    client = Client()
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


def _sell_startup(actor) -> Plan:
    from datetime import date

    account, _owner = make_account()
    workspace = make_workspace(account, commercial=True)
    order_grant(
        account=account,
        granted_kind="new_package",
        plan_code="startup_acceleration",
        workspace_ids=(workspace.pk,),
        price="0.00",
        reason="test",
        actor=actor,
        now=at(date(2026, 3, 2)),
    )
    return Plan.objects.get(code="startup_acceleration")


def test_a_sold_plan_cannot_be_edited_in_admin(operator):
    plan = _sell_startup(operator.user)
    assert plan_is_sold(plan=plan)
    quota = plan.quotas.order_by("pk").first()
    url = reverse("admin:packages_plan_change", args=[plan.pk])
    page = operator.get(url, follow=True)
    text = page.content.decode()
    assert "Sold: make a new version" in text
    assert 'name="price"' not in text
    assert "quotas-0-daily_quantity" not in text
    operator.post(
        url,
        {
            "price": "1.00",
            "is_active": "on",
            "display_order": plan.display_order,
            "quotas-TOTAL_FORMS": 0,
            "quotas-INITIAL_FORMS": 0,
        },
    )
    plan.refresh_from_db()
    assert plan.price == Decimal("42000.00")
    quota_url = reverse("admin:packages_planquota_change", args=[quota.pk])
    operator.post(quota_url, {"plan": plan.pk, "item": quota.item_id, "daily_quantity": 1})
    quota.refresh_from_db()
    assert quota.daily_quantity != 1


def test_an_unsold_plan_stays_editable(operator):
    plan = Plan.objects.get(code="startup_acceleration")
    assert not plan_is_sold(plan=plan)
    page = operator.get(reverse("admin:packages_plan_change", args=[plan.pk]))
    assert 'name="price"' in page.content.decode()


def test_make_a_new_version_copies_the_plan_and_its_quotas_under_a_new_code(operator):
    plan = _sell_startup(operator.user)
    response = operator.post(
        reverse("admin:packages_plan_changelist"),
        {"action": "make_new_version", "_selected_action": [plan.pk]},
    )
    assert response.status_code == 302
    copy = Plan.objects.get(code="startup_acceleration-v2")
    assert (copy.name, copy.price, copy.term_days, copy.is_active) == (
        plan.name,
        plan.price,
        plan.term_days,
        False,
    )
    quotas = sorted(plan.quotas.values_list("item_id", "daily_quantity"))
    assert sorted(copy.quotas.values_list("item_id", "daily_quantity")) == quotas
    assert not plan_is_sold(plan=copy)
    assert plan_new_version(plan=plan).code == "startup_acceleration-v3"
