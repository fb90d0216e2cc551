from django.urls import path

from invoices import views

urlpatterns = [
    path("", views.invoices, name="invoices"),
    path("request/", views.invoice_request, name="invoice-request"),
    path("verification/", views.verification, name="invoice-verification"),
    path("addresses/", views.addresses, name="invoice-addresses"),
    path(
        "addresses/<int:address_id>/default/", views.address_default, name="invoice-address-default"
    ),
    path("addresses/<int:address_id>/delete/", views.address_remove, name="invoice-address-delete"),
    path("<int:request_id>/pdf/", views.invoice_pdf, name="invoice-pdf"),
]
