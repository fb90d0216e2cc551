"""The API's long lists come a page at a time (common/pagination.py): a walk over `next` returns
every row the filter selects exactly once, in the list's order, also while rows are added; a
bad page size or cursor is a 400 naming it. The pages that show a part of a list say so and
link to the other pages."""

import base64
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from common.dates import billing_day
from orders.models import Order, OrderKind, OrderLine
from packages.models import BillingItem
from quota.models import NO_RETENTION, BillingRun, DailyBill, DailyBillLine, RunStatus
from tests.factories import make_workspace
from tests.orders.helpers import cash, fund_cash, place
from tests.quota.helpers import subscribe
from tests.test_exports import START, add_entries
from wallet.models import EntryKind, Instrument, LedgerEntry

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_fixed_timezone(480)
LEDGER = "/api/v1/ledger/"
ORDERS = "/api/v1/orders/"


def walk(client, url: str) -> tuple[list[dict], list]:
    """Every row from `url` on, following `next`; and the responses, one a page."""
    rows, pages = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert list(body) == ["next", "previous", "results"]
        rows += body["results"]
        pages.append(response)
        url = body["next"]
        assert len(pages) <= 100, "the walk does not end"
    return rows, pages


def walk_back(client, url: str) -> list[dict]:
    """Every row before the page at `url`, following `previous`, in the list's order."""
    rows = []
    while url:
        body = client.get(url).json()
        rows = body["results"] + rows
        url = body["previous"]
    return rows


def bills_for(workspace, days: list[date]) -> list[DailyBill]:
    """One bill a day of `days` with one line, each of its own run (as the nightly run writes)."""
    runs = {run.day: run for run in BillingRun.objects.filter(day__in=days)}
    missing = [BillingRun(day=day, status=RunStatus.DONE) for day in days if day not in runs]
    runs.update({run.day: run for run in BillingRun.objects.bulk_create(missing)})
    bills = DailyBill.objects.bulk_create(
        [
            DailyBill(
                workspace=workspace, account=workspace.account, day=day, total=1, run=runs[day]
            )
            for day in days
        ]
    )
    item = BillingItem.objects.get(code="task_calls")
    DailyBillLine.objects.bulk_create(
        [
            DailyBillLine(
                bill=bill,
                item=item,
                retention_days=NO_RETENTION,
                quantity=10_000,
                converted_quantity=10_000,
                payg_quantity=10_000,
                unit_price=Decimal("1.00"),
                amount=Decimal("1.00"),
            )
            for bill in bills
        ]
    )
    return bills


def orders_for(account, moments: list[datetime], kind: str = OrderKind.PREPAID_CARD) -> list[int]:
    """Paid orders for ¥100 cash at `moments`, each with its line; their ids in that order."""
    orders = Order.objects.bulk_create(
        [
            Order(
                account=account,
                kind=kind,
                total=Decimal("100.00"),
                request={"kind": kind},
                payment={"cash": "100.00", "prepaid_cards": [], "vouchers": []},
                request_fingerprint=f"bulk-{n}",
                created_at=moment,
                paid_at=moment,
            )
            for n, moment in enumerate(moments)
        ]
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                position=0,
                description="Prepaid card",
                quantity=1,
                unit_price=order.total,
                amount=order.total,
            )
            for order in orders
        ]
    )
    return [order.pk for order in orders]


def newest_first(ids_by_moment: list[tuple[datetime, int]]) -> list[int]:
    return [pk for _, pk in sorted(ids_by_moment, reverse=True)]


def assert_error(response, field: str, code: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body["errors"]) == [field] and body["codes"] == {field: [code]}, body


# --- every row exactly once, in order ---------------------------------------------------------


