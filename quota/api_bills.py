"""REST API of daily bills: a workspace's bills with their lines and adjustments (paginated,
or every one as CSV)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import CSV_FORMAT, CSVDownloadMixin, MoneyField, PriceField, wants_csv
from common.csv_export import CSV_CHUNK_SIZE, csv_response
from common.dates import parse_day
from common.exceptions import InvalidInput
from common.pagination import PAGE_HEADERS, CSVCursorPage, CursorPaginatedMixin, page_or_csv
from quota.models import BILL_LINE_COLUMNS, NO_RETENTION
from quota.selectors import daily_bill_list
from workspaces.api import ACCOUNT_HEADER, AccountScopedAPIView
from workspaces.selectors import membership_require_billing, workspace_get


class BillLineSerializer(serializers.Serializer):
    item = serializers.CharField(source="item.code")
    retention_days = serializers.SerializerMethodField()
    quantity = serializers.IntegerField()
    converted_quantity = serializers.IntegerField()
    plan_covered = serializers.IntegerField()
    traffic_covered = serializers.IntegerField()
    payg_quantity = serializers.IntegerField()
    unit_price = PriceField()
    amount = MoneyField()
    reason = serializers.CharField()

    def get_retention_days(self, line) -> int | None:
        return None if line.retention_days == NO_RETENTION else line.retention_days


class BillAdjustmentSerializer(serializers.Serializer):
    """A debit (+) or credit (−) on the bill (SPEC 6.1), or a re-rating's difference (6.2)."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    item = serializers.CharField(source="item.code", allow_null=True, default=None)
    retention_days = serializers.SerializerMethodField()
    quantity_delta = serializers.IntegerField()
    converted_delta = serializers.IntegerField()
    plan_covered_delta = serializers.IntegerField()
    traffic_covered_delta = serializers.IntegerField()
    payg_quantity_delta = serializers.IntegerField()
    amount = MoneyField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    settled_on = serializers.DateField()

    def get_retention_days(self, adjustment) -> int | None:
        retention = adjustment.retention_days
        return None if retention in (None, NO_RETENTION) else retention


class DailyBillSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    workspace = serializers.IntegerField(source="workspace_id")
    date = serializers.DateField(source="day")
    subscription = serializers.IntegerField(source="subscription_id", allow_null=True)
    total = MoneyField()
    lines = BillLineSerializer(many=True)
    adjustments = BillAdjustmentSerializer(many=True)
    amount_due = MoneyField(help_text="total + adjustments: what the customer owes for the bill")


# The CSV of bills: a row a line, then a row an adjustment (its changes in the line's columns).
BILL_CSV_COLUMNS = ["date", "workspace", "subscription", *BILL_LINE_COLUMNS, "adjustment"]
ADJUSTMENT_AS_LINE = {
    "item": "item",
    "retention_days": "retention_days",
    "quantity": "quantity_delta",
    "converted_quantity": "converted_delta",
    "plan_covered": "plan_covered_delta",
    "traffic_covered": "traffic_covered_delta",
    "payg_quantity": "payg_quantity_delta",
    "amount": "amount",
}


def bill_csv_rows(bill: dict):
    """The CSV rows of one serialized bill."""
    head = [bill["date"], bill["workspace"], bill["subscription"]]
    for line in bill["lines"]:
        yield [*head, *[line[c] for c in BILL_LINE_COLUMNS], ""]
    for adjustment in bill["adjustments"]:
        values = [adjustment.get(ADJUSTMENT_AS_LINE.get(c, ""), "") for c in BILL_LINE_COLUMNS]
        yield [*head, *values, adjustment["reason"]]


class WorkspaceDailyBillsView(CSVDownloadMixin, CursorPaginatedMixin, AccountScopedAPIView):
    pagination_class = CSVCursorPage

    @extend_schema(
        parameters=[
            ACCOUNT_HEADER,
            CSV_FORMAT,
            OpenApiParameter("date_from", str, description="YYYY-MM-DD"),
            OpenApiParameter("date_to", str, description="YYYY-MM-DD"),
            *PAGE_HEADERS,
        ],
        responses=page_or_csv(DailyBillSerializer),
    )
    def get(self, request: Request, workspace_id: int) -> Response:
        membership = self.get_membership()
        workspace = workspace_get(account=membership.account, workspace_id=workspace_id)
        membership_require_billing(membership=membership)
        date_from = parse_day(request.query_params.get("date_from"), field="date_from")
        date_to = parse_day(request.query_params.get("date_to"), field="date_to")
        if date_from and date_to and date_from > date_to:
            raise InvalidInput(
                _("date_from must not be after date_to."), field="date_from", code="invalid_range"
            )
        bills = daily_bill_list(
            account=membership.account,
            workspace_id=workspace.pk,
            date_from=date_from,
            date_to=date_to,
        )
        if wants_csv(request):
            bill_data = DailyBillSerializer().to_representation  # one serializer for every bill
            rows = (
                row
                for bill in map(bill_data, bills.iterator(chunk_size=CSV_CHUNK_SIZE))
                for row in bill_csv_rows(bill)
            )
            return csv_response(f"daily-bills-{workspace.pk}.csv", BILL_CSV_COLUMNS, rows)
        return self.paginated_response(bills, DailyBillSerializer)
