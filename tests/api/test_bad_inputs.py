"""No 500 for bad input (issue bullet "18 inputs answer 500"): each input the issue names answers
a 4xx with its stable code, and a lost database answers 503 with Retry-After.

Amounts go through common.money.parse_amount, days and months through common.dates (2000-01-01
… 2999-12-31), JSON through common.parsers.LimitedJSONParser (64 levels), pack capacities
through orders.requests (MAX_CAPACITY); a lost database becomes 503 in common.middleware."""

import json
from contextlib import contextmanager
from datetime import date
from unittest import mock

import psycopg2
import pytest
from django.db.backends.utils import CursorWrapper
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from common.parsers import MAX_JSON_DEPTH, json_depth_exceeds
from tests.factories import UserFactory, make_workspace
from wallet.models import LedgerEntry

pytestmark = pytest.mark.django_db

DEEP = 10_000  # Python's json gives up with RecursionError long before


def nested_lists(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_objects(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


def assert_api_error(response, status: int, field: str, code: str) -> None:
    assert response.status_code == status, response.content[:500]
    body = json.loads(response.content)  # under ?format=csv too (an error body is JSON)
    assert set(body) == {"errors", "codes"}, body
    assert body["codes"].get(field) == [code], body
    assert len(body["errors"][field]) == 1, body


@pytest.fixture
def workspace(account):
    return make_workspace(account, name="prod", commercial=True)


@pytest.fixture
def page(account_a):
    client = Client()
    client.force_login(account_a[1])
    return client


@pytest.fixture
def ingest_api():
    client = APIClient()
    client.force_authenticate(UserFactory(is_staff=True))
    return client


# --- 1. JSON nested too deep: RecursionError in the parser (today: 500) ----------------------


@pytest.mark.parametrize(
    ("who", "path", "body"),
    [
        pytest.param("owner", "/api/v1/orders/", nested_lists(DEEP), id="orders-lists"),
        pytest.param("owner", "/api/v1/orders/quote/", nested_objects(DEEP), id="quote-objects"),
        pytest.param("ingest", "/api/v1/usage/", nested_lists(DEEP), id="usage-lists"),
        pytest.param("anonymous", "/api/v1/auth/token/", nested_lists(DEEP), id="token-lists"),
        # Deeper than the limit but parseable: refused by the depth check (today: 400 invalid)
        pytest.param(
            "anonymous",
            "/api/v1/auth/token/",
            nested_objects(MAX_JSON_DEPTH + 1),
            id="token-just-too-deep",
        ),
    ],
)
def test_json_nested_too_deep_is_a_parse_error(who, path, body, owner_api, ingest_api):
    client = {"owner": owner_api, "ingest": ingest_api, "anonymous": APIClient()}[who]
    response = client.post(path, body, content_type="application/json")
    assert_api_error(response, 400, "detail", "parse_error")


def test_json_as_deep_as_the_limit_is_parsed():
    assert not json_depth_exceeds([[{"a": [1]}]], 4)
    assert json_depth_exceeds([[{"a": [1]}]], 3)
    response = APIClient().post(
        "/api/v1/auth/token/", nested_lists(MAX_JSON_DEPTH), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["codes"]["detail"] != ["parse_error"]  # read, then refused as a login


# --- 2. amounts with exponents: one strict parser (already refused before this change) -------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        pytest.param(
            "/api/v1/orders/",
            {"kind": "prepaid_card", "face_value": "100.00", "payment": {"cash": "1E+30"}},
            "payment.cash",
            id="order-cash-1E+30",
        ),
        pytest.param(
            "/api/v1/orders/",
            {"kind": "prepaid_card", "face_value": "1e309", "payment": {"cash": "100.00"}},
            "face_value",
            id="order-face-value-1e309",
        ),
        pytest.param(
            "/api/v1/orders/quote/",
            {"kind": "prepaid_card", "face_value": "1e309"},
            "face_value",
            id="quote-face-value-1e309",
        ),
        pytest.param(
            "/api/v1/orders/quote/",
            {"kind": "prepaid_card", "face_value": "1E+30"},
            "face_value",
            id="quote-face-value-1E+30",
        ),
        pytest.param(
            "/api/v1/spend-alerts/",
            {"item": "logs", "threshold": "1E+30"},
            "threshold",
            id="alert-threshold-1E+30",
        ),
        pytest.param(
            "/api/v1/spend-alerts/",
            {"item": "logs", "threshold": "1e309"},
            "threshold",
            id="alert-threshold-1e309",
        ),
    ],
)
def test_an_amount_with_an_exponent_is_an_invalid_amount(owner_api, workspace, path, body, field):
    if "threshold" in body:
        body = {**body, "workspace": workspace.pk}
    response = owner_api.post(path, body, format="json")
    assert_api_error(response, 400, field, "invalid_amount")
    assert not LedgerEntry.objects.filter(kind="order_payment").exists()


