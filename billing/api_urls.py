from django.urls import path

from billing import api

urlpatterns = [
    path("statements/", api.StatementView.as_view(), name="api-statements"),
    path("daily-bills/<int:bill_id>/", api.DailyBillView.as_view(), name="api-daily-bill"),
    path(
        "daily-bills/<int:bill_id>/adjustments/",
        api.BillAdjustmentCreateView.as_view(),
        name="api-daily-bill-adjust",
    ),
]
