"""REST API: what each workspace of a shared package used and what covered it (today, yesterday,
the last days), the figures of the package page."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import MoneyField
from common.dates import billing_day
from common.exceptions import InvalidInput
from quota.selectors import subscription_get
from quota.workspace_usage import subscription_workspace_usage
from workspaces.api import ACCOUNT_HEADER, AccountScopedAPIView
from workspaces.selectors import membership_require_billing

DEFAULT_DAYS = 30
MAX_DAYS = 93  # as the consumption page


class UseFiguresSerializer(serializers.Serializer):
    used = serializers.IntegerField(help_text="Converted quantity")
    plan_covered = serializers.IntegerField()
    traffic_covered = serializers.IntegerField()
    payg_quantity = serializers.IntegerField()
    payg_amount = MoneyField()


class WorkspaceUseSerializer(serializers.Serializer):
    workspace = serializers.IntegerField(source="workspace_id")
    name = serializers.CharField()
    priority = serializers.IntegerField(
        allow_null=True, help_text="Place in today's order (1 first); null: no longer bound"
    )
    today = UseFiguresSerializer()
    yesterday = UseFiguresSerializer()
    last_days = UseFiguresSerializer()


class ItemWorkspaceUseSerializer(serializers.Serializer):
    item = serializers.CharField(source="item_code")
    name = serializers.CharField(source="item_name")
    workspaces = WorkspaceUseSerializer(many=True)


class SubscriptionWorkspaceUseSerializer(serializers.Serializer):
    date = serializers.DateField(source="today")
    yesterday_billed = serializers.BooleanField()
    days = serializers.IntegerField()
    date_from = serializers.DateField(source="first", allow_null=True)
    date_to = serializers.DateField(source="last", allow_null=True)
    items = ItemWorkspaceUseSerializer(many=True)


def parse_days(value) -> int:
    """The number of billed days to sum: 1 … 93, 30 when absent."""
    if value in (None, ""):
        return DEFAULT_DAYS
    if not (isinstance(value, str) and value.isdigit() and 1 <= int(value) <= MAX_DAYS):
        raise InvalidInput(
            _("Give a whole number of days from 1 to %(max)s.") % {"max": MAX_DAYS},
            field="days",
            code="invalid_days",
        )
    return int(value)


class SubscriptionWorkspaceUsageView(AccountScopedAPIView):
    @extend_schema(
        parameters=[
            ACCOUNT_HEADER,
            OpenApiParameter(
                "days", int, description="billed days before today to sum (1-93, default 30)"
            ),
        ],
        responses={200: SubscriptionWorkspaceUseSerializer},
    )
    def get(self, request: Request, subscription_id: int) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        subscription = subscription_get(account=membership.account, subscription_id=subscription_id)
        days = parse_days(request.query_params.get("days"))
        usage = subscription_workspace_usage(
            subscription=subscription, today=billing_day(timezone.now()), days=days
        )
        return Response(SubscriptionWorkspaceUseSerializer(usage).data)
