"""Django admin for subscriptions, usage, runs and bills.

History is read-only here; every change to a subscription goes through the quota services,
from the forms below (create, change plan, add traffic pack, set workspaces, renew).
"""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join

from common.admin import ReadOnlyInline, ReadOnlyMixin, service_form_page
from common.dates import billing_day
from common.exceptions import ApplicationError
from packages.models import Plan
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
    PackRequest,
    subscription_add_traffic_packs,
    subscription_change_plan,
    subscription_create,
    subscription_renew,
    subscription_set_workspaces,
)
from workspaces.models import Account


def _workspace_ids(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(" ", ",").split(",") if part.strip()]
    except ValueError:
        raise forms.ValidationError(
            "Workspace ids, separated by commas, in priority order."
        ) from None


def _packs(text: str) -> list[PackRequest]:
    packs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.replace(",", " ").split()
        if len(parts) != 2 or not parts[1].isdigit():
            raise forms.ValidationError(
                f"Line {number}: write 'item capacity', e.g. 'logs 30000000'."
            )
        packs.append(PackRequest(item_code=parts[0], capacity=int(parts[1])))
    return packs


def _today():
    return billing_day(timezone.now())


class SubscriptionCreateForm(forms.Form):
    account = forms.ModelChoiceField(queryset=Account.objects.order_by("name"))
    plan = forms.ModelChoiceField(queryset=Plan.objects.filter(is_active=True))
    start_date = forms.DateField(
        initial=_today, help_text="The day it is paid: that day's usage is already covered."
    )
    workspaces = forms.CharField(help_text="Workspace ids in priority order, e.g. 12, 15")
    traffic_packs = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line: item capacity",
    )

    def clean_workspaces(self):
        return _workspace_ids(self.cleaned_data["workspaces"])

    def clean_traffic_packs(self):
        return _packs(self.cleaned_data.get("traffic_packs") or "")


class ChangePlanForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=Plan.objects.filter(is_active=True))
    effective_from = forms.DateField(
        initial=_today, help_text="The upgrade day; the new quota applies from it."
    )


class AddTrafficPackForm(forms.Form):
    traffic_packs = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="One per line: item capacity"
    )
    start_date = forms.DateField(initial=_today, help_text="The day it is paid.")

    def clean_traffic_packs(self):
        return _packs(self.cleaned_data["traffic_packs"])


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
    actions = ["renew"]

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
        links = [
            ("admin:quota_subscription_change_plan", "Change plan (upgrade)"),
            ("admin:quota_subscription_add_packs", "Add traffic packs"),
            ("admin:quota_subscription_set_workspaces", "Reorder / add / remove workspaces"),
        ]
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            ((reverse(name, args=[subscription.pk]), label) for name, label in links),
        )

    @admin.action(description="Renew selected subscriptions (same plan and workspaces)")
    def renew(self, request, queryset):
        today = _today()
        for subscription in queryset.order_by("pk"):
            try:
                renewal = subscription_renew(
                    subscription=subscription, today=today, actor=request.user
                )
            except ApplicationError as error:
                self.message_user(request, f"#{subscription.pk}: {error.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"#{subscription.pk} renewed as #{renewal.pk} from {renewal.start_date}.",
                )

    def get_urls(self):
        extra = [
            path(
                "<int:pk>/change-plan/",
                self.admin_site.admin_view(self.change_plan_view),
                name="quota_subscription_change_plan",
            ),
            path(
                "<int:pk>/add-packs/",
                self.admin_site.admin_view(self.add_packs_view),
                name="quota_subscription_add_packs",
            ),
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

    def add_view(self, request, form_url="", extra_context=None):
        return self._page(
            request,
            form=SubscriptionCreateForm(request.POST or None),
            title="Create a subscription",
            call=lambda data: subscription_create(
                account=data["account"],
                plan=data["plan"],
                start_date=data["start_date"],
                workspace_ids=data["workspaces"],
                traffic_packs=data["traffic_packs"],
                actor=request.user,
            ),
            success=lambda subscription: f"Subscription #{subscription.pk} created.",
        )

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

    def change_plan_view(self, request, pk):
        return self._operation_page(
            request,
            pk,
            ChangePlanForm,
            title=f"Change the plan of #{pk}",
            call=lambda subscription, data: subscription_change_plan(
                subscription=subscription, plan=data["plan"], effective_from=data["effective_from"]
            ),
            success=lambda period: f"#{pk} is on {period.plan.name} from {period.effective_from}.",
        )

    def add_packs_view(self, request, pk):
        return self._operation_page(
            request,
            pk,
            AddTrafficPackForm,
            title=f"Add traffic packs to #{pk}",
            call=lambda subscription, data: subscription_add_traffic_packs(
                subscription=subscription,
                traffic_packs=data["traffic_packs"],
                start_date=data["start_date"],
            ),
            success=lambda packs: f"{len(packs)} traffic pack(s) added to #{pk}.",
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
    list_display = ["day", "workspace", "account", "subscription", "total"]
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
