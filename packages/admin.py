from django.contrib import admin, messages

from common.money import format_cny
from packages import pricing
from packages.catalog import plan_is_sold, plan_new_version
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


SOLD = "Sold: make a new version to change its price, term or quotas (action “Make a new version”)."
FROZEN_PLAN_FIELDS = ["code", "name", "price", "term_days"]


class PlanQuotaInline(admin.TabularInline):
    """A sold plan's quotas are shown, never edited: they explain the bills of past days."""

    model = PlanQuota
    extra = 0
    autocomplete_fields = ["item"]

    def _sold(self, plan) -> bool:
        return plan is not None and plan_is_sold(plan=plan)

    def get_readonly_fields(self, request, obj=None):
        return ["item", "daily_quantity"] if self._sold(obj) else []

    def has_add_permission(self, request, obj=None):
        return not self._sold(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._sold(obj) and super().has_delete_permission(request, obj)


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
    actions = ["make_new_version"]

    def get_readonly_fields(self, request, obj=None):
        return FROZEN_PLAN_FIELDS if obj is not None and plan_is_sold(plan=obj) else []

    def change_view(self, request, object_id, form_url="", extra_context=None):
        plan = self.get_object(request, object_id)
        if plan is not None and request.method == "GET" and plan_is_sold(plan=plan):
            self.message_user(request, SOLD, messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Make a new version (a copy under a new code, not yet offered)")
    def make_new_version(self, request, queryset):
        for plan in queryset.order_by("pk"):
            copy = plan_new_version(plan=plan)
            self.message_user(request, f"{plan.code}: new version {copy.code}, not yet active.")

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

    def has_change_permission(self, request, obj=None):
        sold = obj is not None and plan_is_sold(plan=obj.plan)
        return not sold and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        sold = obj is not None and plan_is_sold(plan=obj.plan)
        return not sold and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "plan":  # a new quota only for a plan not sold yet
            unsold = [plan.pk for plan in Plan.objects.all() if not plan_is_sold(plan=plan)]
            kwargs["queryset"] = Plan.objects.filter(pk__in=unsold)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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
