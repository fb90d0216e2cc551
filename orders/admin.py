"""Django admin of orders: read-only; orders are written by the checkout only."""

from django.contrib import admin

from common.admin import ReadOnlyInline, ReadOnlyMixin
from orders.models import Order, OrderLine


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["position", "description", "quantity", "unit_price", "amount"]


@admin.register(Order)
class OrderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "account",
        "kind",
        "status",
        "total",
        "subscription",
        "created_by",
        "paid_at",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["=id", "account__name", "idempotency_key"]
    date_hierarchy = "paid_at"
    list_select_related = ["account", "created_by"]
    inlines = [OrderLineInline]
