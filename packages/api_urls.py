from django.urls import path

from packages import api

urlpatterns = [
    path("billing-items/", api.BillingItemListView.as_view(), name="api-billing-items"),
    path("plans/", api.PlanListView.as_view(), name="api-plans"),
    path("traffic-packs/", api.TrafficPackListView.as_view(), name="api-traffic-packs"),
    path("traffic-discounts/", api.TrafficDiscountListView.as_view(), name="api-traffic-discounts"),
]
