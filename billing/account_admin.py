"""The operators' console of an account: the Account admin's change page with its balances,
its arrears countdown and links to everything of the account (registered here, in the billing
layer, because it reads the wallet, quota, orders and invoices, which workspaces may not)."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from common.money import format_cny
from wallet.models import Wallet
from wallet.selectors import account_balances, usable_balances
from workspaces.admin import AccountAdmin
from workspaces.models import Account

# (app_label, model_name, label): the account's records, each a changelist filtered to it
RECORDS = [
    ("workspaces", "workspace", "Workspaces"),
    ("workspaces", "membership", "Members"),
    ("quota", "subscription", "Subscriptions"),
    ("orders", "order", "Orders"),
    ("quota", "dailybill", "Daily bills"),
    ("quota", "billadjustment", "Adjustments"),
    ("wallet", "ledgerentry", "Ledger"),
    ("wallet", "voucher", "Vouchers"),
    ("wallet", "prepaidcard", "Prepaid cards"),
    ("wallet", "remittance", "Remittances"),
    ("wallet", "refund", "Refunds"),
    ("invoices", "invoicerequest", "Invoice requests"),
    ("billing", "statement", "Statements"),
]

# (app_label, model_name, label): service forms, opened with the account chosen
OPERATIONS = [
    ("wallet", "wallet", "Credit cash (bank remittance)"),
    ("wallet", "voucher", "Issue a voucher"),
    ("wallet", "prepaidcard", "Issue a prepaid card"),
    ("wallet", "refund", "Refund cash"),
    ("orders", "order", "Grant a package"),
]


def _links(account: Account, rows, view: str, query: str):
    return format_html_join(
        " · ",
        '<a href="{}?{}={}">{}</a>',
        (
            (reverse(f"admin:{app}_{model}_{view}"), query, account.pk, label)
            for app, model, label in rows
        ),
    )


admin.site.unregister(Account)


@admin.register(Account)
class AccountConsoleAdmin(AccountAdmin):
    readonly_fields = ["created_at", "balances", "records", "operations"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name"]
        return ["name", "created_at", "balances", "records", "operations"]

    @admin.display(description="balances")
    def balances(self, account: Account):
        money = account_balances(account=account)
        usable = usable_balances(account=account, now=timezone.now())
        wallet = Wallet.objects.filter(account=account).only("pk").first()
        wallet_link = (
            format_html(
                ' · <a href="{}">wallet</a>',
                reverse("admin:wallet_wallet_change", args=[wallet.pk]),
            )
            if wallet
            else ""
        )
        countdown = (
            f"since {money.arrears_since:%Y-%m-%d}, locks on {money.lock_at:%Y-%m-%d %H:%M}"
            if money.arrears_since and money.lock_at
            else "no countdown"
        )
        return format_html(
            "cash {} · arrears {} ({}) · usable vouchers {} · usable prepaid cards {}{}",
            format_cny(money.cash_balance),
            format_cny(money.arrears),
            countdown,
            format_cny(usable["vouchers"]),
            format_cny(usable["prepaid_cards"]),
            wallet_link,
        )

    @admin.display(description="records")
    def records(self, account: Account):
        return _links(account, RECORDS, "changelist", "account__id__exact")

    @admin.display(description="operations")
    def operations(self, account: Account):
        return _links(account, OPERATIONS, "add", "account")
