from django.urls import path

from quota import api, api_bills, api_usage

urlpatterns = [
    path("usage/", api.UsageIngestView.as_view(), name="api-usage"),
    path("workspaces/", api.WorkspaceListCreateView.as_view(), name="api-workspaces"),
    path("workspaces/<int:workspace_id>/", api.WorkspaceDetailView.as_view(), name="api-workspace"),
    path(
        "workspaces/<int:workspace_id>/upgrade/",
        api.WorkspaceUpgradeView.as_view(),
        name="api-workspace-upgrade",
    ),
    path(
        "workspaces/<int:workspace_id>/daily-bills/",
        api_bills.WorkspaceDailyBillsView.as_view(),
        name="api-workspace-daily-bills",
    ),
    path("subscriptions/", api.SubscriptionListView.as_view(), name="api-subscriptions"),
    path(
        "subscriptions/<int:subscription_id>/",
        api.SubscriptionDetailView.as_view(),
        name="api-subscription",
    ),
    path(
        "subscriptions/<int:subscription_id>/workspaces/",
        api.SubscriptionWorkspacesView.as_view(),
        name="api-subscription-workspaces",
    ),
    path(
        "subscriptions/<int:subscription_id>/usage/",
        api.SubscriptionUsageView.as_view(),
        name="api-subscription-usage",
    ),
    path(
        "subscriptions/<int:subscription_id>/workspace-usage/",
        api_usage.SubscriptionWorkspaceUsageView.as_view(),
        name="api-subscription-workspace-usage",
    ),
    path("spend-alerts/", api.SpendAlertView.as_view(), name="api-spend-alerts"),
]
