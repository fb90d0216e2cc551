"""Django admin of orders: read-only history; the add page grants a package (an order of kind
`grant` through the checkout), the only way operators give plans, upgrades, renewals or packs."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils import timezone

from common.admin import ReadOnlyInline, ServiceFormMixin, money_column
from common.money import format_cny
from orders.models import Order, OrderKind, OrderLine
from orders.services.grants import order_grant
from orders.services.kinds import GRANTABLE_KINDS
from packages.models import Plan
from quota.services.subscriptions import PackRequest
from workspaces.models import Account


def _workspace_ids(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.replace(" ", ",").split(",") if part.strip())
    except ValueError:
        raise forms.ValidationError(
            "Workspace ids, separated by commas, in priority order."
        ) from None


def _packs(text: str) -> tuple[PackRequest, ...]:
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
    return tuple(packs)


class GrantForm(forms.Form):
    account = forms.ModelChoiceField(queryset=Account.objects.order_by("name"))
    kind = forms.ChoiceField(
        choices=[(kind.value, kind.label) for kind in GRANTABLE_KINDS], label="Grant"
    )
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.filter(is_active=True),
        required=False,
        help_text="New package and upgrade",
    )
    workspaces = forms.CharField(
        required=False, help_text="New package: workspace ids in priority order, e.g. 12, 15"
    )
    subscription = forms.IntegerField(
        required=False, min_value=1, help_text="Traffic packs, upgrade and renewal"
    )
    traffic_packs = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="New package and traffic packs; one per line: item capacity",
    )
    price = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.00"),
        initial=Decimal("0.00"),
        help_text="¥0.00: a gift (no payment); a price is paid from the account's cash",
    )
    reason = forms.CharField(max_length=500, help_text="Why it is granted (shown on the order)")

    def clean_workspaces(self):
        return _workspace_ids(self.cleaned_data.get("workspaces") or "")

    def clean_traffic_packs(self):
        return _packs(self.cleaned_data.get("traffic_packs") or "")


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["position", "description", "quantity", "unit_price", "amount"]


@admin.register(Order)
class OrderAdmin(ServiceFormMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "account",
        "kind",
        "status",
        "total_cny",
        "subscription",
        "created_by",
        "paid_at",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["=id", "account__name", "idempotency_key"]
    date_hierarchy = "paid_at"
    list_select_related = ["account", "created_by"]
    inlines = [OrderLineInline]
    total_cny = money_column("total")
    service_form = GrantForm
    service_title = "Grant a package"

    def call_service(self, request, data):
        plan = data["plan"]
        order = order_grant(
            account=data["account"],
            granted_kind=data["kind"],
            price=data["price"],
            reason=data["reason"],
            actor=request.user,
            now=timezone.now(),
            plan_code=plan.code if plan else "",
            workspace_ids=data["workspaces"],
            subscription_id=data["subscription"],
            traffic_packs=data["traffic_packs"],
        )
        kind = OrderKind(data["kind"]).label
        return (
            f"Order #{order.pk}: {kind} granted to {data['account']} for {format_cny(order.total)}."
        )
