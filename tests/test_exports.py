"""Clean exports: no formula reaches a spreadsheet through a CSV, and a CSV has every row of its
filter (pages and API); a page or API list that shows only part of it says so."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from packages.models import BillingItem
from quota.models import NO_RETENTION, BillingRun, DailyBill, DailyBillLine, RunStatus
from tests.factories import make_workspace
from wallet.models import EntryKind, Instrument, LedgerEntry
from wallet.services.instruments import voucher_issue

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://x","y")', "=1+1", "+cmd", "@SUM(A1)", "\tx", "-cmd", "\rx"]
START = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.get_fixed_timezone(480))


def rows_of(response) -> list[list[str]]:
    """The CSV body without its BOM, as rows of cells (the header first)."""
    assert isinstance(response, StreamingHttpResponse), "a CSV download is streamed"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.fixture
def page(account_a):
    client = Client()
    client.force_login(account_a[1])
    return client


def add_entries(account, count: int, *, reference=lambda n: f"remittance {n}", amount="1.00"):
    """`count` cash entries, one a minute from START, with a consistent running balance."""
    step = Decimal(amount)
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                account=account,
                instrument=Instrument.CASH,
                amount=step,
                balance_after=step * n,
                kind=EntryKind.CASH_CREDIT if step > 0 else EntryKind.ORDER_PAYMENT,
                reference=reference(n),
                created_at=START + timedelta(minutes=n),
            )
            for n in range(1, count + 1)
        ],
        batch_size=2000,
    )


def add_bill(workspace, day: date, amount: str = "1.50") -> DailyBill:
    run, _ = BillingRun.objects.get_or_create(day=day, defaults={"status": RunStatus.DONE})
    bill = DailyBill.objects.create(
        workspace=workspace, account=workspace.account, day=day, total=Decimal(amount), run=run
    )
    DailyBillLine.objects.create(
        bill=bill,
        item=BillingItem.objects.get(code="task_calls"),
        retention_days=NO_RETENTION,
        quantity=15_000,
        converted_quantity=15_000,
        payg_quantity=15_000,
        unit_price=Decimal("1.00"),
        amount=Decimal(amount),
    )
    return bill


# --- one writer: formulas neutralised, numbers kept -----------------------------------------


def cell(value):
    from common.csv_export import csv_cell  # imported here: the module is new

    return csv_cell(value)


@pytest.mark.parametrize("text", [*FORMULAS, "-15.00x", "- 15", "-1+2", "+1e5", "@"])
def test_a_cell_that_starts_a_formula_gets_a_quote_in_front(text):
    assert cell(text) == "'" + text


@pytest.mark.parametrize("value", ["-15.00", "+3", "15.00", "0", "-0.000001", Decimal("-15.00"), 7])
def test_a_plain_number_stays_a_number(value):
    assert cell(value) == value


@pytest.mark.parametrize("text", ["Alpha", "a=1", "", "2026-06-11", "1+1", " =1"])
def test_other_text_is_unchanged(text):
    assert cell(text) == text


def test_the_writer_streams_a_generator_with_bom_header_and_every_row():
    from common.csv_export import csv_response

    response = csv_response("x.csv", ["a", "b"], ([n, f"=n{n}"] for n in range(100_000)))
    assert response.streaming
    rows = rows_of(response)
    assert rows[0] == ["a", "b"]
    assert len(rows) == 100_001
    assert rows[-1] == ["99999", "'=n99999"]
    assert response.content == response.content  # read whole (tests), twice: the same body


# --- consumption details: workspace names ----------------------------------------------------


def test_workspace_names_that_start_a_formula_are_neutralised_in_the_consumption_csv(
    account_a, page
):
    account, _owner = account_a
    day = date(2026, 6, 10)
    for name in FORMULAS[:5]:
        add_bill(make_workspace(account, name=name), day)
    add_bill(make_workspace(account, name="Plain"), day, amount="-15.00")  # a correction
    rows = rows_of(page.get(f"/bills/?date_from={day}&date_to={day}&format=csv"))
    assert rows[0][:3] == ["date", "workspace", "item"]
    amount = rows[0].index("amount")
    amounts = {row[1]: row[amount] for row in rows[1:]}
    assert amounts == {**{"'" + name: "1.50" for name in FORMULAS[:5]}, "Plain": "-15.00"}


# --- the ledger: references and negative amounts ----------------------------------------------


def _ledger_with_formulas(account):
    add_entries(account, 1, reference=lambda n: "=1+1")
    LedgerEntry.objects.create(
        account=account,
        instrument=Instrument.CASH,
        amount=Decimal("-15.00"),
        balance_after=Decimal("-14.00"),
        kind=EntryKind.ORDER_PAYMENT,
        reference="-cmd",
        created_at=START + timedelta(hours=1),
    )


def test_the_ledger_csv_of_the_page_neutralises_references_and_keeps_negative_amounts(
    account_a, page
):
    _ledger_with_formulas(account_a[0])
    rows = rows_of(page.get("/ledger/?format=csv"))
    header, newest, oldest = rows[0], rows[1], rows[2]
    amount, reference = header.index("amount"), header.index("reference")
    assert (newest[amount], newest[reference]) == ("-15.00", "'-cmd")
    assert newest[header.index("balance_after")] == "-14.00"
    assert (oldest[amount], oldest[reference]) == ("1.00", "'=1+1")


def test_the_ledger_csv_of_the_api_neutralises_references_and_keeps_negative_amounts(
    account_a, owner_api
):
    _ledger_with_formulas(account_a[0])
    rows = rows_of(owner_api.get("/api/v1/ledger/?format=csv"))
    header, newest, oldest = rows[0], rows[1], rows[2]
    amount, reference = header.index("amount"), header.index("reference")
    assert (newest[amount], newest[reference]) == ("-15.00", "'-cmd")
    assert (oldest[amount], oldest[reference]) == ("1.00", "'=1+1")


# --- no silent caps -----------------------------------------------------------------------------


def test_the_ledger_csv_of_the_page_has_every_entry_newest_first(account_a, page):
    add_entries(account_a[0], 2718)
    with CaptureQueriesContext(connection) as queries:
        response = page.get("/ledger/?format=csv")
    assert not [q for q in queries if "wallet_ledgerentry" in q["sql"]], "read while sent"
    rows = rows_of(response)
    assert len(rows) == 1 + 2718
    reference = rows[0].index("reference")
    assert [rows[1][reference], rows[-1][reference]] == ["remittance 2718", "remittance 1"]
    assert [row[reference] for row in rows[1:]] == [f"remittance {n}" for n in range(2718, 0, -1)]
    # one a minute from 09:01 on March 1st (+08:00): March 3rd starts with the 2,340th
    assert len(rows_of(page.get("/ledger/?date_from=2026-03-03&format=csv"))) == 1 + 379


def test_the_ledger_csv_of_the_api_has_every_entry_newest_first(account_a, owner_api):
    add_entries(account_a[0], 5001)  # the JSON list had 5,000 before it came in pages
    rows = rows_of(owner_api.get("/api/v1/ledger/?format=csv"))
    assert len(rows) == 1 + 5001
    reference = rows[0].index("reference")
    assert [row[reference] for row in rows[1:]] == [f"remittance {n}" for n in range(5001, 0, -1)]
    balance = rows[0].index("balance_after")
    assert (rows[1][balance], rows[-1][balance]) == ("5001.00", "1.00")
    march_3 = owner_api.get("/api/v1/ledger/?date_from=2026-03-03&date_to=2026-03-03&format=csv")
    assert len(rows_of(march_3)) == 1 + 1440


def test_the_daily_bills_csv_of_the_api_has_every_bill_newest_first(
    account_a, owner_api, monkeypatch
):
    monkeypatch.setattr(
        "quota.api.CSV_CHUNK_SIZE", 50, raising=False
    )  # bills and lines read in 9 chunks
    workspace = make_workspace(account_a[0], name="Busy", commercial=True)
    days = [date(2025, 1, 1) + timedelta(days=n) for n in range(401)]  # JSON had 400 (now paged)
    runs = BillingRun.objects.bulk_create(
        [BillingRun(day=day, status=RunStatus.DONE) for day in days]
    )
    bills = DailyBill.objects.bulk_create(
        [
            DailyBill(workspace=workspace, account=workspace.account, day=run.day, total=1, run=run)
            for run in runs
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
    rows = rows_of(owner_api.get(f"/api/v1/workspaces/{workspace.pk}/daily-bills/?format=csv"))
    assert len(rows) == 1 + 401
    assert [row[0] for row in rows[1:]] == [day.isoformat() for day in reversed(days)]


def test_the_consumption_csv_of_the_page_has_every_bill_of_the_range(account_a, page, monkeypatch):
    monkeypatch.setattr(
        "quota.views.CSV_CHUNK_SIZE", 100, raising=False
    )  # bills and lines read in 5 chunks
    account = account_a[0]
    workspaces = [make_workspace(account, name=f"ws {n}") for n in range(5)]
    first = date(2026, 1, 1)
    expected = {}
    for offset in range(81):  # 405 bills in 81 days
        day = first + timedelta(days=offset)
        for n, workspace in enumerate(workspaces):
            expected[(day.isoformat(), workspace.name)] = f"{offset + 1}.{n}0"
            add_bill(workspace, day, amount=expected[(day.isoformat(), workspace.name)])
    rows = rows_of(page.get("/bills/?date_from=2026-01-01&date_to=2026-03-22&format=csv"))
    assert len(rows) == 1 + 405
    amount = rows[0].index("amount")
    assert {(row[0], row[1]): row[amount] for row in rows[1:]} == expected  # each with its line
    assert rows[1][:2] == ["2026-03-22", "ws 0"] and rows[-1][:2] == ["2026-01-01", "ws 4"]


# --- a part says it is a part ----------------------------------------------------------------


def test_the_ledger_page_says_it_shows_the_first_1000_of_2718_and_links_to_the_csv(account_a, page):
    add_entries(account_a[0], 2718)
    html = page.get("/ledger/?instrument=cash").content.decode()
    assert "Showing the first 1,000 of 2,718 entries." in html
    assert 'href="?instrument=cash&format=csv"' in html
    assert html.count("<tr><td>") == 1000
    html = page.get("/ledger/?date_from=2026-03-03").content.decode()  # 379 entries: all shown
    assert html.count("<tr><td>") == 379 and "Showing the first" not in html


def test_a_paged_api_list_says_how_many_there_are_and_links_the_next_page_and_the_csv(
    account_a, owner_api
):
    add_entries(account_a[0], 5001)
    response = owner_api.get("/api/v1/ledger/?instrument=cash")
    body = response.json()
    assert len(body["results"]) == 100 and body["previous"] is None
    assert response["X-Total-Count"] == "5001"
    assert body["next"].startswith("http://testserver/api/v1/ledger/?cursor=")
    assert body["next"].endswith("&instrument=cash")
    assert response["Link"] == (
        f'<{body["next"]}>; rel="next", '
        '<http://testserver/api/v1/ledger/?format=csv&instrument=cash>; rel="alternate"; '
        'type="text/csv"'
    )
    small = owner_api.get("/api/v1/ledger/?date_to=2026-03-01&page_size=1000")
    assert small["X-Total-Count"] == str(len(small.json()["results"])) == "899"
    assert "Link" not in small and small.json()["next"] is None


# --- times in the billing time zone -----------------------------------------------------------


def test_csv_times_are_the_billing_time_zone_as_on_the_pages(account_a, page):
    """A voucher expiring 2027-02-06 07:11 in Shanghai is not 2027-02-05T23:11Z in the CSV."""
    account = account_a[0]
    issued = datetime(2026, 2, 5, 23, 11, tzinfo=UTC)
    voucher_issue(account_id=account.pk, amount="10.00", valid_days=365, now=issued)
    rows = rows_of(page.get("/wallet/?format=csv"))
    expires = rows[0].index("expires_at")
    assert rows[1][expires] == "2027-02-06T07:11:00+08:00"
    ledger = rows_of(page.get("/ledger/?format=csv"))
    assert ledger[1][ledger[0].index("created_at")] == "2026-02-06T07:11:00+08:00"


def test_page_csv_headers_follow_the_readers_language(account_a, page):
    """Every CSV header in both languages: a page's export names its columns in Chinese for a
    Chinese reader; in English the codes stay (programs and the API's CSVs read those)."""
    add_entries(account_a[0], 1)
    page.cookies["django_language"] = "zh-hans"
    header = rows_of(page.get("/ledger/?format=csv"))[0]
    assert header[:6] == ["时间", "支付方式", "支付工具编号", "金额", "变动后余额", "类型"]
    assert rows_of(page.get("/wallet/?format=csv"))[0][-2:] == ["到期时间", "状态"]
    page.cookies["django_language"] = "en"
    assert rows_of(page.get("/ledger/?format=csv"))[0][:2] == ["created_at", "instrument"]
