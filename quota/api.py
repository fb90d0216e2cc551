"""REST API: metering, subscriptions (bindings, usage of a day), daily bills, workspaces."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import (
    MoneyField,
    StrictMoneyField,
)
from common.dates import billing_day, parse_day
from common.exceptions import InvalidInput
from quota.day_usage import subscription_usage_for_day
from quota.selectors import (
    spend_alert_list,
    subscription_get,
    subscription_list,
    subscription_view,
    workspace_subscriptions_on,
)
from quota.services import subscription_set_workspaces, usage_ingest
from quota.services.alerts import spend_alert_set
from quota.services.usage import MAX_BATCH
from workspaces import api as workspace_api
from workspaces.api import ACCOUNT_HEADER, AccountScopedAPIView
from workspaces.selectors import membership_require_billing, membership_require_owner


class CanIngestUsage(BasePermission):
    message = "Sending usage needs the ingest_usage permission."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and (user.is_staff or user.has_perm("workspaces.ingest_usage"))
        )


class UsageSampleSerializer(serializers.Serializer):
    """One hour of one item at one retention for one workspace (documentation of the body)."""

    workspace = serializers.IntegerField()
    item = serializers.CharField()
    retention_days = serializers.IntegerField(required=False, allow_null=True)
    hour = serializers.DateTimeField()
    quantity = serializers.IntegerField(min_value=0)


class UsageBatchSerializer(serializers.Serializer):
    samples = UsageSampleSerializer(many=True, max_length=MAX_BATCH, min_length=1)


class UsageAcceptedSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    late = serializers.IntegerField(help_text="Samples of days already billed: re-rated (6.2).")


class UsageIngestView(APIView):
    """Metering: a batch of up to 10,000 hourly samples, validated whole, stored all or nothing."""

    permission_classes = [CanIngestUsage]
    documents_conflict = True

    @extend_schema(
        request=UsageBatchSerializer,
        responses={200: UsageAcceptedSerializer},
        operation_id="usage_ingest",
    )
    def post(self, request: Request) -> Response:
        body = request.data
        if not isinstance(body, dict) or "samples" not in body:
            raise InvalidInput(_('Send {"samples": [...]}.'), field="samples")
        ingested = usage_ingest(samples=body["samples"], now=timezone.now())
        return Response({"accepted": ingested.accepted, "late": ingested.late})


class SubscriptionTrafficPackSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.CharField(source="item.code")
    capacity = serializers.IntegerField()
    daily_price = MoneyField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class SubscriptionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="subscription.pk")
    plan = serializers.CharField(source="plan.code")
    start_date = serializers.DateField(source="subscription.start_date")
    end_date = serializers.DateField(source="subscription.end_date")
    status = serializers.CharField()
    workspaces = serializers.ListField(child=serializers.IntegerField(), source="workspace_ids")
    pending_workspaces = serializers.ListField(
        child=serializers.IntegerField(), source="pending_workspace_ids", allow_null=True
    )
    pending_from = serializers.DateField(allow_null=True)
    traffic_packs = SubscriptionTrafficPackSerializer(many=True, source="packs")
    renewal_of = serializers.IntegerField(source="subscription.renewal_of_id", allow_null=True)


class SubscriptionListView(AccountScopedAPIView):
    @extend_schema(
        parameters=[ACCOUNT_HEADER], responses={200: SubscriptionOutputSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        today = billing_day(timezone.now())
        views = [
            subscription_view(subscription=s, today=today)
            for s in subscription_list(account=membership.account)
        ]
        return Response(SubscriptionOutputSerializer(views, many=True).data)


class SubscriptionDetailView(AccountScopedAPIView):
    @extend_schema(parameters=[ACCOUNT_HEADER], responses={200: SubscriptionOutputSerializer})
    def get(self, request: Request, subscription_id: int) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        subscription = subscription_get(account=membership.account, subscription_id=subscription_id)
        view = subscription_view(subscription=subscription, today=billing_day(timezone.now()))
        return Response(SubscriptionOutputSerializer(view).data)


class SubscriptionWorkspacesView(AccountScopedAPIView):
    documents_conflict = True

    class WorkspaceOrderSerializer(serializers.Serializer):
        workspaces = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
            min_length=1,
            max_length=500,
        )

    class WorkspaceOrderChangedSerializer(serializers.Serializer):
        workspaces = serializers.ListField(child=serializers.IntegerField())
        effective_from = serializers.DateField()

    @extend_schema(
        parameters=[ACCOUNT_HEADER],
        request=WorkspaceOrderSerializer,
        responses={200: WorkspaceOrderChangedSerializer},
    )
    def put(self, request: Request, subscription_id: int) -> Response:
        membership = self.get_membership()
        subscription = subscription_get(account=membership.account, subscription_id=subscription_id)
        membership_require_owner(membership=membership)
        given = self.WorkspaceOrderSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        effective_from = subscription_set_workspaces(
            subscription=subscription,
            workspace_ids=given.validated_data["workspaces"],
            today=billing_day(timezone.now()),
            actor=request.user,
        )
        return Response(
            {"workspaces": given.validated_data["workspaces"], "effective_from": effective_from}
        )


class ItemUsageSerializer(serializers.Serializer):
    item = serializers.CharField(source="item_code")
    name = serializers.CharField(source="item_name")
    quota = serializers.IntegerField()
    traffic_capacity = serializers.IntegerField()
    used = serializers.IntegerField()
    plan_covered = serializers.IntegerField()
    traffic_covered = serializers.IntegerField()
    remaining = serializers.IntegerField()
    payg_quantity = serializers.IntegerField()
    payg_amount = MoneyField()


class SubscriptionUsageSerializer(serializers.Serializer):
    date = serializers.DateField()
    billed = serializers.BooleanField()
    items = ItemUsageSerializer(many=True)


class SubscriptionUsageView(AccountScopedAPIView):
    @extend_schema(
        parameters=[
            ACCOUNT_HEADER,
            OpenApiParameter(
                "date", str, description="YYYY-MM-DD; default today (live, not yet billed)"
            ),
        ],
        responses={200: SubscriptionUsageSerializer},
    )
    def get(self, request: Request, subscription_id: int) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        subscription = subscription_get(account=membership.account, subscription_id=subscription_id)
        day = parse_day(request.query_params.get("date"), field="date") or billing_day(
            timezone.now()
        )
        if not subscription.start_date <= day <= subscription.end_date:
            raise InvalidInput(
                _("The subscription runs from %(start)s to %(end)s.")
                % {"start": subscription.start_date, "end": subscription.end_date},
                field="date",
            )
        billed, items = subscription_usage_for_day(subscription=subscription, day=day)
        return Response(
            SubscriptionUsageSerializer({"date": day, "billed": billed, "items": items}).data
        )


class WorkspaceWithSubscriptionSerializer(workspace_api.WorkspaceOutputSerializer):
    subscription = serializers.SerializerMethodField()

    class Meta(workspace_api.WorkspaceOutputSerializer.Meta):
        fields = [*workspace_api.WorkspaceOutputSerializer.Meta.fields, "subscription"]

    def get_subscription(self, workspace) -> int | None:
        return self.context["subscriptions"].get(workspace.pk)


def _subscription_context(workspaces) -> dict:
    ids = [workspace.pk for workspace in workspaces]
    return {
        "subscriptions": workspace_subscriptions_on(
            workspace_ids=ids, day=billing_day(timezone.now())
        )
    }


@extend_schema_view(
    get=extend_schema(responses={200: WorkspaceWithSubscriptionSerializer(many=True)}),
    post=extend_schema(responses={201: WorkspaceWithSubscriptionSerializer}),
)
class WorkspaceListCreateView(workspace_api.WorkspaceListCreateView):
    """Workspaces with the subscription each is bound to today."""

    output_serializer = WorkspaceWithSubscriptionSerializer
    context_for = staticmethod(_subscription_context)


@extend_schema_view(get=extend_schema(responses={200: WorkspaceWithSubscriptionSerializer}))
class WorkspaceDetailView(workspace_api.WorkspaceDetailView):
    output_serializer = WorkspaceWithSubscriptionSerializer
    context_for = staticmethod(_subscription_context)


@extend_schema_view(post=extend_schema(responses={200: WorkspaceWithSubscriptionSerializer}))
class WorkspaceUpgradeView(workspace_api.WorkspaceUpgradeView):
    output_serializer = WorkspaceWithSubscriptionSerializer
    context_for = staticmethod(_subscription_context)


class SpendAlertSerializer(serializers.Serializer):
    workspace = serializers.IntegerField(source="workspace_id")
    item = serializers.CharField(source="item.code")
    threshold = MoneyField()


class SpendAlertInputSerializer(serializers.Serializer):
    workspace = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    item = serializers.CharField(max_length=32)
    threshold = StrictMoneyField(
        allow_zero=True, allow_blank=True, allow_null=True, help_text="Empty removes the alert"
    )


class SpendAlertView(AccountScopedAPIView):
    @extend_schema(parameters=[ACCOUNT_HEADER], responses={200: SpendAlertSerializer(many=True)})
    def get(self, request: Request) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        return Response(
            SpendAlertSerializer(spend_alert_list(account=membership.account), many=True).data
        )

    @extend_schema(
        parameters=[ACCOUNT_HEADER],
        request=SpendAlertInputSerializer,
        responses={200: SpendAlertSerializer(many=True)},
    )
    def post(self, request: Request) -> Response:
        membership = self.get_membership()
        given = SpendAlertInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        spend_alert_set(
            membership=membership,
            workspace_id=given.validated_data["workspace"],
            item_code=given.validated_data["item"],
            threshold=given.validated_data["threshold"],
        )
        return Response(
            SpendAlertSerializer(spend_alert_list(account=membership.account), many=True).data
        )
