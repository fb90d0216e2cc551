from django.urls import path

from billing import api

urlpatterns = [
    path("statements/", api.StatementView.as_view(), name="api-statements"),
]