def test_an_alert_threshold_is_read_by_the_strict_parser(owner_api, workspace):
    def post(threshold):
        return owner_api.post(
            "/api/v1/spend-alerts/",
            {"workspace": workspace.pk, "item": "logs", "threshold": threshold},
            format="json",
        )

    assert_api_error(post("0.001"), 400, "threshold", "too_many_decimals")
    assert_api_error(post("100000000000.01"), 400, "threshold", "amount_too_large")
    assert_api_error(post(12.5), 400, "threshold", "invalid_amount")  # a float is not exact
    assert post("12.50").json() == [
        {"workspace": workspace.pk, "item": "logs", "threshold": "12.50"}
    ]
    assert post(" ").json() == []  # blank removes the alert, as before


def test_the_admin_cash_credit_refuses_an_exponent():
    from django.urls import reverse

    from tests.factories import make_account

    account, _owner = make_account(name="Remitter")
    operator = Client()
    operator.force_login(UserFactory(is_staff=True, is_superuser=True))
    for amount in ("1E+30", "1e309"):
        response = operator.post(
            reverse("admin:wallet_wallet_add"),
            {"account": account.pk, "amount": amount, "reference": f"BANK-{amount}"},
        )
        assert response.status_code == 200  # the form again, with its error
        assert "amount" in response.context["form"].errors
    assert not LedgerEntry.objects.filter(account=account).exists()


# --- 3. a pack capacity of 2^61 (today: amount_too_large after pricing it) ------------------


@pytest.mark.parametrize("capacity", [2**61, 2**62, 2**63 + 1])
def test_a_pack_capacity_beyond_any_day_of_usage_is_pack_too_large(owner_api, workspace, capacity):
    response = owner_api.post(
        "/api/v1/orders/quote/",
        {
            "kind": "new_package",
            "plan": "startup_acceleration",
            "workspaces": [workspace.pk],
            "traffic_packs": [{"item": "sms", "capacity": capacity}],
        },
        format="json",
    )
    assert_api_error(response, 400, "traffic_packs", "pack_too_large")


# --- 4. days and months of year 9999 and 0001 (today: 500, or 200 for a nonsense range) -----

API_DATES = [
    pytest.param("/api/v1/ledger/?date_to=9999-12-31", "date_to", id="ledger-9999"),
    pytest.param("/api/v1/ledger/?date_from=0001-01-01", "date_from", id="ledger-0001"),
    pytest.param("/api/v1/ledger/?date_to=9999-12-31&format=csv", "date_to", id="ledger-csv-9999"),
    pytest.param(
        "/api/v1/ledger/?date_from=0001-01-01&format=csv", "date_from", id="ledger-csv-0001"
    ),
    pytest.param("/api/v1/statements/?month=9999-12", "month", id="statements-9999"),
    pytest.param("/api/v1/statements/?month=0001-01", "month", id="statements-0001"),
    pytest.param("/api/v1/statements/?month=9999-12&format=csv", "month", id="statements-csv"),
    pytest.param(
        "/api/v1/workspaces/{workspace}/daily-bills/?date_to=9999-12-31",
        "date_to",
        id="daily-bills-9999",
    ),
]


