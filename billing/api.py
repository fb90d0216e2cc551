"""REST API of the billing layer: the monthly statement."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from billing.selectors import statement_for
from common.api import CSV_FORMAT, CSVDownloadMixin, MoneyField, wants_csv
from common.csv_export import csv_response
from common.dates import billing_day, parse_month
from workspaces.api import ACCOUNT_HEADER, AccountScopedAPIView
from workspaces.selectors import membership_require_billing


class StatementSerializer(serializers.Serializer):
    month = serializers.SerializerMethodField()
    payg_charged = MoneyField()
    paid_by_vouchers = MoneyField()
    paid_by_cards = MoneyField()
    paid_by_cash = MoneyField()
    left_in_arrears = MoneyField()
    orders_total = MoneyField()
    orders_count = serializers.IntegerField()
    arrears_at_month_end = MoneyField()
    final = serializers.SerializerMethodField()

    def get_month(self, statement) -> str:
        return f"{statement.month:%Y-%m}"

    def get_final(self, statement) -> bool:
        return statement.pk is not None


class StatementView(CSVDownloadMixin, AccountScopedAPIView):
    @extend_schema(
        parameters=[
            ACCOUNT_HEADER,
            OpenApiParameter("month", str, description="YYYY-MM (default: this month)"),
            CSV_FORMAT,
        ],
        responses={200: StatementSerializer},
    )
    def get(self, request: Request) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        now = timezone.now()
        month = parse_month(request.query_params.get("month"), field="month") or billing_day(
            now
        ).replace(day=1)
        data = StatementSerializer(
            statement_for(account=membership.account, month=month, now=now)
        ).data
        if wants_csv(request):
            return csv_response(f"statement-{data['month']}.csv", ["field", "value"], data.items())
        return Response(data)