def test_walking_next_over_1200_ledger_entries_returns_each_once_newest_first(account_a, owner_api):
    add_entries(account_a[0], 1200)
    rows, pages = walk(owner_api, LEDGER)
    assert [row["reference"] for row in rows] == [f"remittance {n}" for n in range(1200, 0, -1)]
    assert [len(page.json()["results"]) for page in pages] == [100] * 12  # 100 a page by default
    assert {page["X-Total-Count"] for page in pages} == {"1200"}
    first, second, last = pages[0].json(), pages[1].json(), pages[-1].json()
    assert first["previous"] is None and last["next"] is None
    assert second["previous"] is not None
    assert pages[0]["Link"] == (
        f'<{first["next"]}>; rel="next", '
        '<http://testserver/api/v1/ledger/?format=csv>; rel="alternate"; type="text/csv"'
    )
    assert pages[1]["Link"].startswith(
        f'<{second["next"]}>; rel="next", <{second["previous"]}>; rel="prev", '
    )
    assert walk_back(owner_api, last["previous"]) == rows[:1100]


def test_entries_that_share_their_time_are_each_returned_once(account_a, owner_api):
    account = account_a[0]
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                account=account,
                instrument=Instrument.CASH,
                amount=Decimal("1.00"),
                balance_after=Decimal(n),
                kind=EntryKind.CASH_CREDIT,
                reference=f"same time {n}",
                created_at=START,
            )
            for n in range(1, 351)
        ]
    )
    rows, pages = walk(owner_api, f"{LEDGER}?page_size=100")
    expected = list(
        LedgerEntry.objects.filter(account=account).order_by("-pk").values_list("pk", flat=True)
    )
    assert [row["id"] for row in rows] == expected and len(expected) == 350
    assert len(pages) == 4


