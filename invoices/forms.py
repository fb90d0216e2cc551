"""Forms of the invoice pages: they keep what was typed; the rules are the services' parsers
(invoices/services), whose errors show next to the field they name."""

from django import forms
from django.utils.translation import gettext_lazy

from invoices.models import InvoiceType


class ServiceErrorsForm(forms.Form):
    def add_service_error(self, error) -> None:
        """A domain error at its field, or above the form when it names none of them."""
        self.add_error(error.field if error.field in self.fields else None, error.message)


class InvoiceRequestForm(ServiceErrorsForm):
    type = forms.ChoiceField(
        label=gettext_lazy("Invoice type"),
        choices=InvoiceType.choices,
        widget=forms.RadioSelect,
        initial=InvoiceType.ELECTRONIC,
    )
    title = forms.CharField(label=gettext_lazy("Invoice title"), max_length=200)
    amount = forms.CharField(label=gettext_lazy("Amount (¥)"), max_length=30)
    address = forms.ChoiceField(
        label=gettext_lazy("Mailing address (paper invoices)"), required=False
    )
    email = forms.CharField(
        label=gettext_lazy("E-mail (electronic invoices)"), max_length=254, required=False
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, addresses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["address"].choices = [
            (str(address.pk), f"{address.recipient} · {address.phone} · {address.address}")
            for address in addresses
        ]


class VerificationForm(ServiceErrorsForm):
    registered_name = forms.CharField(label=gettext_lazy("Registered name"), max_length=200)
    taxpayer_id = forms.CharField(label=gettext_lazy("Unified social credit code"), max_length=64)
    bank_name = forms.CharField(label=gettext_lazy("Bank"), max_length=100, required=False)
    bank_account = forms.CharField(
        label=gettext_lazy("Bank account"), max_length=60, required=False
    )
    registered_address = forms.CharField(
        label=gettext_lazy("Registered address"), max_length=200, required=False
    )
    registered_phone = forms.CharField(
        label=gettext_lazy("Registered phone"), max_length=30, required=False
    )


class AddressForm(ServiceErrorsForm):
    recipient = forms.CharField(label=gettext_lazy("Recipient"), max_length=100)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=30)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=300)
    is_default = forms.BooleanField(label=gettext_lazy("Default address"), required=False)
