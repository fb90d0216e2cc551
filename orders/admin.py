from django.contrib import admin

from orders.models import Wallet


@admin.register(Wallet)
class WalletAdmin(admin.ModelAdmin):
    """Read-only: balances change only through the wallet services, each with a ledger entry."""

    list_display = ["account", "cash_balance", "arrears", "updated_at"]
    search_fields = ["account__name"]
    list_select_related = ["account"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
