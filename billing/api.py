"""REST API of the billing layer: the monthly statement, one daily bill, and operators'
adjustments of bills."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.selectors import statement_for
from common.api import CSV_FORMAT, CSVDownloadMixin, MoneyField, wants_csv
from common.csv_export import csv_response
from common.dates import billing_day, parse_month
from common.exceptions import InvalidInput
from quota.api_bills import BillAdjustmentSerializer, DailyBillSerializer
from quota.selectors import daily_bill_list
from wallet.services.adjustments import bill_adjust
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
    orders_paid_by_cash = MoneyField()
    orders_paid_by_cards = MoneyField()
    orders_paid_by_vouchers = MoneyField()
    arrears_at_month_end = MoneyField()
    adjustments_debited = MoneyField()
    adjustments_credited = MoneyField()
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


class AdjustmentRequestSerializer(serializers.Serializer):
    """Documents the body; the service validates it (field and reason on every error)."""

    amount = serializers.CharField(help_text='"5.00" a debit, "-40.00" a credit')
    reason = serializers.CharField(max_length=500)
    item = serializers.CharField(required=False, allow_null=True)
    retention_days = serializers.IntegerField(required=False, allow_null=True)
    quantity_delta = serializers.IntegerField(required=False, allow_null=True)


class DailyBillView(AccountScopedAPIView):
    @extend_schema(parameters=[ACCOUNT_HEADER], responses={200: DailyBillSerializer})
    def get(self, request: Request, bill_id: int) -> Response:
        """One daily bill of the account, with its lines, adjustments and amount due."""
        membership = membership_require_billing(membership=self.get_membership())
        bill = daily_bill_list(account=membership.account).filter(pk=bill_id).first()
        if bill is None:
            raise NotFound()
        return Response(DailyBillSerializer(bill).data)


class BillAdjustmentCreateView(APIView):
    """Operators (staff) adjust a bill (SPEC 6.1): the same service as admin and adjust_bill."""

    permission_classes = [IsAdminUser]

    @extend_schema(
        request=AdjustmentRequestSerializer,
        responses={201: BillAdjustmentSerializer},
        operation_id="daily_bill_adjust",
    )
    def post(self, request: Request, bill_id: int) -> Response:
        body = request.data
        if not isinstance(body, dict):
            raise InvalidInput(_("Send a JSON object."), field="detail")
        adjustment = bill_adjust(
            bill_id=bill_id,
            amount=body.get("amount"),
            reason=body.get("reason"),
            item_code=body.get("item"),
            retention_days=body.get("retention_days"),
            quantity_delta=body.get("quantity_delta"),
            actor=request.user,
            now=timezone.now(),
        )
        return Response(BillAdjustmentSerializer(adjustment).data, status=status.HTTP_201_CREATED)