def test_walking_next_over_600_orders_returns_each_once_newest_first(account_a, owner_api):
    account = account_a[0]
    moments = [START + timedelta(minutes=n // 3) for n in range(600)]  # three orders a minute
    ids = orders_for(account, moments)
    rows, pages = walk(owner_api, f"{ORDERS}?page_size=250")
    assert [row["id"] for row in rows] == newest_first(list(zip(moments, ids, strict=True)))
    assert [len(page.json()["results"]) for page in pages] == [250, 250, 100]
    assert {page["X-Total-Count"] for page in pages} == {"600"}
    assert set(rows[0]) == {
        "id",
        "kind",
        "status",
        "total",
        "lines",
        "payment",
        "subscription",
        "created_at",
        "paid_at",
    }
    assert rows[0]["lines"] == [
        {"description": "Prepaid card", "quantity": 1, "unit_price": "100.00", "amount": "100.00"}
    ]


def test_walking_next_over_450_daily_bills_returns_each_once_newest_day_first(account_a, owner_api):
    account = account_a[0]
    workspace = make_workspace(account, name="Busy", commercial=True)
    other = make_workspace(account, name="Other", commercial=True)
    days = [date(2025, 1, 1) + timedelta(days=n) for n in range(450)]
    bills_for(workspace, days)
    bills_for(other, days[:50])
    rows, pages = walk(owner_api, f"/api/v1/workspaces/{workspace.pk}/daily-bills/")
    assert [row["date"] for row in rows] == [day.isoformat() for day in reversed(days)]
    assert {row["workspace"] for row in rows} == {workspace.pk}
    assert len(pages) == 5 and {page["X-Total-Count"] for page in pages} == {"450"}
    assert rows[0]["lines"][0]["item"] == "task_calls"
    ranged, _ = walk(
        owner_api,
        f"/api/v1/workspaces/{workspace.pk}/daily-bills/"
        "?date_from=2025-02-01&date_to=2025-03-31&page_size=7",
    )
    assert [row["date"] for row in ranged] == [
        (date(2025, 3, 31) - timedelta(days=n)).isoformat() for n in range(59)
    ]


def test_a_row_added_between_two_pages_is_neither_skipped_nor_repeated(account_a, owner_api):
    account = account_a[0]
    add_entries(account, 300)  # one a minute from START: "remittance 300" is the newest
    first = owner_api.get(f"{LEDGER}?page_size=100").json()
    # one newer than all (before the walk's start) and one among the rows not yet walked
    LedgerEntry.objects.create(
        account=account,
        instrument=Instrument.CASH,
        amount=Decimal("1.00"),
        balance_after=Decimal("301.00"),
        kind=EntryKind.CASH_CREDIT,
        reference="newest",
        created_at=START + timedelta(minutes=301),
    )
    LedgerEntry.objects.create(
        account=account,
        instrument=Instrument.CASH,
        amount=Decimal("1.00"),
        balance_after=Decimal("51.00"),
        kind=EntryKind.CASH_CREDIT,
        reference="between 50 and 51",
        created_at=START + timedelta(minutes=50, seconds=30),
    )
    rest, _ = walk(owner_api, first["next"])
    references = [row["reference"] for row in first["results"] + rest]
    expected = [f"remittance {n}" for n in range(300, 0, -1)]
    expected.insert(expected.index("remittance 50"), "between 50 and 51")
    assert references == expected
    # an order placed while a client walks the history does not shift its pages either
    ids = orders_for(account, [START + timedelta(minutes=n) for n in range(5)])
    page = owner_api.get(f"{ORDERS}?page_size=2").json()
    fund_cash(account, "100.00", START + timedelta(days=1))
    placed = place(
        account,
        {"kind": "prepaid_card", "face_value": "100.00"},
        cash("100.00"),
        now=START + timedelta(days=1),
    )
    rest, _ = walk(owner_api, page["next"])
    assert [row["id"] for row in page["results"] + rest] == ids[::-1]
    assert owner_api.get(ORDERS).json()["results"][0]["id"] == placed.pk


# --- filters of the order history ------------------------------------------------------------


def test_the_order_history_filters_by_kind_status_and_billing_day(account_a, owner_api):
    account = account_a[0]
    late_march_1 = datetime(2026, 3, 1, 23, 59, tzinfo=SHANGHAI)
    march_2 = datetime(2026, 3, 2, 0, 0, tzinfo=SHANGHAI)
    march_3 = datetime(2026, 3, 3, 12, 0, tzinfo=SHANGHAI)
    [card_1, card_2, card_3] = orders_for(account, [late_march_1, march_2, march_3])
    [renewal_2, renewal_3] = orders_for(account, [march_2, march_3], kind=OrderKind.RENEWAL)

    def ids(query: str) -> list[int]:
        rows, _ = walk(owner_api, f"{ORDERS}?page_size=1&{query}")  # filters stay in `next`
        return [row["id"] for row in rows]

    assert ids("kind=renewal") == [renewal_3, renewal_2]
    assert ids("kind=prepaid_card") == [card_3, card_2, card_1]
    assert ids("status=paid") == [renewal_3, card_3, renewal_2, card_2, card_1]
    assert ids("date_from=2026-03-02&date_to=2026-03-02") == [renewal_2, card_2]
    assert ids("date_to=2026-03-01") == [card_1]
    assert ids("date_from=2026-03-03") == [renewal_3, card_3]
    assert ids("kind=prepaid_card&date_from=2026-03-02") == [card_3, card_2]
    assert ids("kind=upgrade") == []
    assert ids("kind=&status=&date_from=&date_to=") == ids("")  # empty is no filter
    assert owner_api.get(f"{ORDERS}?kind=renewal")["X-Total-Count"] == "2"


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("kind=bananas", "kind", "unknown_kind"),
        ("status=refunded", "status", "unknown_status"),
        ("date_from=2026-02-30", "date_from", "invalid_date"),
        ("date_to=20260301", "date_to", "invalid_date"),
        ("date_to=9999-12-31", "date_to", "date_out_of_range"),
        ("date_from=2026-03-02&date_to=2026-03-01", "date_from", "invalid_range"),
    ],
)
def test_a_bad_order_filter_is_a_400_naming_it(owner_api, query, field, code):
    assert_error(owner_api.get(f"{ORDERS}?{query}"), field, code)


# --- bad page sizes and cursors ---------------------------------------------------------------


@pytest.fixture
def lists(account_a):
    workspace = make_workspace(account_a[0], name="Lists", commercial=True)
    return [LEDGER, ORDERS, f"/api/v1/workspaces/{workspace.pk}/daily-bills/"]


@pytest.mark.parametrize("size", ["0", "-1", "1001", "abc", "1.5", "1e3", " 10", "99999999999"])
def test_a_page_size_outside_1_to_1000_is_a_400_naming_it(owner_api, lists, size):
    for url in lists:
        assert_error(owner_api.get(url, {"page_size": size}), "page_size", "invalid_page_size")


