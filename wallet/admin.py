"""Django admin of the wallet: history is read-only; every change goes through a service form."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from common.admin import ReadOnlyMixin, ServiceFormMixin, money_column
from wallet.models import (
    BillSettlement,
    LedgerEntry,
    PrepaidCard,
    Refund,
    Remittance,
    Voucher,
    Wallet,
)
from wallet.services.balances import cash_credit
from wallet.services.instruments import prepaid_card_issue, voucher_issue
from wallet.services.refunds import cash_refund, refund_made_on
from workspaces.models import Account


class CreditCashForm(forms.Form):
    account = forms.ModelChoiceField(queryset=Account.objects.order_by("name"))
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    reference = forms.CharField(max_length=200, help_text="The bank remittance reference")


class IssueVoucherForm(forms.Form):
    account = forms.ModelChoiceField(
        queryset=Account.objects.order_by("name"),
        required=False,
        help_text="Empty: an activation code",
    )
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    kind = forms.ChoiceField(choices=Voucher.Kind.choices)
    valid_days = forms.IntegerField(min_value=1, max_value=3660, initial=365)


class IssueCardForm(forms.Form):
    account = forms.ModelChoiceField(queryset=Account.objects.order_by("name"))
    amount = forms.DecimalField(max_digits=14, decimal_places=2, help_text="A multiple of ¥100")
    valid_days = forms.IntegerField(min_value=1, max_value=3660, initial=365)


class _Info(str):
    """A service form's message shown at info level rather than as a success."""


def _for_the_account(service, request, data, **arguments):
    """Call a wallet service for the form's account (None: no account) and amount, as the
    operator, now."""
    return service(
        account_id=data["account"].pk if data["account"] else None,
        amount=data["amount"],
        actor=request.user,
        now=timezone.now(),
        **arguments,
    )


@admin.register(Wallet)
class WalletAdmin(ServiceFormMixin, admin.ModelAdmin):
    """Add = credit cash: balances change only through services, each with a ledger entry."""

    list_display = [
        "account",
        "cash_balance_cny",
        "arrears_cny",
        "arrears_since",
        "lock_reminder",
        "locked_at",
        "updated_at",
    ]
    cash_balance_cny = money_column("cash_balance")
    arrears_cny = money_column("arrears")
    list_filter = [("arrears_since", admin.EmptyFieldListFilter)]
    search_fields = ["account__name"]
    list_select_related = ["account", "arrears_reminder"]
    service_form = CreditCashForm
    service_title = "Credit cash (bank remittance)"

    @admin.display(description="Lock reminder (e-mail)")
    def lock_reminder(self, wallet: Wallet):
        """The reminder's outbox row: queued, requeued (retrying), sent or failed."""
        email = wallet.arrears_reminder
        if email is None:
            return "sent (no address)" if wallet.arrears_reminded_at else "—"
        url = reverse("admin:post_office_email_change", args=[email.pk])
        return format_html('<a href="{}">{}</a>', url, email.get_status_display())

    def call_service(self, request, data):
        credit = _for_the_account(cash_credit, request, data, reference=data["reference"])
        wallet, remittance = credit.wallet, credit.remittance
        balances = f"cash ¥{wallet.cash_balance:,.2f}, arrears ¥{wallet.arrears:,.2f}"
        if credit.created:
            return f"{data['account']}: {balances}."
        return _Info(
            f"{data['account']}: remittance {remittance.reference} already credited on "
            f"{remittance.credited_on} (¥{remittance.amount:,.2f}); nothing changed, {balances}."
        )

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if isinstance(message, _Info):  # a form posted again: the first credit, not a success
            level = messages.INFO
        super().message_user(request, message, level, *args, **kwargs)


