"""Django admin for subscriptions, usage, runs and bills.

History is read-only here. Packages are given only as orders (orders admin, "Grant a package":
an order of kind `grant` with its price and reason); the workspaces of a subscription are set
here through the quota service.
"""

from django import forms
from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join

from common.admin import ReadOnlyInline, ReadOnlyMixin, money_column, service_form_page
from common.dates import billing_day
from quota.models import (
    BILL_LINE_COLUMNS,
    Binding,
    DailyBill,
    DailyBillLine,
    SpendAlert,
    SpendAlertNotice,
    Subscription,
    SubscriptionPlanPeriod,
    TrafficPack,
    UsageSample,
)
from quota.selectors import subscription_view
from quota.services import (
    subscription_set_workspaces,
)


def _workspace_ids(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(" ", ",").split(",") if part.strip()]
    except ValueError:
        raise forms.ValidationError(
            "Workspace ids, separated by commas, in priority order."
        ) from None


def _today():
    return billing_day(timezone.now())


class SetWorkspacesForm(forms.Form):
    workspaces = forms.CharField(
        help_text="Workspace ids in the new priority order; applies from tomorrow."
    )

    def clean_workspaces(self):
        return _workspace_ids(self.cleaned_data["workspaces"])


class PlanPeriodInline(ReadOnlyInline):
    model = SubscriptionPlanPeriod
    fields = ["plan", "effective_from", "created_at"]


class BindingInline(ReadOnlyInline):
    model = Binding
    fields = ["workspace", "priority", "valid_from", "valid_to", "created_at", "created_by"]
    ordering = ["valid_from", "priority"]


class TrafficPackInline(ReadOnlyInline):
    model = TrafficPack
    fields = ["item", "capacity", "daily_price", "start_date", "end_date", "created_at"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "account",
        "current_plan",
        "start_date",
        "end_date",
        "status",
        "renewal_of",
    ]
    list_filter = ["start_date", "end_date"]
    search_fields = ["=id", "account__name", "bindings__workspace__name"]
    list_select_related = ["account"]
    date_hierarchy = "start_date"
    readonly_fields = [
        "account",
        "start_date",
        "end_date",
        "renewal_of",
        "created_at",
        "created_by",
        "operations",
    ]
    inlines = [PlanPeriodInline, BindingInline, TrafficPackInline]

    def has_delete_permission(self, request, obj=None):
        return False

    def _view(self, subscription):
        return subscription_view(subscription=subscription, today=_today())

    @admin.display(description="plan today")
    def current_plan(self, subscription):
        return self._view(subscription).plan.name

    @admin.display(description="status")
    def status(self, subscription):
        return self._view(subscription).status

    @admin.display(description="operations")
    def operations(self, subscription):
        grant = reverse("admin:orders_order_add")
        query = f"account={subscription.account_id}&subscription={subscription.pk}"
        links = [
            (f"{grant}?{query}&kind=upgrade", "Grant an upgrade"),
            (f"{grant}?{query}&kind=traffic_packs", "Grant traffic packs"),
            (f"{grant}?{query}&kind=renewal", "Grant a renewal"),
            (
                reverse("admin:quota_subscription_set_workspaces", args=[subscription.pk]),
                "Reorder / add / remove workspaces",
            ),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def get_urls(self):
        extra = [
            path(
                "<int:pk>/set-workspaces/",
                self.admin_site.admin_view(self.set_workspaces_view),
                name="quota_subscription_set_workspaces",
            ),
        ]
        return extra + super().get_urls()

    def _page(self, request, *, form, title, call, success, subscription=None):
        return service_form_page(
            self,
            request,
            form=form,
            title=title,
            call=call,
            success=success,
            done_url=lambda result: reverse(
                "admin:quota_subscription_change", args=[(subscription or result).pk]
            ),
            extra={"subscription": subscription},
        )

    def has_add_permission(self, request):
        return False  # a subscription is an order's delivery: orders admin, "Grant a package"

    def _operation_page(self, request, pk, form_class, *, title, call, success, initial=None):
        """The page of one operation on subscription `pk`: `call(subscription, data)` runs its
        service; `initial(subscription)`, when given, fills the form."""
        subscription = get_object_or_404(Subscription, pk=pk)
        return self._page(
            request,
            form=form_class(
                request.POST or None, initial=initial(subscription) if initial else None
            ),
            title=title,
            call=lambda data: call(subscription, data),
            success=success,
            subscription=subscription,
        )

    def set_workspaces_view(self, request, pk):
        return self._operation_page(
            request,
            pk,
            SetWorkspacesForm,
            title=f"Workspaces of #{pk}",
            initial=lambda subscription: {
                "workspaces": ", ".join(map(str, self._view(subscription).workspace_ids))
            },
            call=lambda subscription, data: subscription_set_workspaces(
                subscription=subscription,
                workspace_ids=data["workspaces"],
                today=_today(),
                actor=request.user,
            ),
            success=lambda effective: f"New workspace order of #{pk} applies from {effective}.",
        )


@admin.register(UsageSample)
class UsageSampleAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "day",
        "hour",
        "workspace_id",
        "item",
        "retention_days",
        "quantity",
        "received_at",
    ]
    list_filter = ["item", "retention_days"]
    search_fields = ["=workspace__id", "workspace__name"]
    date_hierarchy = "day"
    show_full_result_count = False
    list_select_related = ["item"]


class BillLineInline(ReadOnlyInline):
    model = DailyBillLine
    fields = [*BILL_LINE_COLUMNS, "reason"]


@admin.register(DailyBill)
class DailyBillAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["day", "workspace", "account", "subscription", "total_cny"]
    total_cny = money_column("total")
    list_filter = ["day"]
    search_fields = ["=workspace__id", "workspace__name", "account__name"]
    date_hierarchy = "day"
    list_select_related = ["workspace", "account"]
    show_full_result_count = False
    inlines = [BillLineInline]
    readonly_fields = [
        "workspace",
        "account",
        "day",
        "subscription",
        "total",
        "run",
        "created_at",
    ]


@admin.register(SpendAlert)
class SpendAlertAdmin(admin.ModelAdmin):
    list_display = ["workspace", "item", "threshold", "account"]
    list_filter = ["item"]
    search_fields = ["workspace__name", "account__name"]
    list_select_related = ["workspace", "item", "account"]
    autocomplete_fields = ["workspace", "account"]


@admin.register(SpendAlertNotice)
class SpendAlertNoticeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["day", "workspace", "item", "amount", "threshold", "created_at"]
    list_filter = ["item", "day"]
    search_fields = ["workspace__name"]