def test_page_sizes_from_1_to_1000_are_taken(account_a, owner_api):
    add_entries(account_a[0], 1001)
    for size, shown in [("1", 1), ("1000", 1000), ("", 100)]:
        body = owner_api.get(LEDGER, {"page_size": size}).json()
        assert len(body["results"]) == shown and body["next"] is not None


def _tampered(cursor: str) -> str:
    """The cursor with another position and the old signature."""
    payload, signature = cursor.rsplit(":", 1)
    text = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    text = re.sub(r"([0-9]+)\]", lambda match: f"{int(match[1]) + 1}]", text)
    forged = base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
    return f"{forged}:{signature}"


def _cursor_of(url: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(url).query)["cursor"][0]


def test_a_cursor_the_server_did_not_write_is_a_400_naming_it(account_a, owner_api, lists):
    account = account_a[0]
    add_entries(account, 3)
    cursor = _cursor_of(owner_api.get(f"{LEDGER}?page_size=1").json()["next"])
    assert owner_api.get(LEDGER, {"cursor": cursor}).status_code == 200
    bad = ["garbage", "abc:def", "%%%", "🙂", "x" * 2000, _tampered(cursor), cursor[:-1]]
    for url in lists:
        for given in bad:
            assert_error(owner_api.get(url, {"cursor": given}), "cursor", "invalid_cursor")


def test_a_cursor_of_another_list_in_another_order_is_a_400(account_a, owner_api):
    account = account_a[0]
    workspace = make_workspace(account, name="Two days", commercial=True)
    bills_for(workspace, [date(2026, 3, 1), date(2026, 3, 2)])
    bills = f"/api/v1/workspaces/{workspace.pk}/daily-bills/"
    cursor = _cursor_of(owner_api.get(f"{bills}?page_size=1").json()["next"])
    assert owner_api.get(bills, {"cursor": cursor}).json()["results"][0]["date"] == "2026-03-01"
    for url in (LEDGER, ORDERS):  # (day, workspace, id) is not a place in (time, id)
        assert_error(owner_api.get(url, {"cursor": cursor}), "cursor", "invalid_cursor")


# --- accounts ---------------------------------------------------------------------------------


def test_another_accounts_rows_never_appear(account_a, account_b, owner_api):
    mine, theirs = account_a[0], account_b[0]
    add_entries(mine, 5)
    add_entries(theirs, 7, reference=lambda n: f"theirs {n}")
    my_orders = orders_for(mine, [START + timedelta(minutes=n) for n in range(3)])
    orders_for(theirs, [START + timedelta(minutes=n) for n in range(4)])
    their_workspace = make_workspace(theirs, name="Theirs", commercial=True)
    bills_for(their_workspace, [date(2026, 3, 1), date(2026, 3, 2)])
    ledger, _ = walk(owner_api, f"{LEDGER}?page_size=2")
    assert [row["reference"] for row in ledger] == [f"remittance {n}" for n in range(5, 0, -1)]
    orders, _ = walk(owner_api, f"{ORDERS}?page_size=2")
    assert [row["id"] for row in orders] == my_orders[::-1]
    response = owner_api.get(f"/api/v1/workspaces/{their_workspace.pk}/daily-bills/")
    assert response.status_code == 404
    # their cursor is only a place in the order: with it, still only my rows
    their_api = Client()
    their_api.force_login(account_b[1])
    their_next = their_api.get(f"{LEDGER}?page_size=1").json()["next"]
    rows, _ = walk(owner_api, their_next)
    assert {row["reference"] for row in rows} <= {f"remittance {n}" for n in range(1, 6)}


# --- the schema --------------------------------------------------------------------------------


