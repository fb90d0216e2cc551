from django.urls import path

from orders import api

urlpatterns = [
    path("orders/quote/", api.OrderQuoteView.as_view(), name="api-order-quote"),
    path("orders/", api.OrderListCreateView.as_view(), name="api-orders"),
    path("orders/<int:order_id>/", api.OrderDetailView.as_view(), name="api-order"),
]