@pytest.mark.parametrize(("url", "field"), API_DATES)
def test_a_day_out_of_range_is_refused_by_the_api(owner_api, workspace, url, field):
    response = owner_api.get(url.format(workspace=workspace.pk))
    assert_api_error(response, 400, field, "date_out_of_range")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        pytest.param("/ledger/?date_to=9999-12-31", "2000-01-01", id="ledger-9999"),
        pytest.param("/ledger/?date_from=0001-01-01", "2000-01-01", id="ledger-0001"),
        pytest.param("/statements/?month=9999-12", "2000-01", id="statements-9999"),
        pytest.param("/statements/?month=0001-01", "2000-01", id="statements-0001"),
        pytest.param("/bills/?date_to=0001-01-01", "2000-01-01", id="bills-0001"),
        pytest.param("/bills/?date_to=9999-12-31", "2000-01-01", id="bills-9999"),
    ],
)
def test_a_day_out_of_range_is_a_400_page(page, url, shown):
    response = page.get(url)
    assert response.status_code == 400
    assert shown in response.content.decode()  # "Give a day from 2000-01-01 to 2999-12-31."


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("/ledger/?date_to=9999-12-31&format=csv", id="ledger-9999"),
        pytest.param("/statements/?month=9999-12&format=csv", id="statements-9999"),
        pytest.param("/bills/?date_to=0001-01-01&format=csv", id="bills-0001"),
    ],
)
def test_a_page_csv_with_a_day_out_of_range_is_no_server_error(page, url):
    # The pages' CSV downloads fall back to their default range on a bad filter (as for any
    # malformed date): what matters here is that the filter no longer overflows.
    response = page.get(url)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response["Content-Type"].startswith("text/csv")


# --- 5. a lost database: 503 with Retry-After (today: 500) ----------------------------------


@contextmanager
def database_lost(error=psycopg2.OperationalError):
    """Every query fails as it does while PostgreSQL restarts: psycopg2's error, wrapped into
    Django's by the connection as in production."""

    def execute(self, sql, params, *args):
        with self.db.wrap_database_errors:
            raise error("server closed the connection unexpectedly")

    with mock.patch.object(CursorWrapper, "_execute", execute):
        yield


@pytest.mark.parametrize(
    ("path", "error"),
    [
        pytest.param("/api/v1/ledger/", psycopg2.OperationalError, id="ledger-operational"),
        pytest.param("/api/v1/statements/", psycopg2.InterfaceError, id="statements-interface"),
    ],
)
def test_a_lost_database_answers_503_with_retry_after_on_the_api(owner_api, path, error):
    with database_lost(error):
        response = owner_api.get(path)
    assert_api_error(response, 503, "detail", "service_unavailable")
    assert response["Retry-After"] == "30"


def test_a_lost_database_answers_503_on_the_anonymous_token_endpoint():
    with database_lost():
        response = APIClient().post(
            "/api/v1/auth/token/", {"username": "a", "password": "b"}, format="json"
        )
    assert_api_error(response, 503, "detail", "service_unavailable")
    assert response["Retry-After"] == "30"


def test_a_lost_database_answers_a_plain_503_page(page):
    with database_lost():
        response = page.get("/ledger/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    assert "503" in response.content.decode()


def test_a_lost_database_outside_a_view_is_a_503_too():
    """A middleware that fails on the database (saving a session) reaches handler500."""
    from django.db import OperationalError

    from common.views import server_error

    for path, content_type in (("/api/v1/account/", "application/json"), ("/", "text/html")):
        try:
            raise OperationalError("the database system is shutting down")
        except OperationalError:
            response = server_error(RequestFactory().get(path))
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert response["Content-Type"].startswith(content_type)
    assert server_error(RequestFactory().get("/")).status_code == 500  # any other error


@pytest.mark.parametrize("packs", ["sms:²", f"sms:{10**40}", "logs:-5", "logs:0"])
def test_the_purchase_estimate_ignores_packs_it_cannot_price(account_a, packs):
    workspace = make_workspace(account_a[0], commercial=True)
    client = Client()
    client.force_login(account_a[1])
    response = client.get("/buy/estimate/", {"workspaces": str(workspace.pk), "packs": packs})
    assert response.status_code == 200
    assert response.json()["days"] == 0


def test_errors_of_list_items_stay_under_their_field_as_a_list(owner_api, account_a):
    """A form-encoded list with bad items answered {"workspaces": {"1": [...]}}, which breaks
    the documented body (every field a list of messages)."""
    from tests.factories import make_workspace
    from tests.quota.helpers import subscribe

    account = account_a[0]
    workspace = make_workspace(account, commercial=True)
    subscription = subscribe(account, [workspace], start=date(2026, 1, 1))
    response = owner_api.put(
        f"/api/v1/subscriptions/{subscription.pk}/workspaces/",
        {"workspaces": [str(workspace.pk), "0.5", "AAA"]},
        format="multipart",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {
        "workspaces": ["[1] A valid integer is required.", "[2] A valid integer is required."]
    }
    assert body["codes"] == {"workspaces": ["invalid", "invalid"]}
