from django.urls import path

from workspaces import api

# The workspace endpoints are served by quota.api (they show the bound subscription).
urlpatterns = [
    path("auth/token/", api.TokenLoginView.as_view(), name="api-token"),
]
