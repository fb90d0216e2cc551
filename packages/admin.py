from django.contrib import admin

from common.money import format_cny
from packages import pricing
from packages.models import (
    BillingItem,
    Plan,
    PlanQuota,
    RetentionTier,
    TrafficDiscountTier,
    TrafficPackSpec,
    VoucherGrantTier,
)


class RetentionTierInline(admin.TabularInline):
    model = RetentionTier
    extra = 0


@admin.register(BillingItem)
class BillingItemAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "unit_size",
        "unit_price",
        "default_retention_days",
        "aggregation",
        "voucher_payable",
        "display_order",
    ]
    list_filter = ["aggregation", "voucher_payable"]
    search_fields = ["code", "name"]
    inlines = [RetentionTierInline]


@admin.register(RetentionTier)
class RetentionTierAdmin(admin.ModelAdmin):
    list_display = ["item", "days", "unit_price", "conversion_factor"]
    list_filter = ["item", "conversion_factor"]
    search_fields = ["item__code", "item__name"]
    list_select_related = ["item"]


class PlanQuotaInline(admin.TabularInline):
    model = PlanQuota
    extra = 0
    autocomplete_fields = ["item"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "price",
        "term_days",
        "daily_list_value",
        "list_value_372",
        "is_active",
    ]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    inlines = [PlanQuotaInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("quotas__item")

    @admin.display(description="daily list value")
    def daily_list_value(self, plan: Plan) -> str:
        return format_cny(pricing.plan_daily_list_value(plan=plan))

    @admin.display(description="372-day list value")
    def list_value_372(self, plan: Plan) -> str:
        return format_cny(pricing.plan_list_value(plan=plan))


@admin.register(PlanQuota)
class PlanQuotaAdmin(admin.ModelAdmin):
    list_display = ["plan", "item", "daily_quantity"]
    list_filter = ["plan", "item"]
    search_fields = ["plan__code", "item__code"]
    list_select_related = ["plan", "item"]


@admin.register(TrafficPackSpec)
class TrafficPackSpecAdmin(admin.ModelAdmin):
    list_display = ["item", "base_unit", "min_capacity", "unit_price", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["item__code", "item__name"]
    list_select_related = ["item"]


@admin.register(TrafficDiscountTier)
class TrafficDiscountTierAdmin(admin.ModelAdmin):
    list_display = ["min_multiple", "rate"]


@admin.register(VoucherGrantTier)
class VoucherGrantTierAdmin(admin.ModelAdmin):
    list_display = ["min_card_value", "voucher_amount", "voucher_valid_days"]
