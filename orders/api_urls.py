from django.urls import path

from orders import api

urlpatterns = [
    path("account/", api.AccountView.as_view(), name="api-account"),
]