def test_the_schema_describes_the_pages_and_their_parameters(owner_api):
    schema = owner_api.get("/api/schema/", {"format": "json"}).json()
    page = schema["components"]["schemas"]["PaginatedOrderList"]
    assert page["required"] == ["next", "previous", "results"]
    assert page["properties"]["results"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Order"},
    }
    assert page["properties"]["next"]["nullable"] is True
    for path, component in [
        ("/api/v1/orders/", "PaginatedOrderList"),
        ("/api/v1/ledger/", "PaginatedLedgerEntryList"),
        ("/api/v1/workspaces/{workspace_id}/daily-bills/", "PaginatedDailyBillList"),
    ]:
        operation = schema["paths"][path]["get"]
        parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
        assert parameters["page_size"]["schema"] == {
            "type": "integer",
            "minimum": 1,
            "maximum": 1000,
            "default": 100,
        }
        assert parameters["cursor"]["schema"] == {"type": "string"}
        ok = operation["responses"]["200"]
        assert ok["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{component}"
        }
        assert set(ok["headers"]) == {"X-Total-Count", "Link"}
    orders = schema["paths"]["/api/v1/orders/"]["get"]["parameters"]
    enums = {p["name"]: p["schema"].get("enum") for p in orders}
    assert set(enums["kind"]) == set(OrderKind.values)
    assert enums["status"] == ["paid"]
    ledger = schema["paths"]["/api/v1/ledger/"]["get"]["responses"]["200"]["content"]
    assert ledger["text/csv"]["schema"] == {"type": "string"}
    post = schema["paths"]["/api/v1/orders/"]["post"]
    assert post["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Order"
    }
    assert "cursor" not in {p["name"] for p in post.get("parameters", [])}


# --- pages -------------------------------------------------------------------------------------


@pytest.fixture
def page(account_a):
    client = Client()
    client.force_login(account_a[1])
    return client


def references_on(html: str) -> list[str]:
    return re.findall(r'<span class="muted small">(remittance [0-9]+)</span>', html)


def test_the_ledger_pages_link_to_each_other_and_show_every_entry_once(account_a, page):
    add_entries(account_a[0], 2718)
    first = page.get("/ledger/?instrument=cash").content.decode()
    assert "Showing the first 1,000 of 2,718 entries." in first
    assert 'href="?instrument=cash&amp;page=2" rel="next">Older →</a>' in first
    assert 'href="?instrument=cash&amp;page=3"' in first and 'rel="prev"' not in first
    second = page.get("/ledger/?instrument=cash&page=2").content.decode()
    assert "Showing entries 1,001 to 2,000 of 2,718." in second
    assert 'href="?instrument=cash" rel="prev">← Newer</a>' in second
    assert 'href="?instrument=cash&amp;page=3" rel="next">' in second
    assert 'href="?instrument=cash&format=csv"' in second  # the CSV of all, not of a page
    third = page.get("/ledger/?instrument=cash&page=3").content.decode()
    assert "Showing entries 2,001 to 2,718 of 2,718." in third and 'rel="next"' not in third
    shown = references_on(first) + references_on(second) + references_on(third)
    assert shown == [f"remittance {n}" for n in range(2718, 0, -1)]
    for odd in ("abc", "0", "-3", "²", "1e3"):  # not a page: the first, never an error
        assert references_on(page.get(f"/ledger/?page={odd}").content.decode())[0] == (
            "remittance 2718"
        )
    assert references_on(page.get("/ledger/?page=99").content.decode())[-1] == "remittance 1"
    small = page.get("/ledger/?date_from=2026-03-03").content.decode()  # 379 entries: one page
    assert 'data-testid="pager"' not in small and "Showing" not in small


def test_the_ledger_pages_are_in_chinese(account_a, page):
    add_entries(account_a[0], 1001)
    html = page.get("/ledger/?page=2", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "显示第 1,001 至 1,001 条，共 1,001 条。" in html
    assert "← 较新" in html


def test_the_home_page_says_it_shows_ten_packages_and_links_to_the_others(account_a, page):
    account = account_a[0]
    today = billing_day(timezone.now())
    starts = [today - timedelta(days=n) for n in range(12)]
    subscriptions = [
        subscribe(account, [make_workspace(account, name=f"p{n}", commercial=True)], start=start)
        for n, start in enumerate(starts)
    ]
    first = page.get("/").content.decode()
    assert "Showing packages 1 to 10 of 12 current ones." in first
    assert 'href="?packages=2" rel="next">' in first
    shown = re.findall(r'href="/packages/([0-9]+)/"', first)
    assert shown == [str(s.pk) for s in subscriptions[:10]]
    second = page.get("/?packages=2").content.decode()
    assert "Showing packages 11 to 12 of 12 current ones." in second
    assert re.findall(r'href="/packages/([0-9]+)/"', second) == [
        str(s.pk) for s in subscriptions[10:]
    ]
