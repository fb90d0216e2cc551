"""REST API of the catalog (readable without signing in: it is the public price list)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import MoneyField, PriceField
from common.money import format_price
from packages import pricing
from packages.selectors import (
    billing_item_list,
    plan_list,
    traffic_discount_tier_list,
    traffic_pack_spec_list,
)


class BillingItemOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit_size = serializers.IntegerField()
    unit_price = PriceField()
    retention_prices = serializers.SerializerMethodField()
    default_retention_days = serializers.IntegerField(allow_null=True)
    aggregation = serializers.CharField()
    voucher_payable = serializers.BooleanField()

    def get_retention_prices(self, item) -> dict[str, str]:
        return {
            str(tier.days): format_price(tier.unit_price) for tier in item.retention_tiers.all()
        }


class PlanOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    price = MoneyField()
    term_days = serializers.IntegerField()
    quotas = serializers.SerializerMethodField()
    daily_list_value = serializers.SerializerMethodField()
    list_value_372_days = serializers.SerializerMethodField()
    saving_372_days = serializers.SerializerMethodField()

    def get_quotas(self, plan) -> dict[str, int]:
        return pricing.plan_quota_map(plan=plan)

    def get_daily_list_value(self, plan) -> str:
        return f"{pricing.plan_daily_list_value(plan=plan):.2f}"

    def get_list_value_372_days(self, plan) -> str:
        return f"{pricing.plan_list_value(plan=plan):.2f}"

    def get_saving_372_days(self, plan) -> str:
        return f"{pricing.plan_saving(plan=plan):.2f}"


class TrafficPackOutputSerializer(serializers.Serializer):
    item = serializers.CharField(source="item.code")
    base_unit = serializers.IntegerField()
    min_capacity = serializers.IntegerField()
    unit_price = PriceField()


class DiscountTierOutputSerializer(serializers.Serializer):
    min_multiple = serializers.IntegerField(help_text="Capacity ≥ this × the item's minimum …")
    rate = PriceField(help_text="… is priced at this rate.")


class CatalogAPIView(APIView):
    permission_classes = [AllowAny]


class BillingItemListView(CatalogAPIView):
    @extend_schema(responses={200: BillingItemOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(BillingItemOutputSerializer(billing_item_list(), many=True).data)


class PlanListView(CatalogAPIView):
    @extend_schema(responses={200: PlanOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(PlanOutputSerializer(plan_list(), many=True).data)


class TrafficPackListView(CatalogAPIView):
    @extend_schema(responses={200: TrafficPackOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(TrafficPackOutputSerializer(traffic_pack_spec_list(), many=True).data)


class TrafficDiscountListView(CatalogAPIView):
    @extend_schema(responses={200: DiscountTierOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(DiscountTierOutputSerializer(traffic_discount_tier_list(), many=True).data)
