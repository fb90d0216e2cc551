from django.urls import path

from orders import api

urlpatterns = [
    path("account/", api.AccountView.as_view(), name="api-account"),
    path("vouchers/", api.VoucherListView.as_view(), name="api-vouchers"),
    path("vouchers/redeem/", api.VoucherRedeemView.as_view(), name="api-voucher-redeem"),
    path("prepaid-cards/", api.PrepaidCardListView.as_view(), name="api-prepaid-cards"),
    path("orders/quote/", api.OrderQuoteView.as_view(), name="api-order-quote"),
    path("orders/", api.OrderListCreateView.as_view(), name="api-orders"),
    path("orders/<int:order_id>/", api.OrderDetailView.as_view(), name="api-order"),
    path("ledger/", api.LedgerView.as_view(), name="api-ledger"),
    path("statements/", api.StatementView.as_view(), name="api-statements"),
    path("spend-alerts/", api.SpendAlertView.as_view(), name="api-spend-alerts"),
]