@admin.register(Remittance)
class RemittanceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Each remittance credited once; a historic duplicate is a cash_credit entry without one."""

    list_display = ["credited_at", "account", "reference", "amount_cny", "entry"]
    amount_cny = money_column("amount")
    search_fields = ["reference", "account__name"]
    date_hierarchy = "credited_at"
    list_select_related = ["account", "entry"]
    show_full_result_count = False


class RefundCashForm(forms.Form):
    account = forms.ModelChoiceField(queryset=Account.objects.order_by("name"))
    amount = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="At most the cash balance; prepaid cards and vouchers are never refunded",
    )
    reference = forms.CharField(max_length=200, help_text="The bank transfer's reference")


@admin.register(Refund)
class RefundAdmin(ServiceFormMixin, admin.ModelAdmin):
    """Add = refund cash to the customer's bank (SPEC 6.3); the list is read-only history."""

    list_display = ["refunded_at", "account", "reference", "amount_cny", "actor", "entry"]
    amount_cny = money_column("amount")
    search_fields = ["reference", "account__name"]
    date_hierarchy = "refunded_at"
    list_select_related = ["account", "actor", "entry"]
    show_full_result_count = False
    service_form = RefundCashForm
    service_title = "Refund cash to the customer's bank"

    def call_service(self, request, data):
        result = _for_the_account(cash_refund, request, data, reference=data["reference"])
        refund, cash = result.refund, f"cash ¥{result.wallet.cash_balance:,.2f}"
        if result.created:
            return f"{data['account']}: refund {refund.reference} of ¥{refund.amount:,.2f}, {cash}."
        return _Info(
            f"{data['account']}: refund {refund.reference} already made on "
            f"{refund_made_on(refund)} (¥{refund.amount:,.2f}); nothing changed, {cash}."
        )

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if isinstance(message, _Info):  # a form posted again: the first refund, not a success
            level = messages.INFO
        super().message_user(request, message, level, *args, **kwargs)


@admin.register(Voucher)
class VoucherAdmin(ServiceFormMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "account",
        "kind",
        "face_value_cny",
        "balance_cny",
        "expires_at",
        "code",
        "redeemed_at",
    ]
    face_value_cny = money_column("face_value")
    balance_cny = money_column("balance")
    list_filter = ["kind", ("account", admin.EmptyFieldListFilter)]
    search_fields = ["=id", "code", "account__name"]
    list_select_related = ["account"]
    service_form = IssueVoucherForm
    service_title = "Issue a voucher or an activation code"

    def call_service(self, request, data):
        voucher = _for_the_account(
            voucher_issue, request, data, kind=data["kind"], valid_days=data["valid_days"]
        )
        return (
            f"Activation code {voucher.code}." if voucher.code else f"Voucher #{voucher.pk} issued."
        )


@admin.register(PrepaidCard)
class PrepaidCardAdmin(ServiceFormMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "account",
        "source",
        "face_value_cny",
        "balance_cny",
        "issued_at",
        "expires_at",
    ]
    face_value_cny = money_column("face_value")
    balance_cny = money_column("balance")
    list_filter = ["source"]
    search_fields = ["number", "account__name"]
    list_select_related = ["account"]
    service_form = IssueCardForm
    service_title = "Issue a partner-allocated prepaid card"

    def call_service(self, request, data):
        card = _for_the_account(prepaid_card_issue, request, data, valid_days=data["valid_days"])
        return f"Card {card.number} issued."


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "account",
        "instrument",
        "voucher",
        "prepaid_card",
        "amount_cny",
        "balance_after_cny",
        "kind",
        "order",
        "daily_bill",
        "actor",
        "reference",
    ]
    amount_cny = money_column("amount")
    balance_after_cny = money_column("balance_after")
    list_filter = ["instrument", "kind"]
    search_fields = ["account__name", "reference", "=order__id"]
    ordering = ["-created_at", "-pk"]  # newest first, like the customer's ledger page
    date_hierarchy = "created_at"
    list_select_related = ["account", "actor"]
    show_full_result_count = False


@admin.register(BillSettlement)
class BillSettlementAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "day",
        "bill",
        "account",
        "ordinary_vouchers_cny",
        "full_reduction_vouchers_cny",
        "prepaid_cards_cny",
        "cash_cny",
        "arrears_cny",
    ]
    ordinary_vouchers_cny = money_column("ordinary_vouchers")
    full_reduction_vouchers_cny = money_column("full_reduction_vouchers")
    prepaid_cards_cny = money_column("prepaid_cards")
    cash_cny = money_column("cash")
    arrears_cny = money_column("arrears")
    list_filter = ["day"]
    search_fields = ["account__name", "=bill__workspace__id"]
    date_hierarchy = "day"
    list_select_related = ["account"]
    show_full_result_count = False
