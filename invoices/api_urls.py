from django.urls import path

from invoices import api

urlpatterns = [
    path("account/verification/", api.VerificationView.as_view(), name="api-verification"),
    path("account/addresses/", api.AddressListView.as_view(), name="api-addresses"),
    path(
        "account/addresses/<int:address_id>/",
        api.AddressDetailView.as_view(),
        name="api-address",
    ),
    path("invoices/", api.InvoiceListCreateView.as_view(), name="api-invoices"),
    path("invoices/invoiceable/", api.InvoiceableView.as_view(), name="api-invoiceable"),
    path("invoices/<int:request_id>/pdf/", api.InvoicePdfView.as_view(), name="api-invoice-pdf"),
]
