from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from billing import views as billing_views
from orders import history as order_history
from orders import portal
from orders import views as order_views
from packages import views as package_views
from quota import views as quota_views
from wallet import views as wallet_views
from workspaces import views as workspace_views

api_v1 = [
    path("", include("workspaces.api_urls")),
    path("", include("quota.api_urls")),
    path("catalog/", include("packages.api_urls")),
    path("", include("wallet.api_urls")),
    path("", include("orders.api_urls")),
    path("", include("billing.api_urls")),
    path("", include("invoices.api_urls")),
]

urlpatterns = [
    path("", billing_views.home, name="home"),
    path("plans/", package_views.plan_catalog, name="plan-catalog"),
    path("buy/", portal.buy, name="buy"),
    path("buy/estimate/", portal.buy_estimate, name="buy-estimate"),
    path("orders/", order_history.order_history, name="order-history"),
    path("orders/<int:order_id>/", portal.order_detail, name="order-detail"),
    path(
        "orders/<int:order_id>/receipt/",
        order_history.order_receipt_page,
        name="order-receipt",
    ),
    path(
        "orders/<int:order_id>/receipt.pdf",
        order_history.order_receipt_download,
        name="order-receipt-pdf",
    ),
    path("packages/<int:subscription_id>/", quota_views.package_detail, name="package-detail"),
    path(
        "packages/<int:subscription_id>/workspaces/",
        quota_views.package_reorder,
        name="package-reorder",
    ),
    path(
        "packages/<int:subscription_id>/order/<slug:kind>/",
        portal.subscription_order,
        name="package-order",
    ),
    path("bills/", quota_views.bills, name="bills"),
    path("ledger/", wallet_views.ledger, name="ledger"),
    path("statements/", billing_views.statements, name="statements"),
    path("alerts/", quota_views.alerts, name="alerts"),
    path("invoices/", include("invoices.urls")),
    path("wallet/", wallet_views.wallet, name="wallet"),
    path("wallet/alert/", wallet_views.low_balance_page, name="low-balance"),
    path("wallet/cards/buy/", order_views.card_buy, name="card-buy"),
    path("wallet/vouchers/redeem/", wallet_views.voucher_redeem_page, name="voucher-redeem"),
    path("workspaces/new/", workspace_views.workspace_create, name="workspace-create"),
    path(
        "workspaces/<int:workspace_id>/upgrade/",
        workspace_views.workspace_upgrade,
        name="workspace-upgrade",
    ),
    path("account/switch/", workspace_views.account_switch, name="account-switch"),
    path("team/", workspace_views.team, name="team"),
    path("team/<int:member_id>/role/", workspace_views.team_member_role, name="team-role"),
    path("team/<int:member_id>/remove/", workspace_views.team_member_remove, name="team-remove"),
    path(
        "accounts/password/",
        workspace_views.PasswordChangeView.as_view(),
        name="password-change",
    ),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

handler403 = "common.views.permission_denied"
handler404 = "common.views.page_not_found"
handler500 = "common.views.server_error"
