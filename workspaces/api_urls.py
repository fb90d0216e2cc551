from django.urls import path

from workspaces import api

urlpatterns = [
    path("auth/token/", api.TokenLoginView.as_view(), name="api-token"),
    path("workspaces/", api.WorkspaceListCreateView.as_view(), name="api-workspaces"),
    path("workspaces/<int:workspace_id>/", api.WorkspaceDetailView.as_view(), name="api-workspace"),
    path(
        "workspaces/<int:workspace_id>/upgrade/",
        api.WorkspaceUpgradeView.as_view(),
        name="api-workspace-upgrade",
    ),
]
