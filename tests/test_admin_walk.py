"""Django admin walked with a superuser: every model's list, add page and change page of one
object answer without a server error, and each change form posted back unchanged too."""

import pytest
from django import forms
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from demo.seed import DEMO_ACCOUNT, demo_seed
from quota.models import DailyBill
from tests.factories import UserFactory
from tests.orders.helpers import place
from wallet.services.adjustments import bill_adjust
from wallet.services.refunds import cash_refund
from workspaces.models import Account

pytestmark = pytest.mark.django_db


def _seed_everything() -> None:
    """Demo data (accounts, workspaces, a subscription, bills, ledger, vouchers, cards), and an
    order, an adjustment and a refund through the real services."""
    demo_seed()
    now = timezone.now()
    account = Account.objects.get(name=DEMO_ACCOUNT)
    place(account, {"kind": "prepaid_card", "face_value": "1000.00"}, {"cash": "1000.00"}, now)
    bill = DailyBill.objects.filter(account=account).order_by("pk").first()
    bill_adjust(bill_id=bill.pk, amount="1.00", reason="walk", now=now)
    cash_refund(account_id=account.pk, amount="10.00", reference="WALK-1", now=now)


@pytest.fixture
def superuser_client():
    _seed_everything()
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _field_data(form, data: dict) -> None:
    """The form's initial values, as a browser would send them back."""
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        value = form[name].value()
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[key] = "on"
        elif isinstance(field.widget, forms.MultiWidget):
            parts = value if isinstance(value, list) else field.widget.decompress(value)
            for index, part in enumerate(parts):
                data[f"{key}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, (list, tuple)):
            data[key] = [str(part) for part in value]
        elif value is not None:
            data[key] = field.prepare_value(value)


def _unchanged_post(response) -> dict:
    data: dict = {}
    _field_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _field_data(formset.management_form, data)
        for form in formset.forms:
            _field_data(form, data)
    return data


def _admin_urls(model):
    meta = model._meta
    return (
        reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
        reverse(f"admin:{meta.app_label}_{meta.model_name}_add"),
    )


def test_every_admin_page_answers_without_a_server_error(superuser_client):
    failures = []
    for model in admin.site._registry:
        changelist, add = _admin_urls(model)
        for url in (changelist, add):
            status = superuser_client.get(url).status_code
            if status >= 500:
                failures.append((url, status))
        first = model._default_manager.order_by("pk").first()
        if first is None:
            continue
        meta = model._meta
        change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
        response = superuser_client.get(change)
        if response.status_code >= 500:
            failures.append((change, response.status_code))
            continue
        if response.status_code == 200 and response.context["has_change_permission"]:
            posted = superuser_client.post(change, _unchanged_post(response))
            if posted.status_code >= 500:
                failures.append((f"POST {change}", posted.status_code))
    assert failures == []


def test_every_registered_model_was_seeded(superuser_client):
    """The walk visits a change page of each model that money or history depends on."""
    empty = [
        model._meta.label
        for model in admin.site._registry
        if model._meta.app_label in {"workspaces", "quota", "wallet", "orders", "billing"}
        and not model._default_manager.exists()
    ]
    assert "orders.Order" not in empty
    assert "wallet.Refund" not in empty
    assert "quota.BillAdjustment" not in empty and "wallet.BillAdjustment" not in empty
