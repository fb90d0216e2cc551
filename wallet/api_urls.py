from django.urls import path

from wallet import api

urlpatterns = [
    path("account/", api.AccountView.as_view(), name="api-account"),
    path("vouchers/", api.VoucherListView.as_view(), name="api-vouchers"),
    path("vouchers/redeem/", api.VoucherRedeemView.as_view(), name="api-voucher-redeem"),
    path("prepaid-cards/", api.PrepaidCardListView.as_view(), name="api-prepaid-cards"),
    path("ledger/", api.LedgerView.as_view(), name="api-ledger"),
]
